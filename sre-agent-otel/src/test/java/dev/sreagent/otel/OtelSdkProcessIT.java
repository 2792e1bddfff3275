package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.runtime.BackgroundRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A separate process runs the real OpenTelemetry SDK over a small service graph with a fault (payments starts
 * failing); it exports metrics, traces and logs over OTLP http/protobuf to the agent's receiver in this process. The
 * agent must open one error-rate incident rooted at payments and learn the call graph from the spans.
 */
class OtelSdkProcessIT {
  @Test
  void aRealSdkInAnotherProcessOpensTheRightIncidentWithTheRightRoot(@TempDir Path dir) throws Exception {
    OtlpHttpReceiver otlp = OtlpHttpReceiver.builder().setPort(0).build();
    List<IncidentEvent> events = new CopyOnWriteArrayList<>();
    SreAgent agent = SreAgent.builder().addTelemetrySource(otlp).setDefaultPhase(Phase.OBSERVE)
        .setAuditFile(dir.resolve("audit.jsonl")).addNotifier(events::add).build();
    agent.start();
    BackgroundRunner runner = agent.runInBackground(Duration.ofMillis(100));
    try {
      Process child = new ProcessBuilder(ServiceGraphMain.command("http://127.0.0.1:" + otlp.port(), 180, 120))
          .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
      assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("the child finished").isTrue();
      assertThat(child.exitValue()).as(java.nio.file.Files.readString(dir.resolve("child.log"))).isZero();
      Thread.sleep(500);
    } finally {
      runner.close();
    }
    agent.tick();
    List<Incident> incidents = agent.incidents();
    System.out.println("receiver: " + otlp.counters());
    events.forEach(e -> System.out.println("event: " + e.kind() + " " + e.incident().type() + " "
        + e.incident().rootService() + " " + e.message()));
    assertThat(incidents).as("one incident for the whole cascade").singleElement().satisfies(inc -> {
      assertThat(inc.type()).isEqualTo(IncidentType.ERROR_RATE_SPIKE);
      assertThat(inc.rootService()).isEqualTo("payments");
    });
    assertThat(agent.dependencyGraph()).extracting(e -> e.from() + "->" + e.to())
        .containsExactlyInAnyOrder("frontend->checkout", "checkout->payments", "frontend->catalog");
    assertThat(otlp.counters()).containsKeys("accepted.metrics", "accepted.traces", "accepted.logs")
        .doesNotContainKeys("rejected.decode", "rejected.too-old", "rejected.in-future");
    agent.close();
  }
}
