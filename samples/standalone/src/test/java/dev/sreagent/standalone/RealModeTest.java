package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealModeTest {
  @Test
  void listensForOtlpAndStopsCleanlyWithTheAuditLogIntact(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    CountDownLatch stop = new CountDownLatch(1);
    Path audit = dir.resolve("audit.jsonl");
    int[] status = {-1};
    Thread t = new Thread(() -> status[0] = RealMode.run(List.of("--otlp", "127.0.0.1:0", "--audit",
        audit.toString()), ps, ps, stop));
    t.start();
    Pattern p = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
    Matcher m = p.matcher("");
    for (int i = 0; i < 200 && !m.find(); i++) {
      Thread.sleep(25);
      m = p.matcher(out.toString(StandardCharsets.UTF_8));
    }
    int port = Integer.parseInt(m.group(1));
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/v1/metrics")).header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[0])).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    stop.countDown();
    t.join(10_000);
    assertThat(status[0]).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("phase OBSERVE").contains("stopped");
    assertThat(dev.sreagent.core.audit.HashChainedAuditLog.open(audit).verify().intact()).isTrue();
  }

  @Test
  void badOptionsExitTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(RealMode.run(List.of("--otlp", "nonsense"), ps, ps, new CountDownLatch(0))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--otlp must be HOST:PORT");
  }

  @Test
  void aConfigFileIsCheckedWithEveryProblemAndItsLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("run.conf");
    java.nio.file.Files.writeString(file, String.join("\n",
        "# sre-agent run",
        "otlp.listen = 127.0.0.1:0",
        "phase = sometimes",
        "phase.oom-kill = assist",
        "prometheus.interval = soon",
        "otlp.max-series = 5",
        "my.plugin.token = abc",
        "not a setting"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(RealMode.run(List.of("--config", file.toString()), ps, ps, new CountDownLatch(0))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(file + ":3: phase must be observe, assist or autonomous, but was 'sometimes'")
        .contains(file + ":5: prometheus.interval must be a positive duration")
        .contains(file + ":6: unknown key 'otlp.max-series'")
        .contains(file + ":8: expected 'key = value', got 'not a setting'")
        .doesNotContain(":4:").doesNotContain(":7:");
  }

  @Test
  void aValidConfigFileSetsThePhaseAndTheCommandLineOverridesIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("run.conf");
    java.nio.file.Files.writeString(file, "otlp.listen = 127.0.0.1:0\nphase = assist  # approvals first\n"
        + "audit.file = " + dir.resolve("a.jsonl") + "\n");
    RunConfig c = RunConfig.read(file);
    assertThat(c.phase).isEqualTo(dev.sreagent.api.model.Phase.ASSIST);
    assertThat(c.otlpPort).isZero();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(RealMode.run(List.of("--config", file.toString(), "--phase", "observe"), ps, ps,
        new CountDownLatch(0))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("phase OBSERVE").contains("stopped");
  }
}
