package dev.sreagent.chatops;

import static dev.sreagent.chatops.ChatTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.testkit.contract.ApprovalChannelContract;
import dev.sreagent.testkit.slack.SlackEmulator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The adapter on its own against the emulator: what happens to a message over an incident's life. */
class SlackMessageLifecycleTest {
  static final String SECRET = "lifecycle-secret";
  private SlackEmulator slack;
  private SlackChatOps chatOps;
  private SlackInteractionServer server;
  private URI callbacks;
  private final MovableClock wall = new MovableClock(Instant.now());

  @BeforeEach
  void start() throws Exception {
    slack = new SlackEmulator("xoxb-l", SECRET, "T0L", "C0L");
    ApprovalRequest r = ApprovalChannelContract.request();
    chatOps = SlackChatOps.builder().setChannel("C0L").setToken("xoxb-l").setSigningSecret(SECRET)
        .setApiUrl(slack.apiUrl()).addApprover("U0A", "sre").setAgentClock(r::requestedAt).setWallClock(wall).build();
    server = new SlackInteractionServer(chatOps, "127.0.0.1", 0);
    callbacks = URI.create("http://127.0.0.1:" + server.port() + SlackChatOps.INTERACTIONS_PATH);
  }

  @AfterEach
  void stop() {
    server.close();
    chatOps.close();
    slack.close();
  }

  private SlackEmulator.Message top(int i) throws InterruptedException {
    await("message " + i, () -> slack.channelMessages("C0L").size() > i);
    return slack.channelMessages("C0L").get(i);
  }

  @Test
  void aReplacedPlansMessageLosesItsButtonsAndItsClickDecidesNothing() throws Exception {
    ApprovalRequest first = ApprovalChannelContract.request();
    chatOps.request(first);
    SlackEmulator.Message old = top(0);
    RemediationPlan other = new RemediationPlan("INC-0001", List.of(new Action.RenewCertificate("payments",
        "payments-edge")), "renew the edge certificate");
    chatOps.request(new ApprovalRequest(first.incident(), other, other.hash(), first.decision(), first.requestedAt(),
        first.expiresAt()));
    SlackEmulator.Message second = top(1);
    await("the old message closed", () -> !slack.message(old.ts()).orElseThrow().hasButton(SlackChatOps.ACTION_APPROVE));
    assertThat(slack.message(old.ts()).orElseThrow().shown()).contains("Replaced by plan `" + other.hash()
        .substring(0, 12) + "`");
    assertThat(second.hasButton(SlackChatOps.ACTION_APPROVE)).isTrue();
    // a client still showing the old message's buttons
    assertThat(slack.click(callbacks, old, SlackChatOps.ACTION_APPROVE, "U0A", "a").status()).isEqualTo(200);
    await("told", () -> !slack.ephemeral("U0A").isEmpty());
    assertThat(slack.ephemeral("U0A").get(0).text()).contains("replaced by a newer one");
    assertThat(chatOps.poll()).isEmpty();
    wall.move(Duration.ofSeconds(11));  // past the one-note-per-user gap
    assertThat(slack.click(callbacks, second, SlackChatOps.ACTION_APPROVE, "U0A", "a").status()).isEqualTo(200);
    assertThat(chatOps.poll()).singleElement().satisfies(d -> assertThat(d.planHash()).isEqualTo(other.hash()));
  }

  @Test
  void aRollBackClosesTheMessageAndLaterEventsStayInItsThread() throws Exception {
    ApprovalRequest r = ApprovalChannelContract.request();
    chatOps.request(r);
    SlackEmulator.Message m = top(0);
    var inc = r.incident();
    chatOps.notify(new IncidentEvent(r.requestedAt(), IncidentEvent.Kind.ROLLED_BACK, inc,
        "verification failed: p99 still 4x; rolled back"));
    chatOps.notify(new IncidentEvent(r.requestedAt(), IncidentEvent.Kind.ESCALATED, ended(inc, IncidentOutcome.ESCALATED), "escalated after the roll-back"));
    await("closed", () -> slack.message(m.ts()).orElseThrow().shown().contains("*Escalated*"));
    assertThat(slack.message(m.ts()).orElseThrow().shown()).contains("*Rolled back*: `verification failed");
    assertThat(slack.message(m.ts()).orElseThrow().hasButton(SlackChatOps.ACTION_APPROVE)).isFalse();
    await("thread", () -> slack.thread(m).size() == 2);
    assertThat(slack.channelMessages("C0L")).as("no note of its own beside the thread").hasSize(1);
  }

  @Test
  void escalationsWithoutAMessageArePostedOnceButShadowRunsAreNot() throws Exception {
    var inc = ApprovalChannelContract.request().incident();
    Instant at = inc.openedAt();
    chatOps.notify(new IncidentEvent(at, IncidentEvent.Kind.ESCALATED, ended(inc, IncidentOutcome.OBSERVED), "observed: would have renewed the certificate"));
    chatOps.notify(new IncidentEvent(at, IncidentEvent.Kind.ESCALATED, ended(inc, IncidentOutcome.DENIED), "denied by change-freeze"));
    SlackEmulator.Message note = top(0);
    assertThat(note.text()).contains("ESCALATED INC-0001", "denied by change-freeze");
    Thread.sleep(300);
    assertThat(slack.channelMessages("C0L")).hasSize(1);
  }

  @Test
  void theReplayMemoryRefusesWhenFullRatherThanForget() throws Exception {
    for (int i = 0; i < 10_000; i++) {
      byte[] body = ("payload=%7B%22type%22%3A%22view_closed%22%2C%22n%22%3A" + i + "%7D")
          .getBytes(StandardCharsets.UTF_8);
      String ts = Long.toString(wall.instant().getEpochSecond());
      assertThat(chatOps.handleInteraction(ts, SlackEmulator.sign(SECRET, ts, body), body).status()).isEqualTo(200);
    }
    byte[] body = "payload=%7B%22type%22%3A%22view_closed%22%7D".getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(wall.instant().getEpochSecond());
    String sig = SlackEmulator.sign(SECRET, ts, body);
    assertThat(chatOps.handleInteraction(ts, sig, body).status()).isEqualTo(503);
    assertThat(chatOps.handleInteraction(ts, SlackEmulator.sign(SECRET, ts, fresh(0)), fresh(0)).status())
        .as("the first of the 10,000, replayed, is still known").isEqualTo(401);
    wall.move(Duration.ofMinutes(11));
    String later = Long.toString(wall.instant().getEpochSecond());
    assertThat(chatOps.handleInteraction(later, SlackEmulator.sign(SECRET, later, body), body).status())
        .as("once the window has passed, the memory is free again").isEqualTo(200);
    assertThat(chatOps.counters()).containsEntry("refused.busy", 1L).containsEntry("refused.replayed", 1L);
  }

  private static dev.sreagent.api.model.Incident ended(dev.sreagent.api.model.Incident i, IncidentOutcome o) {
    return new dev.sreagent.api.model.Incident(i.id(), i.type(), i.severity(), IncidentState.ESCALATED,
        i.rootService(), i.affectedServices(), i.anomalies(), i.openedAt(), i.updatedAt(), i.evidence(),
        i.diagnosis(), i.plan(), o, "test", i.candidates());
  }

  private static byte[] fresh(int i) {
    return ("payload=%7B%22type%22%3A%22view_closed%22%2C%22n%22%3A" + i + "%7D").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aBuilderRefusesApproversTheAgentWouldRefuse() {
    assertThatThrownBy(() -> SlackChatOps.builder().setChannel("C0L").setToken("x").setSigningSecret("y")
        .addApprover("U0A", "admin").setAcceptedRoles(Set.of("sre", "oncall")).build())
        .hasMessageContaining("approvers {U0A=admin} have roles the agent does not accept");
  }

  /** A wall clock the test moves. */
  static final class MovableClock extends java.time.Clock {
    private volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void move(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
