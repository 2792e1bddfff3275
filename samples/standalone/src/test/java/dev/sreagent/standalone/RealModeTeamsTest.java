package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.chatops.TeamsChatOps;
import dev.sreagent.testkit.teams.TeamsEmulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} with {@code chatops.teams.*}: checked at start, and wired from the secret to the messaging endpoint. */
class RealModeTeamsTest {
  static final String APP = "6f1c2b3a-1111-4222-8333-444455556666";
  static final String TENANT = "0a1b2c3d-aaaa-4bbb-8ccc-ddddeeeeffff";
  static final String ALICE = "11111111-2222-4333-8444-555555555555";
  static final String CHANNEL = "19:incidents@thread.tacv2";
  static final Map<String, String> ENV = Map.of("TEAMS_APP_PASSWORD", "run~client~secret");

  private static int run(Path dir, String... lines) throws Exception {
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, String.join("\n", lines) + "\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = RealMode.run(List.of("--config", conf.toString(), "--otlp", "127.0.0.1:0", "--audit",
        dir.resolve("audit.jsonl").toString()), ps, ps, new CountDownLatch(0), ENV::get);
    Files.writeString(dir.resolve("out.txt"), out.toString(StandardCharsets.UTF_8));
    return status;
  }

  /** The bot's first reply that contains {@code words}, waited for. */
  private static String reply(TeamsEmulator teams, String words) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (TeamsEmulator.Message m : teams.messages()) {
        if (m.replyToId() != null && m.text().contains(words)) {
          return m.text();
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no reply saying '" + words + "' in " + teams.messages());
  }

  @Test
  void aMisconfiguredTeamsStopsTheStartNamingEveryProblem(@TempDir Path dir) throws Exception {
    assertThat(run(dir, "phase = assist", "chatops.teams.app-id = sre-agent", "chatops.teams.tenant = " + TENANT,
        "chatops.teams.app-password-env = TEAMS_APP_PASSWORD", "chatops.teams.conversation = Incidents",
        "chatops.teams.approvers = " + ALICE + ":admin")).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("out.txt"))).contains("the Teams approvals are misconfigured",
        "chatops.teams.app-id must be the bot's Microsoft App ID", "chatops.teams.conversation must be the channel's"
            + " conversation ID", "chatops.teams.listen is missing", "the role 'admin', which the agent does not"
            + " accept as an approver (it accepts [oncall, sre])");
  }

  @Test
  void slackAndTeamsAtOnceOrAnUnknownChatopsKeyStopTheStart(@TempDir Path dir) throws Exception {
    assertThat(run(dir, "chatops.slack.channel = C0INC", "chatops.teams.conversation = " + CHANNEL,
        "chatops.mattermost.url = https://chat.example.com")).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("out.txt"))).contains("chatops.slack.* and chatops.teams.* are both set",
        "unknown key 'chatops.mattermost.url'");
  }

  @Test
  void theRunPostsWithTheAppsTokenAndAnswersOnlySignedActivities(@TempDir Path dir) throws Exception {
    try (TeamsEmulator teams = TeamsEmulator.start(APP, "run~client~secret", TENANT)) {
      teams.addConversation(CHANNEL, true);
      Path conf = dir.resolve("run.conf");
      Files.writeString(conf, String.join("\n", "phase = assist", "chatops.teams.app-id = " + APP,
          "chatops.teams.tenant = " + TENANT, "chatops.teams.app-password-env = TEAMS_APP_PASSWORD",
          "chatops.teams.conversation = " + CHANNEL, "chatops.teams.approvers = " + ALICE + ":sre",
          "chatops.teams.service-url = " + teams.serviceUrl(), "chatops.teams.token-url = " + teams.tokenUrl(),
          "chatops.teams.openid-url = " + teams.openIdUrl(), "chatops.teams.listen = 127.0.0.1:0", ""));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
      CountDownLatch stop = new CountDownLatch(1);
      int[] status = {-1};
      Thread t = new Thread(() -> status[0] = RealMode.run(List.of("--config", conf.toString(), "--otlp",
          "127.0.0.1:0", "--admin", "127.0.0.1:0", "--audit", dir.resolve("audit.jsonl").toString()), ps, ps, stop,
          ENV::get));
      t.start();
      try {
        int port = AdminServerTest.port(out, "activities on http://127\\.0\\.0\\.1:(\\d+)/api/messages");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("approvals in Teams conversation " + CHANNEL
            + " via " + teams.serviceUrl() + " (1 approvers)").doesNotContain("run~client~secret");
        teams.setBotEndpoint(URI.create("http://127.0.0.1:" + port + TeamsChatOps.MESSAGES_PATH));
        ObjectNode click = new ObjectMapper().createObjectNode().put("type", "invoke")
            .put("name", "adaptiveCard/action").put("id", "f:1").put("channelId", "msteams")
            .put("serviceUrl", teams.serviceUrl()).put("replyToId", "1700000000000");
        click.putObject("from").put("id", "29:alice").put("name", "Alice").put("aadObjectId", ALICE);
        click.putObject("conversation").put("id", CHANNEL).put("tenantId", TENANT);
        click.putObject("channelData").putObject("tenant").put("id", TENANT);
        click.putObject("value").putObject("action").put("type", "Action.Execute")
            .put("verb", TeamsChatOps.VERB_APPROVE).putObject("data").put("incident", "INC-0042").put("plan", "ab");
        assertThat(teams.send(click, null).status()).isEqualTo(401);
        TeamsEmulator.Response answer = teams.send(click, "Bearer " + teams.defaultClaimsJwt());
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("value").asText()).contains("INC-0042 is not waiting for an approval");
        int admin = AdminServerTest.port(out, "admin on http://127\\.0\\.0\\.1:(\\d+)");
        String metrics = AdminServerTest.get(admin, "/metrics").body();
        assertThat(metrics).contains("# TYPE sreagent_teams_total counter",
            "sreagent_teams_total{counter=\"refused.unsigned\"} 1", "sreagent_teams_total{counter=\"failed\"} 0",
            "sreagent_teams_total{counter=\"refused.not-pending\"} 1").doesNotContain("sreagent_slack_total");
        // @sre-agent stop|status|resume on the run's kill switch, answered in the message's thread
        assertThat(teams.say(CHANNEL, ALICE, "Alice", "stop db failover").status()).isEqualTo(200);
        assertThat(reply(teams, "engaged the kill switch")).contains("Alice engaged the kill switch of sre-agent",
            "Reason: db failover");
        assertThat(AdminServerTest.get(admin, "/metrics").body()).contains("sreagent_kill_switch_engaged 1");
        teams.say(CHANNEL, ALICE, "Alice", "status");
        assertThat(reply(teams, "Waiting for approval")).contains("Kill switch: engaged (stopped from Teams by teams:"
            + ALICE + " (Alice): db failover).", "Incidents open: 0.").doesNotContain("*", "`");
        teams.say(CHANNEL, ALICE, "Alice", "resume failover done");
        assertThat(reply(teams, "released the kill switch")).contains("It was: stopped from Teams");
        assertThat(AdminServerTest.get(admin, "/metrics").body()).contains("sreagent_kill_switch_engaged 0");
      } finally {
        stop.countDown();
        t.join(30_000);
      }
      assertThat(status[0]).isZero();
    }
  }
}
