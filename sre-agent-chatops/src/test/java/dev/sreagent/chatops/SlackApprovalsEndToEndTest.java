package dev.sreagent.chatops;

import static dev.sreagent.chatops.ChatTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.slack.SlackEmulator;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent in ASSIST on the simulated shop, its approvals in Slack (the testkit's emulator), the clicks coming back
 * through the interaction endpoint over HTTP: what an approver sees, what a click does, and what every click that
 * must not decide anything does instead.
 */
class SlackApprovalsEndToEndTest {
  static final String TOKEN = "xoxb-emulated-token";
  static final String SECRET = "emulated-signing-secret-0123456789";
  static final String TEAM = "T0SHOP";
  static final String CHANNEL = "C0INCIDENTS";
  static final String ALICE = "U0ALICE";
  static final String BOB = "U0BOB";
  static final String EVE = "U0EVE";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<AutoCloseable> open = new ArrayList<>();
  private SlackEmulator slack;
  private SlackChatOps chatOps;
  private URI callbacks;
  private SimulationHarness h;

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** An ASSIST run whose certificate renewal waits in Slack; nobody else answers. */
  private void waitingInSlack(Consumer<SlackChatOps.Builder> tweak) throws Exception {
    waitingInSlack(tweak, s -> {});
  }

  /** The same, {@code before} applied to the emulator before the fault (a rate limit, an outage). */
  private void waitingInSlack(Consumer<SlackChatOps.Builder> tweak, Consumer<SlackEmulator> before)
      throws Exception {
    slack = new SlackEmulator(TOKEN, SECRET, TEAM, CHANNEL);
    open.add(slack);
    AtomicReference<SimulationHarness> harness = new AtomicReference<>();
    SlackChatOps.Builder b = SlackChatOps.builder().setChannel(CHANNEL).setToken(TOKEN).setSigningSecret(SECRET)
        .setApiUrl(slack.apiUrl()).setTeam(TEAM).addApprover(ALICE, "sre").addApprover(BOB, "sre")
        .setRetries(4, Duration.ofMillis(50)).setAgentClock(() -> harness.get().clock().now());
    tweak.accept(b);
    chatOps = b.build();
    open.add(chatOps);
    SlackInteractionServer server = new SlackInteractionServer(chatOps, "127.0.0.1", 0);
    open.add(server);
    callbacks = URI.create("http://127.0.0.1:" + server.port() + SlackChatOps.INTERACTIONS_PATH);
    h = SimulationHarness.builder().setPhase(Phase.ASSIST).setOnCallResponse(null)
        .setAgentCustomizer(ab -> ab.setApprovalChannel(chatOps).addNotifier(chatOps)).build();
    harness.set(h);
    open.add(h);
    h.runFor(Duration.ofMinutes(30));
    before.accept(slack);
    h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
    h.runFor(Duration.ofMinutes(3));
    assertThat(h.agent().pendingApprovals()).hasSize(1);
  }

  private SlackEmulator.Message request() {
    await("the approval request in the channel", () -> !slack.channelMessages(CHANNEL).isEmpty());
    return slack.channelMessages(CHANNEL).get(0);
  }

  private SlackEmulator.Message now(SlackEmulator.Message m) {
    return slack.message(m.ts()).orElseThrow();
  }

  private IncidentState state() {
    return h.agent().incidents().get(0).state();
  }

  @Test
  void anApprovalInSlackRenewsTheCertificateAndTheMessageTellsTheStory() throws Exception {
    waitingInSlack(b -> {});
    SlackEmulator.Message req = request();
    assertThat(req.shown()).contains("Approval needed: INC-0001 certificate-expiry", "payments",
        "renew-certificate", "Safety gate:* NEEDS_APPROVAL in ASSIST", "never approves itself");
    assertThat(req.hasButton(SlackChatOps.ACTION_APPROVE)).isTrue();
    assertThat(req.hasButton(SlackChatOps.ACTION_REJECT)).isTrue();

    assertThat(slack.click(callbacks, req, SlackChatOps.ACTION_APPROVE, ALICE, "alice").status()).isEqualTo(200);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).isEqualTo(IncidentState.RESOLVED);
    assertThat(h.agent().auditLog().records()).anySatisfy(r -> {
      assertThat(r.entry().type()).isEqualTo("approval.granted");
      assertThat(r.entry().actor()).isEqualTo("slack:U0ALICE (alice)");
    });

    await("the message closed with the outcome", () -> now(req).shown().contains("*Resolved*"));
    SlackEmulator.Message closed = now(req);
    assertThat(closed.hasButton(SlackChatOps.ACTION_APPROVE)).as("no button left to click").isFalse();
    assertThat(closed.shown()).contains("<@U0ALICE> (`sre`) clicked *Approve*",
        "*Approved*: `approved by slack:U0ALICE (alice) (sre); re-checked: EXECUTE`");
    await("the thread", () -> slack.thread(req).stream().anyMatch(m -> m.text().startsWith("RESOLVED")));
    assertThat(slack.thread(req)).extracting(m -> m.text().split(" ")[0]).contains("APPROVED", "ACTION_EXECUTED",
        "RESOLVED");
  }

  @Test
  void aRejectionInSlackRunsNothingAndEscalates() throws Exception {
    waitingInSlack(b -> {});
    SlackEmulator.Message req = request();
    assertThat(slack.click(callbacks, req, SlackChatOps.ACTION_REJECT, BOB, "bob").status()).isEqualTo(200);
    h.runFor(Duration.ofMinutes(1));
    assertThat(state()).isEqualTo(IncidentState.ESCALATED);
    assertThat(h.events(AuditEvent.ActionCompleted.class)).as("nothing ran").isEmpty();
    await("the message closed", () -> now(req).shown().contains("*Escalated*"));
    assertThat(now(req).shown()).contains("<@U0BOB> (`sre`) clicked *Reject*", "plan rejected by slack:U0BOB (bob)");
    assertThat(now(req).hasButton(SlackChatOps.ACTION_APPROVE)).isFalse();
  }

  @Test
  void forgedStaleTamperedReplayedForeignAndUnauthorisedClicksDecideNothing() throws Exception {
    waitingInSlack(b -> {});
    SlackEmulator.Message req = request();
    var approve = req.button(SlackChatOps.ACTION_APPROVE).orElseThrow();
    byte[] body = slack.blockActions(req, approve, ALICE, "alice");
    Instant t = Instant.now();

    // signed with another secret
    String forged = SlackEmulator.sign("not-the-secret", Long.toString(t.getEpochSecond()), body);
    assertThat(slack.post(callbacks, body, t, forged).status()).isEqualTo(401);
    // a real signature, six minutes old or six minutes ahead
    assertThat(slack.post(callbacks, body, t.minusSeconds(360), null).status()).isEqualTo(401);
    assertThat(slack.post(callbacks, body, t.plusSeconds(360), null).status()).isEqualTo(401);
    // Eve's click, its body changed to say Alice after it was signed
    byte[] eves = slack.blockActions(req, approve, EVE, "eve");
    String ts = Long.toString(t.getEpochSecond());
    String evesSignature = SlackEmulator.sign(SECRET, ts, eves);
    byte[] asAlice = new String(eves, StandardCharsets.UTF_8).replace(EVE, ALICE).getBytes(StandardCharsets.UTF_8);
    assertThat(slack.send(callbacks, asAlice, ts, evesSignature).status()).isEqualTo(401);
    // Eve's own click, correctly signed: she is no approver
    assertThat(slack.send(callbacks, eves, ts, evesSignature).status()).isEqualTo(200);
    await("Eve is told", () -> !slack.ephemeral(EVE).isEmpty());
    assertThat(slack.ephemeral(EVE).get(0).text()).contains("not an approver");
    // the same signed click again (a replay, even of a refused one)
    assertThat(slack.send(callbacks, eves, ts, evesSignature).status()).isEqualTo(401);
    // Alice's click from another workspace
    assertThat(slack.post(callbacks, edited(body, p -> p.withObject("team").put("id", "T0OTHER")), t, null).status())
        .isEqualTo(403);
    // Alice's click on a button for another plan (an older message's)
    assertThat(slack.post(callbacks, edited(body, p -> ((ObjectNode) p.withArray("actions").get(0)).put("value",
        "{\"incident\":\"INC-0001\",\"plan\":\"0123456789abcdef\"}")), t, null).status()).isEqualTo(200);
    await("Alice is told", () -> !slack.ephemeral(ALICE).isEmpty());
    assertThat(slack.ephemeral(ALICE).get(0).text()).contains("replaced by a newer one");
    // junk
    assertThat(slack.post(callbacks, "payload=%7Bnot+json".getBytes(StandardCharsets.UTF_8), t, null).status())
        .isEqualTo(400);
    assertThat(slack.post(callbacks, new byte[SlackChatOps.MAX_BODY_BYTES + 1], t, null).status()).isEqualTo(413);

    h.runFor(Duration.ofMinutes(2));
    assertThat(state()).as("nothing was decided").isEqualTo(IncidentState.AWAITING_APPROVAL);
    assertThat(h.agent().auditLog().records()).extracting(r -> r.entry().type()).filteredOn(type -> type.startsWith(
        "approval.")).containsExactly("approval.requested");
    assertThat(chatOps.counters()).containsEntry("refused.signature", 2L).containsEntry("refused.stale", 2L)
        .containsEntry("refused.replayed", 1L).containsEntry("refused.team", 1L)
        .containsEntry("refused.not-approver", 1L).containsEntry("refused.not-pending", 1L)
        .containsEntry("refused.malformed", 1L).containsEntry("refused.body", 1L)
        .containsEntry("accepted.approve", 0L);

    // Alice's real click decides; sent again byte for byte it is a replay
    String aliceTs = Long.toString(Instant.now().getEpochSecond());
    String aliceSignature = SlackEmulator.sign(SECRET, aliceTs, body);
    assertThat(slack.send(callbacks, body, aliceTs, aliceSignature).status()).isEqualTo(200);
    assertThat(slack.send(callbacks, body, aliceTs, aliceSignature).status()).isEqualTo(401);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).isEqualTo(IncidentState.RESOLVED);
    assertThat(h.records("approval.granted")).hasSize(1);
  }

  @Test
  void twoApproversClickingAtOnceMakeOneDecision() throws Exception {
    waitingInSlack(b -> {});
    SlackEmulator.Message req = request();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Callable<SlackEmulator.Answer>> clicks = List.of(
          () -> slack.click(callbacks, req, SlackChatOps.ACTION_APPROVE, ALICE, "alice"),
          () -> slack.click(callbacks, req, SlackChatOps.ACTION_REJECT, BOB, "bob"));
      for (Future<SlackEmulator.Answer> f : pool.invokeAll(clicks)) {
        assertThat(f.get().status()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(chatOps.counters().getOrDefault("accepted.approve", 0L)
        + chatOps.counters().getOrDefault("accepted.reject", 0L)).isEqualTo(1);
    assertThat(chatOps.counters()).containsEntry("refused.not-pending", 1L);
    await("the later one is told", () -> slack.messages().stream().anyMatch(m -> m.ephemeralUser() != null));
    SlackEmulator.Message told = slack.messages().stream().filter(m -> m.ephemeralUser() != null).findFirst()
        .orElseThrow();
    String first = told.ephemeralUser().equals(ALICE) ? BOB : ALICE;
    assertThat(told.text()).as("the first answer's author, as a mention").contains("INC-0001 was answered already,"
        + " by <@" + first + ">");
    h.runFor(Duration.ofMinutes(10));
    assertThat(h.records("approval.granted").size() + h.records("approval.rejected").size()).isEqualTo(1);
    assertThat(h.records("approval.refused")).isEmpty();
  }

  @Test
  void slackRateLimitsAndOutagesAreRiddenOut() throws Exception {
    waitingInSlack(b -> {}, s -> {
      s.rateLimitNext(1);
      s.failNext(2);
    });
    SlackEmulator.Message req = request();
    assertThat(slack.calls()).extracting(SlackEmulator.Call::status).startsWith(429, 503, 503, 200);
    await("counted", () -> chatOps.counters().get("posted.requests") == 1L);
    assertThat(chatOps.counters()).containsEntry("retried", 3L).containsEntry("posted.requests", 1L);
    assertThat(slack.click(callbacks, req, SlackChatOps.ACTION_APPROVE, ALICE, "alice").status()).isEqualTo(200);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).isEqualTo(IncidentState.RESOLVED);
  }

  @Test
  void aRequestThatNeverReachesSlackExpiresAndEscalatesWithoutActing() throws Exception {
    waitingInSlack(b -> b.setToken("xoxb-revoked"));
    await("the refusal", () -> slack.calls().stream().anyMatch(c -> "invalid_auth".equals(c.error())));
    assertThat(slack.calls()).as("not retried: only a new token helps").hasSize(1);
    await("counted", () -> chatOps.counters().containsKey("failed.invalid_auth"));
    h.runFor(Duration.ofMinutes(35));
    assertThat(state()).isEqualTo(IncidentState.ESCALATED);
    assertThat(h.events(AuditEvent.ActionCompleted.class)).isEmpty();
  }

  @Test
  void anExpiredRequestClosesItsMessageAndAClickAfterwardsDecidesNothing() throws Exception {
    waitingInSlack(b -> {});
    SlackEmulator.Message req = request();
    h.runFor(Duration.ofMinutes(31));
    assertThat(state()).isEqualTo(IncidentState.ESCALATED);
    await("the message closed", () -> now(req).shown().contains("*Escalated*"));
    assertThat(now(req).shown()).contains("expired");
    assertThat(now(req).hasButton(SlackChatOps.ACTION_APPROVE)).isFalse();
    // a client that still shows the old buttons
    assertThat(slack.post(callbacks, slack.blockActions(req, req.button(SlackChatOps.ACTION_APPROVE).orElseThrow(),
        ALICE, "alice"), Instant.now(), null).status()).isEqualTo(200);
    await("Alice is told", () -> !slack.ephemeral(ALICE).isEmpty());
    assertThat(slack.ephemeral(ALICE).get(0).text()).contains("INC-0001 is not waiting for an approval any more");
    h.runFor(Duration.ofMinutes(1));
    assertThat(h.events(AuditEvent.ActionCompleted.class)).isEmpty();
    assertThat(h.records("approval.granted")).isEmpty();
  }

  @Test
  void anApprovalGivenElsewhereIsNotContradictedInSlack() throws Exception {
    waitingInSlack(b -> {});
    SlackEmulator.Message req = request();
    var pending = h.agent().pendingApprovals().get(0);
    h.agent().submitApproval(new dev.sreagent.api.model.ApprovalDecision("INC-0001", pending.planHash(), "dashboard",
        "sre", true, h.clock().now(), "on the dashboard"));
    h.runFor(Duration.ofSeconds(15));
    await("the message shows it", () -> now(req).shown().contains("*Approved*"));
    assertThat(slack.click(callbacks, req, SlackChatOps.ACTION_REJECT, BOB, "bob").status()).isEqualTo(200);
    await("Bob is told", () -> !slack.ephemeral(BOB).isEmpty());
    assertThat(slack.ephemeral(BOB).get(0).text()).contains("not waiting for an approval any more");
    assertThat(chatOps.counters()).containsEntry("accepted.reject", 0L);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).isEqualTo(IncidentState.RESOLVED);
    assertThat(now(req).shown()).doesNotContain("clicked *Reject*");
  }

  @Test
  void afterARestartTheOldMessagesButtonsAnswerTheRestoredRequest() throws Exception {
    waitingInSlack(b -> {});
    SlackEmulator.Message req = request();
    // the agent process restarts: a new adapter that never posted this request, attached to the agent's pending list
    SlackChatOps restarted = SlackChatOps.builder().setChannel(CHANNEL).setToken(TOKEN).setSigningSecret(SECRET)
        .setApiUrl(slack.apiUrl()).setTeam(TEAM).addApprover(ALICE, "sre").setAgentClock(() -> h.clock().now())
        .build();
    open.add(restarted);
    SlackInteractionServer server = new SlackInteractionServer(restarted, "127.0.0.1", 0);
    open.add(server);
    URI other = URI.create("http://127.0.0.1:" + server.port() + SlackChatOps.INTERACTIONS_PATH);
    assertThat(slack.click(other, req, SlackChatOps.ACTION_APPROVE, ALICE, "alice").status()).isEqualTo(200);
    await("told, without the agent's list", () -> !slack.ephemeral(ALICE).isEmpty());
    assertThat(restarted.counters()).containsEntry("accepted.approve", 0L);

    restarted.attach(h.agent()::pendingApprovals);
    SlackEmulator.Answer again = slack.click(other, req, SlackChatOps.ACTION_APPROVE, ALICE, "alice");
    assertThat(again.status()).isEqualTo(200);
    assertThat(restarted.counters()).containsEntry("accepted.approve", 1L);
    await("the old message closed by the new adapter", () -> now(req).shown().contains("clicked *Approve*"));
    assertThat(now(req).hasButton(SlackChatOps.ACTION_APPROVE)).isFalse();
    // the restarted agent would poll the new adapter; here the decision is handed over as that poll would
    restarted.poll().forEach(h.agent()::submitApproval);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).isEqualTo(IncidentState.RESOLVED);
  }

  @Test
  void stopFromSlackDeniesEvenAnApprovedPlanAndOnlyApproversMayStopOrResume() throws Exception {
    waitingInSlack(b -> {});
    SlackEmulator.Message req = request();
    chatOps.attachCommands(new HarnessCommands(h));
    URI commands = URI.create(callbacks.toString().replace(SlackChatOps.INTERACTIONS_PATH,
        SlackChatOps.COMMANDS_PATH));
    byte[] eves = slack.commandBody(CHANNEL, EVE, "eve", "stop <!channel> I can");
    assertThat(slack.post(commands, eves, Instant.now(), SlackEmulator.sign("guess", "1", eves)).status())
        .isEqualTo(401);
    SlackEmulator.Answer eve = slack.command(commands, CHANNEL, EVE, "eve", "stop because I can");
    assertThat(eve.status()).isEqualTo(200);
    assertThat(eve.body()).contains("\"response_type\":\"ephemeral\"", "not an approver");
    assertThat(h.agent().killSwitch().engaged()).isFalse();
    assertThat(slack.command(commands, CHANNEL, ALICE, "alice", "stop").body()).as("a reason is required")
        .contains("Say why");
    assertThat(h.agent().killSwitch().engaged()).isFalse();

    SlackEmulator.Answer stop = slack.command(commands, CHANNEL, ALICE, "alice", "stop <!channel> db failover");
    assertThat(stop.body()).contains("\"response_type\":\"in_channel\"", "<@U0ALICE> engaged the kill switch",
        "`&lt;!channel&gt; db failover`").doesNotContain("<!channel>");
    assertThat(h.agent().killSwitch().reason()).isEqualTo("stopped from Slack by slack:U0ALICE (alice): <!channel>"
        + " db failover");
    assertThat(slack.command(commands, CHANNEL, EVE, "eve", "status").body()).as("status is for approvers")
        .contains("not an approver");
    assertThat(slack.command(commands, CHANNEL, BOB, "bob", "status").body()).contains("*shop-agent*",
        "kill switch engaged");
    await("announced in the channel too", () -> slack.channelMessages(CHANNEL).stream().anyMatch(m ->
        m.text().contains("engaged the kill switch of *shop-agent*")));
    assertThat(slack.click(callbacks, req, SlackChatOps.ACTION_APPROVE, BOB, "bob").status()).isEqualTo(200);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).as("approved, then refused at the re-check").isEqualTo(IncidentState.ESCALATED);
    assertThat(h.agent().incidents().get(0).outcome()).isEqualTo(dev.sreagent.api.model.IncidentOutcome
        .REFUSED_AT_RECHECK);
    assertThat(h.events(AuditEvent.ActionCompleted.class)).isEmpty();

    assertThat(slack.command(commands, CHANNEL, EVE, "eve", "resume all good").body()).contains("not an approver");
    assertThat(h.agent().killSwitch().engaged()).isTrue();
    assertThat(slack.command(commands, CHANNEL, BOB, "bob", "resume failover done").body()).contains(
        "released the kill switch of *shop-agent*", "It was: `stopped from Slack by slack:U0ALICE (alice):");
    assertThat(h.agent().killSwitch().engaged()).isFalse();
    // a stop made elsewhere (the incident commander, through the API) is not released by a plain resume
    h.agent().killSwitch().engage("incident commander: freeze during the DB migration");
    assertThat(slack.command(commands, CHANNEL, BOB, "bob", "resume looks fine").body()).contains(
        "engaged elsewhere", "resume --override REASON");
    assertThat(h.agent().killSwitch().engaged()).isTrue();
    assertThat(slack.command(commands, CHANNEL, BOB, "bob", "resume --override migration finished").body())
        .contains("(override)", "It was: `incident commander: freeze during the DB migration`");
    assertThat(h.agent().killSwitch().engaged()).isFalse();
    h.runFor(Duration.ofSeconds(15));
    assertThat(h.records("kill-switch")).extracting(r -> String.valueOf(r.entry().data().get("reason")))
        .anyMatch(r -> r.startsWith("resumed from Slack by slack:U0BOB (bob) (override): migration finished"));
    assertThat(chatOps.counters()).containsEntry("commands.stop", 1L).containsEntry("commands.resume", 2L)
        .containsEntry("refused.not-approver", 3L).containsEntry("refused.signature", 1L);
  }

  private static byte[] edited(byte[] form, Consumer<ObjectNode> edit) throws Exception {
    String json = URLDecoder.decode(new String(form, StandardCharsets.UTF_8).substring("payload=".length()),
        StandardCharsets.UTF_8);
    ObjectNode p = (ObjectNode) JSON.readTree(json);
    edit.accept(p);
    return ("payload=" + URLEncoder.encode(p.toString(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
  }
}
