package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.chatops.SlackChatOps;
import dev.sreagent.testkit.slack.SlackEmulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} with {@code chatops.slack.*}: checked at start, and wired from the secrets to the click listener. */
class RealModeSlackTest {
  static final Map<String, String> ENV = Map.of("SLACK_BOT_TOKEN", "xoxb-run", "SLACK_SIGNING_SECRET",
      "run-signing-secret");

  @Test
  void aMisconfiguredSlackStopsTheStartNamingEveryProblem(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, String.join("\n", "phase = assist", "chatops.slack.channel = #incidents",
        "chatops.slack.token-env = SLACK_BOT_TOKEN", "chatops.slack.signing-secret-env = SLACK_SIGNING_SECRET",
        "chatops.slack.approvers = U0ALICE:admin", ""));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(RealMode.run(List.of("--config", conf.toString(), "--otlp", "127.0.0.1:0", "--audit",
        dir.resolve("audit.jsonl").toString()), ps, ps, new CountDownLatch(0), ENV::get)).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("the Slack approvals are misconfigured",
        "chatops.slack.channel is missing", "'#incidents' is no value", "chatops.slack.listen is missing",
        "gives U0ALICE the role 'admin', which the agent does not accept as an approver (it accepts [oncall, sre])");
  }

  @Test
  void theRunPostsThroughTheTokenAndAnswersOnlySignedClicks(@TempDir Path dir) throws Exception {
    try (SlackEmulator slack = new SlackEmulator("xoxb-run", "run-signing-secret", "T0RUN", "C0INC")) {
      Path conf = dir.resolve("run.conf");
      Files.writeString(conf, String.join("\n", "phase = assist", "chatops.slack.channel = C0INC",
          "chatops.slack.token-env = SLACK_BOT_TOKEN", "chatops.slack.signing-secret-env = SLACK_SIGNING_SECRET",
          "chatops.slack.approvers = U0ALICE:sre", "chatops.slack.api-url = " + slack.apiUrl(),
          "chatops.slack.listen = 127.0.0.1:0", ""));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
      CountDownLatch stop = new CountDownLatch(1);
      int[] status = {-1};
      Thread t = new Thread(() -> status[0] = RealMode.run(List.of("--config", conf.toString(), "--otlp",
          "127.0.0.1:0", "--admin", "127.0.0.1:0", "--audit", dir.resolve("audit.jsonl").toString()), ps, ps, stop,
          ENV::get));
      t.start();
      try {
        int port = AdminServerTest.port(out, "clicks on http://127\\.0\\.0\\.1:(\\d+)/slack/interactions");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("approvals in Slack channel C0INC via "
            + slack.apiUrl() + " (1 approvers)");
        URI callbacks = URI.create("http://127.0.0.1:" + port + SlackChatOps.INTERACTIONS_PATH);
        String payload = "{\"type\":\"block_actions\",\"team\":{\"id\":\"T0RUN\"},\"user\":{\"id\":\"U0ALICE\","
            + "\"username\":\"alice\"},\"channel\":{\"id\":\"C0INC\"},\"actions\":[{\"action_id\":\""
            + SlackChatOps.ACTION_APPROVE + "\",\"value\":\"{\\\"incident\\\":\\\"INC-0042\\\",\\\"plan\\\":\\\"ab\\\"}\"}]}";
        byte[] body = ("payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        assertThat(slack.post(callbacks, body, Instant.now(), "v0=00").status()).isEqualTo(401);
        assertThat(slack.post(callbacks, body, Instant.now(), null).status()).isEqualTo(200);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (slack.ephemeral("U0ALICE").isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(slack.ephemeral("U0ALICE")).as("told through the bot token").singleElement().satisfies(m ->
            assertThat(m.text()).contains("INC-0042 is not waiting for an approval"));
        int admin = AdminServerTest.port(out, "admin on http://127\\.0\\.0\\.1:(\\d+)");
        String metrics = scrape(admin);
        assertThat(metrics).contains("# TYPE sreagent_slack_total counter",
            "sreagent_slack_total{counter=\"refused.signature\"} 1", "sreagent_slack_total{counter=\"failed\"} 0",
            "sreagent_slack_total{counter=\"refused.not-pending\"} 1");
        // the slash command on the run's kill switch
        URI commands = URI.create("http://127.0.0.1:" + port + SlackChatOps.COMMANDS_PATH);
        assertThat(slack.command(commands, "C0INC", "U0ALICE", "alice", "stop db failover").body())
            .contains("in_channel", "engaged the kill switch");
        assertThat(slack.command(commands, "C0INC", "U0ALICE", "alice", "status").body()).contains(
            "*sre-agent*", "Kill switch: *engaged* (`stopped from Slack by slack:U0ALICE (alice): db failover`)",
            "Waiting for approval: nothing", "Incidents open: 0.");
        assertThat(scrape(admin)).contains("sreagent_kill_switch_engaged 1");
        assertThat(slack.command(commands, "C0INC", "U0ALICE", "alice", "resume").body()).contains("Say why");
        assertThat(slack.command(commands, "C0INC", "U0ALICE", "alice", "resume failover done").body())
            .contains("released the kill switch of *sre-agent*", "It was: `stopped from Slack by");
        assertThat(scrape(admin)).contains("sreagent_kill_switch_engaged 0");
        assertThat(slack.command(commands, "C0INC", "U0ALICE", "alice", "resume again").body())
            .contains("is not engaged: nothing to release");
        if (Files.isExecutable(Path.of("/usr/bin/promtool"))) {  // .ci/run installs it
          Process check = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true).start();
          check.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
          check.getOutputStream().close();
          String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          assertThat(check.waitFor()).as("promtool check metrics: " + said).isZero();
          assertThat(said).as("no lint finding").isBlank();
        }
      } finally {
        stop.countDown();
        t.join(30_000);
      }
      assertThat(status[0]).isZero();
    }
  }

  private static String scrape(int admin) throws Exception {
    return AdminServerTest.get(admin, "/metrics").body();
  }
}
