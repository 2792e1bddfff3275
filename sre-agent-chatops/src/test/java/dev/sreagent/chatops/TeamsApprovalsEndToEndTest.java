package dev.sreagent.chatops;

import static dev.sreagent.chatops.ChatTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.teams.TeamsEmulator;
import java.net.URI;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent in ASSIST on the simulated shop, its approvals in Microsoft Teams (the testkit's emulator of the Bot
 * Connector and the identity platform), the clicks coming back as signed invoke activities over HTTP: what an
 * approver sees, what a click does, and what every activity that must not decide anything does instead.
 */
class TeamsApprovalsEndToEndTest {
  static final String APP = "6f1c2b3a-1111-4222-8333-444455556666";
  static final String PASSWORD = "emulated~client~secret";
  static final String TENANT = "0a1b2c3d-aaaa-4bbb-8ccc-ddddeeeeffff";
  static final String CHANNEL = "19:incidents0123@thread.tacv2";
  static final String ALICE = "11111111-2222-4333-8444-555555555555";
  static final String BOB = "22222222-2222-4333-8444-555555555555";
  static final String EVE = "33333333-2222-4333-8444-555555555555";

  private final List<AutoCloseable> open = new ArrayList<>();
  private TeamsEmulator teams;
  private TeamsChatOps chatOps;
  private SimulationHarness h;

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private TeamsChatOps.Builder adapter() {
    return TeamsChatOps.builder().setAppId(APP).setAppPassword(PASSWORD).setTenant(TENANT).setConversation(CHANNEL)
        .setServiceUrl(teams.serviceUrl()).setTokenUrl(teams.tokenUrl()).setOpenIdUrl(teams.openIdUrl())
        .addApprover(ALICE, "sre").addApprover(BOB, "sre").setRetries(4, Duration.ofMillis(50));
  }

  /** The adapter's messaging endpoint, served, and the emulator's clicks sent there. */
  private void serve(TeamsChatOps adapter) throws Exception {
    TeamsMessagingServer server = new TeamsMessagingServer(adapter, "127.0.0.1", 0);
    open.add(server);
    teams.setBotEndpoint(URI.create("http://127.0.0.1:" + server.port() + TeamsChatOps.MESSAGES_PATH));
  }

  /** An ASSIST run whose certificate renewal waits in Teams; nobody else answers. */
  private void waitingInTeams(Consumer<TeamsChatOps.Builder> tweak, Consumer<TeamsEmulator> before) throws Exception {
    teams = TeamsEmulator.start(APP, PASSWORD, TENANT).addConversation(CHANNEL, true);
    open.add(teams);
    AtomicReference<SimulationHarness> harness = new AtomicReference<>();
    TeamsChatOps.Builder b = adapter().setAgentClock(() -> harness.get().clock().now());
    tweak.accept(b);
    chatOps = b.build();
    open.add(chatOps);
    serve(chatOps);
    h = SimulationHarness.builder().setPhase(Phase.ASSIST).setOnCallResponse(null)
        .setAgentCustomizer(ab -> ab.setApprovalChannel(chatOps).addNotifier(chatOps)).build();
    harness.set(h);
    open.add(h);
    h.runFor(Duration.ofMinutes(30));
    before.accept(teams);
    h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
    h.runFor(Duration.ofMinutes(3));
    assertThat(h.agent().pendingApprovals()).hasSize(1);
  }

  private void waitingInTeams() throws Exception {
    waitingInTeams(b -> {}, t -> {});
  }

  private TeamsEmulator.Message request() {
    await("the approval card in the channel", () -> teams.messages().stream().anyMatch(m -> m.card() != null));
    return teams.messages().stream().filter(m -> m.card() != null).findFirst().orElseThrow();
  }

  private TeamsEmulator.Message now(TeamsEmulator.Message m) {
    return teams.message(m.id()).orElseThrow();
  }

  static String shown(JsonNode card) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode b : card.path("body")) {
      sb.append(b.path("text").asText(""));
      for (JsonNode run : b.path("inlines")) {
        sb.append(run.path("text").asText(""));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  static List<String> verbs(JsonNode card) {
    List<String> out = new ArrayList<>();
    card.path("actions").forEach(a -> out.add(a.path("verb").asText()));
    return out;
  }

  private IncidentState state() {
    return h.agent().incidents().get(0).state();
  }

  /** The claims the Bot Connector signs, with {@code changes} applied (a null value removes the claim). */
  private Map<String, Object> claims(Map<String, Object> changes) {
    return ChatTestSupport.claims(APP, teams.serviceUrl(), Instant.now().getEpochSecond(), changes);
  }

  @Test
  void anApprovalInTeamsRenewsTheCertificateAndTheCardTellsTheStory() throws Exception {
    waitingInTeams();
    TeamsEmulator.Message req = request();
    assertThat(shown(req.card())).contains("Approval needed: INC-0001 certificate-expiry", "payments",
        "renew-certificate", "Safety gate: NEEDS_APPROVAL in ASSIST", "never approves itself");
    assertThat(verbs(req.card())).containsExactly(TeamsChatOps.VERB_APPROVE, TeamsChatOps.VERB_REJECT);
    assertThat(req.activity().path("text").asText()).startsWith("Approval needed: INC-0001");

    TeamsEmulator.Response click = teams.click(req.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice Adams");
    assertThat(click.status()).isEqualTo(200);
    assertThat(click.json().path("type").asText()).as("the clicker sees the card answered at once")
        .isEqualTo("application/vnd.microsoft.card.adaptive");
    assertThat(verbs(click.json().path("value"))).isEmpty();
    assertThat(shown(click.json().path("value"))).contains("Alice Adams (sre) clicked Approve");
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).isEqualTo(IncidentState.RESOLVED);
    assertThat(h.agent().auditLog().records()).anySatisfy(r -> {
      assertThat(r.entry().type()).isEqualTo("approval.granted");
      assertThat(r.entry().actor()).isEqualTo("teams:" + ALICE + " (Alice Adams)");
    });
    await("the card closed with the outcome", () -> shown(now(req).card()).contains("Resolved: "));
    assertThat(verbs(now(req).card())).as("no button left to click").isEmpty();
    await("the story in the card's thread", () -> teams.replies(req.id()).size() >= 3);
    assertThat(teams.replies(req.id())).extracting(TeamsEmulator.Message::text).anySatisfy(t -> assertThat(t)
        .startsWith("APPROVED INC-0001")).anySatisfy(t -> assertThat(t).startsWith("RESOLVED INC-0001"));
    assertThat(teams.replies(req.id())).allSatisfy(m -> assertThat(m.activity().path("textFormat").asText())
        .isEqualTo("plain"));
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 1L).containsEntry("failed", 0L)
        .containsEntry("posted.requests", 1L);
    assertThat(teams.tokensIssued()).as("one token serves every call").isEqualTo(1);
  }

  @Test
  void aRejectionInTeamsRunsNothingAndEscalates() throws Exception {
    waitingInTeams();
    TeamsEmulator.Message req = request();
    assertThat(teams.click(req.id(), TeamsChatOps.VERB_REJECT, BOB, "Bob").status()).isEqualTo(200);
    h.runFor(Duration.ofMinutes(1));
    assertThat(state()).isEqualTo(IncidentState.ESCALATED);
    assertThat(h.cluster().changesApplied()).isZero();
    await("the card closed", () -> shown(now(req).card()).contains("Escalated: "));
  }

  @Test
  void forgedStaleReplayedForeignAndUnauthorisedActivitiesDecideNothing() throws Exception {
    waitingInTeams();
    TeamsEmulator.Message req = request();
    ObjectNode click = teams.invokeActivity(req.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    var foreignKey = KeyPairGenerator.getInstance("RSA");
    foreignKey.initialize(2048);
    String forged = TeamsEmulator.jwtSignedBy(foreignKey.generateKeyPair(), teams.kid(), claims(Map.of()));

    assertThat(teams.send(click, null).status()).as("no token").isEqualTo(401);
    assertThat(teams.send(click, "Bearer " + forged).status()).as("a key nobody published, its kid").isEqualTo(401);
    assertThat(teams.send(click, "Bearer " + teams.jwt(claims(Map.of("aud", "another-bots-app-id")))).status())
        .as("a token for another bot").isEqualTo(401);
    assertThat(teams.send(click, "Bearer " + teams.jwt(claims(Map.of("iss", "https://sts.windows.net/x/"))))
        .status()).as("another issuer").isEqualTo(401);
    long past = Instant.now().getEpochSecond() - 3600;
    assertThat(teams.send(click, "Bearer " + teams.jwt(claims(Map.of("exp", past, "nbf", past - 600)))).status())
        .as("expired an hour ago").isEqualTo(401);
    long future = Instant.now().getEpochSecond() + 3600;
    assertThat(teams.send(click, "Bearer " + teams.jwt(claims(Map.of("nbf", future)))).status())
        .as("not valid for an hour").isEqualTo(401);
    assertThat(teams.send(click, "Bearer " + teams.jwt(claims(Map.of("serviceurl", "https://evil.example/"))))
        .status()).as("another service URL than the activity's").isEqualTo(401);
    String unsigned = teams.jwt(claims(Map.of()));
    String none = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes()) + unsigned.substring(unsigned.indexOf('.'),
        unsigned.lastIndexOf('.') + 1);
    assertThat(teams.send(click, "Bearer " + none).status()).as("alg none").isEqualTo(401);
    String edited = unsigned.substring(0, unsigned.indexOf('.') + 1) + java.util.Base64.getUrlEncoder()
        .withoutPadding().encodeToString(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(
            claims(Map.of("aud", APP, "exp", future + 86_400)))) + unsigned.substring(unsigned.lastIndexOf('.'));
    assertThat(teams.send(click, "Bearer " + edited).status()).as("claims edited after signing").isEqualTo(401);

    ObjectNode otherTenant = click.deepCopy();
    otherTenant.put("id", "f:other-tenant");
    ((ObjectNode) otherTenant.path("channelData").path("tenant")).put("id", "99999999-aaaa-4bbb-8ccc-ddddeeeeffff");
    ((ObjectNode) otherTenant.path("conversation")).put("tenantId", "99999999-aaaa-4bbb-8ccc-ddddeeeeffff");
    assertThat(teams.send(otherTenant, "Bearer " + teams.defaultClaimsJwt()).status()).as("another tenant")
        .isEqualTo(403);
    ObjectNode otherChannel = click.deepCopy();
    otherChannel.put("id", "f:other-channel");
    ((ObjectNode) otherChannel.path("conversation")).put("id", "19:somewhere-else@thread.tacv2");
    assertThat(teams.send(otherChannel, "Bearer " + teams.defaultClaimsJwt()).status()).as("another channel")
        .isEqualTo(403);
    TeamsEmulator.Response eve = teams.click(req.id(), TeamsChatOps.VERB_APPROVE, EVE, "Alice Adams");
    assertThat(eve.status()).isEqualTo(200);
    assertThat(eve.json().path("value").asText()).as("a display name is no identity")
        .contains("not an approver");
    ObjectNode tampered = teams.invokeActivity(req.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    ((ObjectNode) tampered.path("value").path("action").path("data")).put("plan", "0".repeat(64));
    assertThat(teams.send(tampered, "Bearer " + teams.defaultClaimsJwt()).json().path("value").asText())
        .contains("replaced by a newer one");

    h.runFor(Duration.ofMinutes(2));
    assertThat(state()).as("nothing was decided").isEqualTo(IncidentState.AWAITING_APPROVAL);
    assertThat(chatOps.counters()).containsEntry("refused.unsigned", 1L).containsEntry("refused.signature", 6L)
        .containsEntry("refused.stale", 2L).containsEntry("refused.tenant", 1L)
        .containsEntry("refused.conversation", 1L).containsEntry("refused.not-approver", 1L)
        .containsEntry("refused.not-pending", 1L).containsEntry("accepted.approve", 0L);

    String token = "Bearer " + teams.defaultClaimsJwt();
    assertThat(teams.send(click, token).status()).isEqualTo(200);
    assertThat(teams.send(click, token).status()).as("the same activity again: a replay").isEqualTo(401);
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 1L).containsEntry("refused.replayed", 1L);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).isEqualTo(IncidentState.RESOLVED);
  }

  @Test
  void twoApproversClickingAtOnceMakeOneDecision() throws Exception {
    waitingInTeams();
    TeamsEmulator.Message req = request();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Callable<TeamsEmulator.Response>> both = List.of(
          () -> teams.click(req.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice"),
          () -> teams.click(req.id(), TeamsChatOps.VERB_REJECT, BOB, "Bob"));
      for (Future<TeamsEmulator.Response> f : pool.invokeAll(both)) {
        assertThat(f.get().status()).isEqualTo(200);
      }
    } finally {
      pool.shutdown();
    }
    Map<String, Long> c = chatOps.counters();
    assertThat(c.get("accepted.approve") + c.get("accepted.reject")).isEqualTo(1L);
    assertThat(c.get("refused.not-pending")).isEqualTo(1L);
    assertThat(chatOps.poll()).hasSize(1);
  }

  @Test
  void anExpiredTokenRateLimitsAndOutagesAreRiddenOut() throws Exception {
    waitingInTeams(b -> {}, t -> {
      t.setTokenLifetime(Duration.ofHours(1));
      t.failNext(2, 429, Duration.ofSeconds(1));
    });
    TeamsEmulator.Message req = request();
    teams.expireTokens();  // revoked or expired early: the Connector says 401, the adapter fetches another
    teams.failNext(1, 503, null);
    assertThat(teams.click(req.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice").status()).isEqualTo(200);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).isEqualTo(IncidentState.RESOLVED);
    await("the card closed after the token was renewed", () -> shown(now(req).card()).contains("Resolved: "));
    assertThat(teams.tokensIssued()).isGreaterThanOrEqualTo(2);
    assertThat(chatOps.counters()).containsEntry("failed", 0L).hasEntrySatisfying("retried", n -> assertThat(n)
        .isGreaterThanOrEqualTo(3L));
  }

  @Test
  void aBotOutsideTheTeamIsLoggedAndTheRequestExpiresAndEscalatesWithoutActing() throws Exception {
    teams = TeamsEmulator.start(APP, PASSWORD, TENANT).addConversation(CHANNEL, false);
    open.add(teams);
    AtomicReference<SimulationHarness> harness = new AtomicReference<>();
    chatOps = adapter().setAgentClock(() -> harness.get().clock().now()).build();
    open.add(chatOps);
    h = SimulationHarness.builder().setPhase(Phase.ASSIST).setOnCallResponse(null)
        .setAgentCustomizer(ab -> ab.setApprovalChannel(chatOps).addNotifier(chatOps)).build();
    harness.set(h);
    open.add(h);
    h.runFor(Duration.ofMinutes(30));
    h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
    h.runFor(Duration.ofMinutes(3));
    await("the refusal counted", () -> chatOps.counters().getOrDefault("failed.BotNotInConversationRoster", 0L) > 0);
    h.runFor(Duration.ofMinutes(35));
    assertThat(state()).isEqualTo(IncidentState.ESCALATED);
    assertThat(h.cluster().changesApplied()).isZero();
  }

  @Test
  void aWrongClientSecretIsNamedAndNothingIsRetriedInALoop() throws Exception {
    teams = TeamsEmulator.start(APP, PASSWORD, TENANT).addConversation(CHANNEL, true);
    open.add(teams);
    chatOps = adapter().setAppPassword("an~old~secret").build();
    open.add(chatOps);
    chatOps.request(dev.sreagent.testkit.contract.ApprovalChannelContract.request());
    await("the refusal counted", () -> chatOps.counters().getOrDefault("failed.invalid_client", 0L) == 1L);
    assertThat(chatOps.counters()).containsEntry("failed", 1L).doesNotContainKey("retried");
    assertThat(teams.messages()).isEmpty();
  }

  @Test
  void rotatedSigningKeysAreReadAgainButAFloodOfUnknownKeysIsNot() throws Exception {
    AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);
    java.time.Clock wall = new java.time.Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public java.time.Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.now().plus(ahead.get());
      }
    };
    waitingInTeams(b -> b.setWallClock(wall), t -> {});
    TeamsEmulator.Message req = request();
    assertThat(teams.say(CHANNEL, ALICE, "Alice", "hello").status()).as("the keys are read once").isEqualTo(200);
    int before = teams.keyFetches();
    ObjectNode probe = teams.invokeActivity(req.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    var junkKey = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    for (int i = 0; i < 50; i++) {
      probe.put("id", "f:junk-" + i);
      String junk = TeamsEmulator.jwtSignedBy(junkKey, "kid-" + i, claims(Map.of()));
      assertThat(teams.send(probe, "Bearer " + junk).status()).isEqualTo(401);
    }
    assertThat(teams.keyFetches() - before).as("read a moment ago: 50 unknown key IDs within the minute read nothing")
        .isZero();

    teams.rotateKey(false);  // the Bot Framework rotates its keys; the old one is withdrawn
    ahead.set(Duration.ofSeconds(61));  // a minute after the last read
    assertThat(teams.click(req.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice").status()).isEqualTo(200);
    assertThat(teams.keyFetches() - before).as("the new key, read once").isEqualTo(1);
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 1L).containsEntry("refused.signature", 50L);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).isEqualTo(IncidentState.RESOLVED);
  }

  @Test
  void afterARestartTheOldCardsButtonsAnswerTheRestoredRequest() throws Exception {
    waitingInTeams();
    TeamsEmulator.Message req = request();
    TeamsChatOps restarted = adapter().setAgentClock(() -> h.clock().now()).build();
    open.add(restarted);
    serve(restarted);
    TeamsEmulator.Response unknown = teams.click(req.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    assertThat(unknown.json().path("value").asText()).contains("not waiting");
    assertThat(restarted.counters()).containsEntry("accepted.approve", 0L);

    restarted.attach(h.agent()::pendingApprovals);
    assertThat(teams.click(req.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice").status()).isEqualTo(200);
    assertThat(restarted.counters()).containsEntry("accepted.approve", 1L);
    await("the old card closed by the new adapter", () -> shown(now(req).card()).contains("clicked Approve"));
    assertThat(verbs(now(req).card())).isEmpty();
    restarted.poll().forEach(h.agent()::submitApproval);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).isEqualTo(IncidentState.RESOLVED);
  }

  /** The bot's answers in threads, oldest first, after {@code count} of them have arrived. */
  private List<String> answers(int count) {
    await(count + " answers in threads", () -> teams.messages().stream().filter(m -> m.replyToId() != null
        && m.card() == null && !m.text().matches("[A-Z_]+ INC-.*")).count() >= count);
    return teams.messages().stream().filter(m -> m.replyToId() != null && m.card() == null
        && !m.text().matches("[A-Z_]+ INC-.*")).map(TeamsEmulator.Message::text).toList();
  }

  @Test
  void stopFromTeamsDeniesEvenAnApprovedPlanAndOnlyApproversMayStopOrResume() throws Exception {
    waitingInTeams();
    TeamsEmulator.Message req = request();
    TeamsEmulator.Response unattached = teams.say(CHANNEL, ALICE, "Alice", "stop now");
    assertThat(unattached.status()).isEqualTo(200);
    assertThat(answers(1).get(0)).contains("takes no commands");
    chatOps.attachCommands(new HarnessCommands(h));
    ObjectNode forged = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        "{\"type\":\"message\",\"id\":\"m-1\",\"channelId\":\"msteams\",\"text\":\"stop\"}");
    assertThat(teams.send(forged, null).status()).as("unsigned").isEqualTo(401);
    teams.say(CHANNEL, EVE, "Alice Adams", "stop because I can");
    assertThat(answers(2).get(1)).contains("not an approver");
    assertThat(h.agent().killSwitch().engaged()).isFalse();
    teams.say(CHANNEL, ALICE, "Alice", "stop");
    assertThat(answers(3).get(2)).as("a reason is required").contains("Say why");
    assertThat(h.agent().killSwitch().engaged()).isFalse();

    teams.say(CHANNEL, ALICE, "Alice", "STOP <at>Bob</at> db &amp; failover");
    assertThat(answers(4).get(3)).contains("Alice engaged the kill switch of shop-agent", "Reason: db & failover");
    assertThat(h.agent().killSwitch().reason()).isEqualTo("stopped from Teams by teams:" + ALICE
        + " (Alice): db & failover");
    teams.say(CHANNEL, BOB, "Bob", "status");
    assertThat(answers(5).get(4)).contains("shop-agent", "kill switch engaged");
    assertThat(teams.click(req.id(), TeamsChatOps.VERB_APPROVE, BOB, "Bob").status()).isEqualTo(200);
    h.runFor(Duration.ofMinutes(10));
    assertThat(state()).as("approved, then refused at the re-check").isEqualTo(IncidentState.ESCALATED);
    assertThat(h.agent().incidents().get(0).outcome()).isEqualTo(dev.sreagent.api.model.IncidentOutcome
        .REFUSED_AT_RECHECK);

    teams.say(CHANNEL, EVE, "Eve", "resume all good");  // within 10 s of her last answer: refused without one
    assertThat(h.agent().killSwitch().engaged()).isTrue();
    teams.say(CHANNEL, BOB, "Bob", "resume failover done");
    assertThat(answers(6).get(5)).contains("Bob released the kill switch of shop-agent", "It was: stopped from"
        + " Teams by teams:" + ALICE);
    assertThat(h.agent().killSwitch().engaged()).isFalse();
    h.agent().killSwitch().engage("incident commander: freeze during the DB migration");
    teams.say(CHANNEL, BOB, "Bob", "resume looks fine");
    assertThat(answers(7).get(6)).contains("engaged elsewhere", "resume --override REASON");
    assertThat(h.agent().killSwitch().engaged()).isTrue();
    teams.say(CHANNEL, BOB, "Bob", "resume --override migration finished");
    assertThat(answers(8).get(7)).contains("(override)", "It was: incident commander: freeze during the DB migration");
    assertThat(h.agent().killSwitch().engaged()).isFalse();
    assertThat(chatOps.counters()).containsEntry("commands.stop", 1L).containsEntry("commands.resume", 2L)
        .containsEntry("refused.not-approver", 2L).containsEntry("refused.unsigned", 1L)
        .containsEntry("answers.suppressed", 1L);
    assertThat(answers(8)).hasSize(8);
  }

  @Test
  void aFloodOfMentionsFromAnyoneInTheChannelCannotCrowdOutAnApprovalRequest() throws Exception {
    waitingInTeams();
    TeamsEmulator.Message req = request();
    chatOps.attachCommands(new HarnessCommands(h));
    for (int i = 0; i < 300; i++) {
      assertThat(teams.say(CHANNEL, EVE, "Eve", "status please " + i).status()).isEqualTo(200);
    }
    assertThat(chatOps.counters()).containsEntry("answers.suppressed", 299L).containsEntry("failed", 0L);
    assertThat(chatOps.queued()).as("one answer at most waits").isLessThanOrEqualTo(1);
    assertThat(teams.click(req.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice").status()).isEqualTo(200);
    await("the card closed", () -> shown(now(req).card()).contains("clicked Approve"));
    assertThat(answers(1)).as("Eve was answered once").hasSize(1);
  }

  @Test
  void aCommandReplayedIsRefusedSoACapturedResumeCannotReleaseTheSwitchAgain() throws Exception {
    waitingInTeams();
    request();
    HarnessCommands commands = new HarnessCommands(h);
    chatOps.attachCommands(commands);
    ObjectNode resume = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        "{\"type\":\"message\",\"id\":\"1700000000001\",\"channelId\":\"msteams\",\"serviceUrl\":\""
        + teams.serviceUrl() + "\",\"text\":\"<at>sre-agent</at> resume --override all clear\",\"from\":"
        + "{\"aadObjectId\":\"" + BOB + "\",\"name\":\"Bob\"},\"conversation\":{\"id\":\"" + CHANNEL
        + "\",\"tenantId\":\"" + TENANT + "\"},\"channelData\":{\"tenant\":{\"id\":\"" + TENANT + "\"}}}");
    h.agent().killSwitch().engage("incident commander: freeze");
    String token = "Bearer " + teams.defaultClaimsJwt();
    assertThat(teams.send(resume, token).status()).isEqualTo(200);
    assertThat(h.agent().killSwitch().engaged()).isFalse();
    h.agent().killSwitch().engage("incident commander: freeze again");
    assertThat(teams.send(resume, token).status()).as("the same activity again").isEqualTo(401);
    ((ObjectNode) resume.path("conversation")).put("id", CHANNEL + ";messageid=1700000000000");
    assertThat(teams.send(resume, token).status()).as("again, in a thread").isEqualTo(401);
    assertThat(h.agent().killSwitch().engaged()).isTrue();
    assertThat(commands.reasons).hasSize(1);
  }

  @Test
  void messagesAndOtherActivitiesAreAnsweredAndDecideNothing() throws Exception {
    waitingInTeams();
    request();
    TeamsEmulator.Response said = teams.say(CHANNEL, ALICE, "Alice", "approve INC-0001");
    assertThat(said.status()).isEqualTo(200);
    assertThat(answers(1).get(0)).as("no commands attached").contains("takes no commands");
    ObjectNode update = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        "{\"type\":\"conversationUpdate\",\"id\":\"u-1\",\"channelId\":\"msteams\",\"serviceUrl\":\""
        + teams.serviceUrl() + "\",\"conversation\":{\"id\":\"" + CHANNEL + "\",\"tenantId\":\"" + TENANT
        + "\"},\"channelData\":{\"tenant\":{\"id\":\"" + TENANT + "\"}}}");
    assertThat(teams.send(update, "Bearer " + teams.defaultClaimsJwt()).status()).isEqualTo(200);
    h.runFor(Duration.ofMinutes(1));
    assertThat(state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
    assertThat(chatOps.counters()).containsEntry("ignored", 1L);
  }
}
