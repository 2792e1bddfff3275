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
    long deadline = System.nanoTime() + 60_000_000_000L;  // a loaded machine starts the agent slowly
    boolean found = m.find();
    while (!found && System.nanoTime() < deadline) {
      Thread.sleep(25);
      m = p.matcher(out.toString(StandardCharsets.UTF_8));
      found = m.find();
    }
    assertThat(found).as("the listening line within 60 s: " + out).isTrue();
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

  @Test
  void eachTopologyOptionIsOneFileTakenWholeAndABadOneIsNamedOnceWithItsFix(@TempDir Path dir) throws Exception {
    // a comma and spaces in a file's name belong to it (only topology.file's value is a list)
    Path graph = dir.resolve("graph, v2.csv");
    java.nio.file.Files.writeString(graph, "src,dst\nfrontend,cart\n");
    Path comments = dir.resolve("only comments.csv");
    java.nio.file.Files.writeString(comments, "# nothing yet\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(runOnce(List.of("--otlp", "nonsense", "--topology", graph.toString(), "--topology",
        comments.toString(), "--topology", graph.toString()), err)).isEqualTo(2);
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("must end in .csv").contains(comments + ": empty; a topology CSV needs the header");
    assertThat(text.split(Pattern.quote(comments.toString()), -1)).as(text).hasSize(2);

    // the same edge in two files (a case graph and the extra edges) is one edge
    Path more = dir.resolve("more.csv");
    java.nio.file.Files.writeString(more, "# extra\nsrc,dst\nfrontend,cart\ncart,redis\n");
    RunConfig c = new RunConfig();
    c.setTopologyFiles(List.of(graph.toString(), more.toString()));
    assertThat(c.topology.edges()).hasSize(2);
  }

  private static int runOnce(List<String> args, ByteArrayOutputStream out) {
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    return RealMode.run(args, ps, ps, new CountDownLatch(0));
  }

  @Test
  void aKeyFileInTheConfigKeysTheAuditLog(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("audit.key");
    java.nio.file.Files.writeString(key, "cmVhbC1tb2RlLXRlc3Qta2V5LW9mLTMyLWJ5dGVzLg==\n");
    Path audit = dir.resolve("audit.jsonl");
    Path file = dir.resolve("run.conf");
    java.nio.file.Files.writeString(file, "otlp.listen = 127.0.0.1:0\naudit.file = " + audit + "\naudit.key-file = "
        + key + "\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(runOnce(List.of("--config", file.toString()), out)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("(keyed)");
    assertThat(java.nio.file.Files.readAllLines(audit)).isNotEmpty()
        .allSatisfy(l -> assertThat(l).contains("\"alg\":\"hmac-sha256\""));
    ByteArrayOutputStream unkeyed = new ByteArrayOutputStream();
    assertThat(runOnce(List.of("--otlp", "127.0.0.1:0", "--audit", audit.toString()), unkeyed)).isEqualTo(2);
    assertThat(unkeyed.toString(StandardCharsets.UTF_8)).contains("cannot start: audit log " + audit)
        .contains("the log is keyed");
  }

  @Test
  void anUncoveredAuditTailIsRefusedUntilAcceptedOnTheCommandLine(@TempDir Path dir) throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    Path head = dir.resolve("audit.jsonl.head");
    assertThat(runOnce(List.of("--otlp", "127.0.0.1:0", "--audit", audit.toString()), new ByteArrayOutputStream()))
        .isZero();
    java.nio.file.Files.delete(head);
    ByteArrayOutputStream refused = new ByteArrayOutputStream();
    assertThat(runOnce(List.of("--otlp", "127.0.0.1:0", "--audit", audit.toString()), refused)).isEqualTo(2);
    assertThat(refused.toString(StandardCharsets.UTF_8)).contains("cannot start: audit log " + audit)
        .contains("the head file is missing").contains("record 1 agent.started").contains("--accept-audit-tail");

    ByteArrayOutputStream accepted = new ByteArrayOutputStream();
    assertThat(runOnce(List.of("--otlp", "127.0.0.1:0", "--audit", audit.toString(), "--accept-audit-tail",
        "head deleted by the backup job, INC-42"), accepted)).isZero();
    var records = dev.sreagent.core.audit.HashChainedAuditLog.open(audit).records();
    assertThat(records).anySatisfy(r -> {
      assertThat(r.entry().type()).isEqualTo("audit.tail-accepted");
      assertThat(r.entry().actor()).isEqualTo(System.getProperty("user.name"));
      assertThat(r.entry().data()).containsEntry("reason", "head deleted by the backup job, INC-42");
    });
  }

  @Test
  void auditKeySettingsAreCheckedWithoutEchoingAKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("run.conf");
    java.nio.file.Files.writeString(file, String.join("\n",
        "audit.key-env = c2VjcmV0IGtleSBtYXRlcmlhbCBvZiAzMiBieXRlcyE=",
        "audit.key-file = /etc/sre-agent/audit.key",
        "audit.key-env = SRE_AGENT_AUDIT_KEY"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(runOnce(List.of("--config", file.toString()), err)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(file + ":1: audit.key-env must name an environment variable such as SRE_AGENT_AUDIT_KEY")
        .contains(file + ":3: audit.key-env cannot be combined with audit.key-file /etc/sre-agent/audit.key")
        .doesNotContain("c2VjcmV0");
    ByteArrayOutputStream missing = new ByteArrayOutputStream();
    assertThat(runOnce(List.of("--otlp", "127.0.0.1:0", "--audit", dir.resolve("a.jsonl").toString(),
        "--accept-audit-tail"), missing)).isEqualTo(2);
    assertThat(missing.toString(StandardCharsets.UTF_8)).contains("--accept-audit-tail needs a REASON");
  }
}
