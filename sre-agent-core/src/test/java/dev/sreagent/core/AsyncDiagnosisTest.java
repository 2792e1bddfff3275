package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.core.reasoning.EvidenceReasoner;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A reasoner that takes its time never holds the loop when a diagnosis executor is configured. */
class AsyncDiagnosisTest {
  private static final Instant T = Instant.parse("2026-11-29T03:00:00Z");

  private static MetricSample cert(String service, Instant at) {
    return new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, 86_400, at,
        Map.of(Attributes.SERVICE_NAME, service, Attributes.TLS_CERTIFICATE, service + "-tls"));
  }

  @Test
  void theLoopMovesOnWhileTheReasonerThinksAndTheAnswerLandsLater() throws Exception {
    CountDownLatch thinking = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    EvidenceReasoner offline = new EvidenceReasoner();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    AtomicReference<Instant> now = new AtomicReference<>(T);
    try (SreAgent agent = SreAgent.builder().setClock(now::get).setDiscovery(false).setDiagnosisExecutor(pool)
        .setReasoner((incident, knowledge) -> {
          thinking.countDown();
          try {
            answer.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return offline.diagnose(incident, knowledge);
        }).build()) {
      assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
        agent.sink().accept(cert("payments", T));
        agent.tick();
        now.set(T.plusSeconds(120));
        agent.tick(); // the diagnosis starts on the pool; this tick must return
        assertThat(thinking.await(10, TimeUnit.SECONDS)).isTrue();
        agent.sink().accept(cert("checkout", now.get()));
        agent.tick(); // a second incident opens while the first is still being diagnosed
        assertThat(agent.incidents()).hasSize(2);
        assertThat(agent.incidents().get(0).state()).isEqualTo(IncidentState.INVESTIGATING);
        answer.countDown();
        long deadline = System.nanoTime() + 25_000_000_000L;  // inside the 30 s preemptive timeout
        while (agent.incidents().get(0).diagnosis() == null && System.nanoTime() < deadline) {
          Thread.sleep(10);
          agent.tick();
        }
      });
      assertThat(agent.incidents().get(0).diagnosis()).isNotNull();
      assertThat(agent.incidents().get(0).state()).isNotEqualTo(IncidentState.INVESTIGATING);
    } finally {
      pool.shutdownNow();
    }
  }
}
