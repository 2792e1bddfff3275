package dev.sreagent.chatops;

import static dev.sreagent.chatops.ChatTestSupport.await;
import static dev.sreagent.chatops.TeamsApprovalsEndToEndTest.ALICE;
import static dev.sreagent.chatops.TeamsApprovalsEndToEndTest.APP;
import static dev.sreagent.chatops.TeamsApprovalsEndToEndTest.BOB;
import static dev.sreagent.chatops.TeamsApprovalsEndToEndTest.CHANNEL;
import static dev.sreagent.chatops.TeamsApprovalsEndToEndTest.PASSWORD;
import static dev.sreagent.chatops.TeamsApprovalsEndToEndTest.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.contract.ApprovalChannelContract;
import dev.sreagent.testkit.teams.TeamsEmulator;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the Teams adapter: forged, edited and replayed tokens and activities, type confusion, key-fetch
 * failures and floods, hostile card text, configuration mistakes that could echo the secret. Each test is one
 * attack and what must hold against it.
 */
class TeamsAdversarialTest {
  private static final String OTHER_TENANT = "99999999-aaaa-4bbb-8ccc-ddddeeeeffff";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final List<AutoCloseable> open = new ArrayList<>();
  private final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);
  /** The wall clock the adapter checks tokens by: real time, moved {@link #ahead} at will. */
  private final java.time.Clock wall = new java.time.Clock() {
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
      return Instant.now().plus(ahead.get());
    }
  };
  private final ApprovalRequest pending = ApprovalChannelContract.request();
  private TeamsEmulator teams;

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private TeamsChatOps adapter(Consumer<TeamsChatOps.Builder> tweak) throws Exception {
    if (teams == null) {
      teams = TeamsEmulator.start(APP, PASSWORD, TENANT).addConversation(CHANNEL, true);
      open.add(teams);
    }
    TeamsChatOps.Builder b = TeamsChatOps.builder().setAppId(APP).setAppPassword(PASSWORD).setTenant(TENANT)
        .setConversation(CHANNEL).setServiceUrl(teams.serviceUrl()).setTokenUrl(teams.tokenUrl())
        .setOpenIdUrl(teams.openIdUrl()).addApprover(ALICE, "sre").addApprover(BOB, "sre")
        .setRetries(3, Duration.ofMillis(20)).setWallClock(wall).setAgentClock(() -> pending.requestedAt());
    tweak.accept(b);
    TeamsChatOps chatOps = b.build();
    open.add(chatOps);
    return chatOps;
  }

  private TeamsChatOps adapter() throws Exception {
    return adapter(b -> {});
  }

  /** {@code request} posted by {@code chatOps}, as the emulator shows it. */
  private TeamsEmulator.Message posted(TeamsChatOps chatOps, ApprovalRequest request) {
    int before = teams.messages().size();
    chatOps.request(request);
    await("the card in the channel", () -> teams.messages().size() > before);
    return teams.messages().get(before);
  }

  /** The claims the Bot Connector signs, by the adapter's wall clock, with {@code changes} (null removes one). */
  private Map<String, Object> claims(Map<String, Object> changes) {
    return ChatTestSupport.claims(APP, teams.serviceUrl(), wall.instant().getEpochSecond(), changes);
  }

  private String token() {
    return teams.jwt(claims(Map.of()));
  }

  private static ChatReply send(TeamsChatOps chatOps, JsonNode activity, String jwt) {
    return chatOps.handleActivity("Bearer " + jwt, activity.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static ObjectNode withId(ObjectNode activity, String id) {
    return activity.deepCopy().put("id", id);
  }

  private static ObjectNode fromTenant(ObjectNode activity, String tenant) {
    ObjectNode a = activity.deepCopy();
    ((ObjectNode) a.path("channelData").path("tenant")).put("id", tenant);
    ((ObjectNode) a.path("conversation")).put("tenantId", tenant);
    return a;
  }

  // ------------------------------------------------------------------ the replay memory

  @Test
  void aFloodOfSignedActivitiesFromAnotherTenantCannotLockTheApproversOut() throws Exception {
    // a multi-tenant bot's app ID can be installed in any tenant: the Connector signs that tenant's traffic too
    TeamsChatOps chatOps = adapter();
    TeamsEmulator.Message card = posted(chatOps, pending);
    ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    ObjectNode foreign = fromTenant(click, OTHER_TENANT);
    String jwt = token();
    for (int i = 0; i <= ChatApprovals.REMEMBERED; i++) {
      assertThat(send(chatOps, withId(foreign, "f:flood-" + i), jwt).status()).isEqualTo(403);
    }
    ChatReply alice = send(chatOps, click, jwt);
    assertThat(alice.status()).as("Alice's click after the flood: %s", alice.body()).isEqualTo(200);
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 1L);
  }

  @Test
  void aCapturedClickReplayedInTheCardsThreadIsStillAReplay() throws Exception {
    TeamsChatOps chatOps = adapter();
    TeamsEmulator.Message card = posted(chatOps, pending);
    ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_REJECT, ALICE, "Alice");
    assertThat(send(chatOps, click, token()).status()).isEqualTo(200);
    ObjectNode replay = click.deepCopy();
    ((ObjectNode) replay.path("conversation")).put("id", CHANNEL + ";messageid=" + card.id());
    assertThat(send(chatOps, replay, token()).status()).as("the same activity, its conversation as a thread's")
        .isEqualTo(401);
    assertThat(chatOps.counters()).containsEntry("refused.replayed", 1L);
  }

  @Test
  void theSameClickSentEightTimesAtOnceIsTakenOnce() throws Exception {
    TeamsChatOps chatOps = adapter();
    TeamsEmulator.Message card = posted(chatOps, pending);
    ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    String jwt = token();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Integer> statuses = new ArrayList<>();
    try {
      List<Callable<ChatReply>> all = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        all.add(() -> send(chatOps, click, jwt));
      }
      for (Future<ChatReply> f : pool.invokeAll(all)) {
        statuses.add(f.get().status());
      }
    } finally {
      pool.shutdown();
    }
    assertThat(statuses).containsOnlyOnce(200).containsOnly(200, 401);
    assertThat(chatOps.poll()).hasSize(1);
  }

  // ------------------------------------------------------------------ the signing keys

  @Test
  void whenTheKeysCannotBeReadAgainAFloodDoesNotFetchThemOnEveryRequest() throws Exception {
    TeamsChatOps chatOps = adapter();
    TeamsEmulator.Message card = posted(chatOps, pending);
    ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    ObjectNode foreign = fromTenant(click, OTHER_TENANT);
    assertThat(send(chatOps, withId(foreign, "f:first"), token()).status()).isEqualTo(403);
    teams.setKeysDocument(503, "{\"error\":\"down\"}");
    ahead.set(Duration.ofHours(25));  // the keys read are due to be read again, and the Bot Framework is down
    int before = teams.keyFetches();
    for (int i = 0; i < 30; i++) {
      assertThat(send(chatOps, withId(foreign, "f:during-" + i), token()).status()).isEqualTo(403);
    }
    assertThat(teams.keyFetches() - before).as("30 requests within a minute of a failed read").isLessThanOrEqualTo(1);
    assertThat(send(chatOps, click, token()).status()).as("the keys read before still verify").isEqualTo(200);
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 1L);
  }

  @Test
  void aKeysDocumentWithJunkRefusesClicksWithoutBreakingTheEndpoint() throws Exception {
    TeamsChatOps chatOps = adapter();
    TeamsEmulator.Message card = posted(chatOps, pending);
    ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    List<String> junk = List.of("", "null", "[]", "\"keys\"", "{\"keys\":{}}", "{\"keys\":\"x\"}",
        "{\"keys\":[1,\"x\",null,[],{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":[],\"e\":{}}]}",
        "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"" + teams.kid() + "\",\"n\":\"!!\",\"e\":\"AQAB\"}]}",
        "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"" + teams.kid() + "\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
        "[".repeat(100_000), "<html>Service Unavailable</html>", "{\"keys\":[" + "{},".repeat(50_000) + "{}]}");
    for (int i = 0; i < junk.size(); i++) {
      teams.setKeysDocument(200, junk.get(i));
      ahead.set(Duration.ofMinutes(2L * i));
      ChatReply r = send(chatOps, withId(click, "f:junk-" + i), token());
      assertThat(r.status()).as("keys document #%d: %s", i, r.body()).isIn(401, 503);
    }
    teams.setKeysDocument(200, null);
    ahead.set(Duration.ofMinutes(2L * junk.size()));
    assertThat(send(chatOps, click, token()).status()).as("the real keys again").isEqualTo(200);
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 1L);
  }

  @Test
  void onlyAnRs256SignatureByAPublishedTeamsKeyCounts() throws Exception {
    KeyPair mine = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    TeamsChatOps chatOps = adapter();
    TeamsEmulator.Message card = posted(chatOps, pending);
    ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    // the keys document names a key endorsed only for another channel; then a key whose endorsement is no list
    teams.setKeysDocument(200, "{\"keys\":[" + jwk(mine, "mine", "[\"skype\"]") + "]}");
    assertThat(send(chatOps, click, signed(mine, "{\"alg\":\"RS256\",\"kid\":\"mine\"}", claimsJson())).status())
        .as("a key not endorsed for msteams").isEqualTo(401);
    teams.setKeysDocument(200, "{\"keys\":[" + jwk(mine, "mine2", "\"msteams\"") + "]}");
    ahead.set(Duration.ofMinutes(2));
    assertThat(send(chatOps, click, signed(mine, "{\"alg\":\"RS256\",\"kid\":\"mine2\"}", claimsJson()))
        .status()).as("endorsements not a list").isEqualTo(401);
    assertThat(chatOps.counters()).containsEntry("refused.signature", 2L);
    teams.setKeysDocument(200, null);
    ahead.set(Duration.ofMinutes(4));
    String known = "\"kid\":\"" + teams.kid() + "\"";
    String embedded = jwk(mine, teams.kid(), "[\"msteams\"]");
    for (String header : List.of("{\"alg\":\"RS256\"," + known + ",\"jwk\":" + embedded + "}",
        "{\"alg\":\"RS256\",\"kid\":\"mine\",\"jku\":\"" + teams.baseUrl() + "/mine\"}",
        "{\"alg\":\"RS256\",\"kid\":\"mine\",\"x5u\":\"" + teams.baseUrl() + "/mine\"}",
        "{\"alg\":\"RS512\"," + known + "}", "{\"alg\":\"PS256\"," + known + "}", "{\"alg\":[\"RS256\"]," + known + "}",
        "{\"alg\":\"rs256\"," + known + "}")) {
      assertThat(send(chatOps, click, signed(mine, header, claimsJson())).status()).as(header).isEqualTo(401);
    }
    // alg confusion: HMAC keyed with the published public key
    RSAPublicKey published = publishedKey();
    String input = B64.encodeToString(("{\"alg\":\"HS256\"," + known + "}").getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claimsJson().getBytes(StandardCharsets.UTF_8));
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(published.getEncoded(), "HmacSHA256"));
    String hs = input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    assertThat(send(chatOps, click, hs).status()).as("HS256 keyed with the public key").isEqualTo(401);
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 0L);
    assertThat(send(chatOps, click, token()).status()).as("the Connector's own token").isEqualTo(200);
  }

  /** The Connector's claims as JSON, by the wall clock now. */
  private String claimsJson() throws Exception {
    return new String(SlackWebApi.JSON.writeValueAsBytes(claims(Map.of())), StandardCharsets.UTF_8);
  }

  private RSAPublicKey publishedKey() throws Exception {
    JsonNode keys;
    try (var in = java.net.URI.create(teams.keysUrl()).toURL().openStream()) {
      keys = SlackWebApi.JSON.readTree(in);
    }
    JsonNode k = keys.path("keys").get(0);
    return (RSAPublicKey) java.security.KeyFactory.getInstance("RSA").generatePublic(
        new java.security.spec.RSAPublicKeySpec(new BigInteger(1, Base64.getUrlDecoder().decode(k.path("n").asText())),
            new BigInteger(1, Base64.getUrlDecoder().decode(k.path("e").asText()))));
  }

  private static String jwk(KeyPair key, String kid, String endorsements) {
    RSAPublicKey pub = (RSAPublicKey) key.getPublic();
    return "{\"kty\":\"RSA\",\"use\":\"sig\",\"kid\":\"" + kid + "\",\"n\":\"" + B64.encodeToString(unsigned(
        pub.getModulus())) + "\",\"e\":\"" + B64.encodeToString(unsigned(pub.getPublicExponent()))
        + "\",\"endorsements\":" + endorsements + "}";
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  /** A JWS with exactly this header and these claims (JSON as given), signed RS256 with {@code key}. */
  private static String signed(KeyPair key, String header, String claims) throws Exception {
    String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(key.getPrivate());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(s.sign());
  }

  // ------------------------------------------------------------------ claims and activities of the wrong type

  @Test
  void claimsOfTheWrongTypeAreRefused() throws Exception {
    TeamsChatOps chatOps = adapter();
    TeamsEmulator.Message card = posted(chatOps, pending);
    ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    long later = wall.instant().getEpochSecond() + 3600;
    Map<String, Object> refused = new LinkedHashMap<>();
    refused.put("aud as another app in a list", Map.of("aud", List.of("another-app")));
    refused.put("aud as an object", Map.of("aud", Map.of("app", APP)));
    refused.put("aud nested", Map.of("aud", List.of(List.of(APP))));
    refused.put("aud in capitals, another string", Map.of("aud", APP + " "));
    refused.put("exp as a string", Map.of("exp", Long.toString(later)));
    refused.put("exp as a list", Map.of("exp", List.of(later)));
    refused.put("exp far beyond long", Map.of("exp", 1e300));
    refused.put("exp at the end of time", Map.of("exp", Long.MAX_VALUE));
    refused.put("nbf in a string, in the future", Map.of("nbf", Long.toString(later)));
    refused.put("iss with a slash", Map.of("iss", "https://api.botframework.com/"));
    refused.put("iss in a list", Map.of("iss", List.of("https://api.botframework.com")));
    refused.put("serviceurl in a list", Map.of("serviceurl", List.of(teams.serviceUrl())));
    Map<String, Object> noExp = new HashMap<>();
    noExp.put("exp", null);
    refused.put("no exp", noExp);
    Map<String, Object> noService = new HashMap<>();
    noService.put("serviceurl", null);
    refused.put("no serviceurl", noService);
    for (Map.Entry<String, Object> e : refused.entrySet()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> changes = (Map<String, Object>) e.getValue();
      assertThat(send(chatOps, click, teams.jwt(claims(changes))).status()).as(e.getKey()).isEqualTo(401);
    }
    assertThat(send(chatOps, click, teams.jwt(claims(Map.of("aud", List.of("other", APP))))).status())
        .as("aud as a list naming the app (RFC 7519)").isEqualTo(200);
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 1L);
  }

  @Test
  void activitiesOfTheWrongShapeDecideNothingAndNeverThrow() throws Exception {
    TeamsChatOps chatOps = adapter();
    TeamsEmulator.Message card = posted(chatOps, pending);
    ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    String jwt = token();
    List<byte[]> bodies = new ArrayList<>();
    bodies.add("[".repeat(200_000).getBytes(StandardCharsets.UTF_8));
    bodies.add(("{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000)).getBytes(StandardCharsets.UTF_8));
    bodies.add("null".getBytes(StandardCharsets.UTF_8));
    bodies.add(new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'});
    bodies.add(new byte[TeamsChatOps.MAX_BODY_BYTES + 1]);
    for (byte[] body : bodies) {
      assertThat(chatOps.handleActivity("Bearer " + jwt, body).status()).isIn(400, 413);
    }
    int n = 0;
    for (String path : List.of("id", "from.aadObjectId", "value.action.data.incident", "value.action.data.plan",
        "value.action.verb", "conversation.id", "channelData.tenant.id", "value", "from")) {
      for (JsonNode odd : List.of(SlackWebApi.JSON.createArrayNode().add(ALICE), SlackWebApi.JSON.createObjectNode()
          .put("id", ALICE), SlackWebApi.JSON.nullNode(), SlackWebApi.JSON.getNodeFactory().numberNode(1))) {
        ObjectNode a = withId(click, "f:odd-" + n++);
        String[] keys = path.split("\\.");
        ObjectNode parent = a;
        for (int i = 0; i < keys.length - 1; i++) {
          parent = (ObjectNode) parent.path(keys[i]);
        }
        // a number is an id all the same; a null tenant lets the conversation's tenantId (ours) speak
        if (!(path.equals("id") && odd.isNumber()) && !(path.equals("channelData.tenant.id") && odd.isNull())) {
          parent.set(keys[keys.length - 1], odd);
          ChatReply r = send(chatOps, a, jwt);
          assertThat(r.status()).as("%s as %s", path, odd).isIn(200, 400, 403);
          assertThat(chatOps.counters()).as("%s as %s", path, odd).containsEntry("accepted.approve", 0L);
        }
      }
    }
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 0L);
    ChatReply ok = send(chatOps, click, jwt);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 1L);
  }

  @Test
  void anApproverIsAnExactObjectIdWhateverItsCaseAndNothingLikeIt() throws Exception {
    TeamsChatOps chatOps = adapter(b -> b.addApprover("ABCDEF01-2222-4333-8444-555555555555", "sre"));
    TeamsEmulator.Message card = posted(chatOps, pending);
    String jwt = token();
    int n = 0;
    for (String lookalike : List.of(" " + ALICE, ALICE + "\u200b", ALICE.replace('1', '١'),
        "аbcdef01-2222-4333-8444-555555555555", "ＡBCDEF01-2222-4333-8444-555555555555",
        "{" + ALICE + "}", ALICE.replace("-", ""))) {
      ObjectNode a = withId(teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, lookalike, "Alice"),
          "f:like-" + n++);
      assertThat(send(chatOps, a, jwt).body()).as(lookalike).contains("not an approver");
    }
    ObjectNode capitals = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE,
        "abcdef01-2222-4333-8444-555555555555", "Carol");
    assertThat(send(chatOps, capitals, jwt).status()).isEqualTo(200);
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 1L).containsEntry("refused.not-approver",
        (long) n);
  }

  // ------------------------------------------------------------------ shutdown and failures

  @Test
  void aClickDuringShutdownIsRefusedSoThatTheCardKeepsItsButtons() throws Exception {
    TeamsChatOps chatOps = adapter();
    TeamsEmulator.Message card = posted(chatOps, pending);
    ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    chatOps.close();  // the agent is stopping: nobody will poll a decision, nor mark the card answered
    ChatReply r = send(chatOps, click, token());
    assertThat(r.status()).as("Teams shows the clicker an error; the buttons work again after the restart")
        .isEqualTo(503);
    assertThat(chatOps.poll()).isEmpty();
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 0L);
  }

  @Test
  void theClientSecretIsNeverLoggedWhateverFails() throws Exception {
    String oldSecret = "Zq3Q~an.old~secret_that-expired.last-week";
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      TeamsChatOps expired = adapter(b -> b.setAppPassword(oldSecret));
      expired.request(pending);
      await("the refusal", () -> expired.counters().getOrDefault("failed.invalid_client", 0L) == 1L);
      TeamsChatOps chatOps = adapter();
      teams.failNext(2, 503, null);
      TeamsEmulator.Message card = posted(chatOps, pending);
      teams.expireTokens();
      ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
      assertThat(send(chatOps, click, token()).status()).isEqualTo(200);
      await("the card answered with a new token", () -> teams.tokensIssued() >= 2);
      TeamsChatOps unreachable = adapter(b -> b.setTokenUrl("http://127.0.0.1:1/" + TENANT + "/oauth2/v2.0/token"));
      unreachable.request(pending);
      await("given up", () -> unreachable.counters().getOrDefault("failed.unreachable", 0L) == 1L);
      assertThatThrownBy(() -> TeamsChatOps.fromConfig(ConfigView.of(Map.of("chatops.teams.app-id", oldSecret,
          "chatops.teams.app-password-env", oldSecret)), Map.<String, String>of()::get, Clock.system(), Set.of()))
          .isInstanceOfSatisfying(ConfigurationException.class, e -> System.err.println(e.getMessage()));
    } finally {
      System.err.flush();
      System.setErr(err);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    err.print(log);
    assertThat(log).contains("invalid_client", "the client secret is wrong or expired")
        .doesNotContain(PASSWORD, oldSecret.substring(6), TeamsApprovalsEndToEndTest.PASSWORD);
  }

  // ------------------------------------------------------------------ cards

  @Test
  void aPlanOfManyWideActionsStillFitsTeamsLimit() {
    String wide = "語\"".repeat(400);
    ApprovalRequest r = SlackMessagesTest.saying(wide, wide, wide);
    List<Action> actions = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      actions.add(new Action.RenewCertificate(wide + i, wide));
    }
    RemediationPlan plan = new RemediationPlan(r.incident().id(), actions, wide);
    Incident inc = r.incident();
    Incident wideInc = new Incident(inc.id(), inc.type(), inc.severity(), inc.state(), wide, Set.of(wide, wide + 1,
        wide + 2), inc.anomalies(), inc.openedAt(), inc.updatedAt(), inc.evidence(), inc.diagnosis(),
        inc.plan(), inc.outcome(), inc.outcomeReason(), inc.candidates());
    ApprovalRequest big = new ApprovalRequest(wideInc, plan, plan.hash(), r.decision(), r.requestedAt(),
        r.expiresAt());
    ObjectNode card = TeamsCards.card(big, java.util.Collections.nCopies(8, wide), true);
    int bytes = TeamsCards.activity(TeamsCards.requestText(big), card).toString().getBytes(StandardCharsets.UTF_8)
        .length;
    assertThat(bytes).isLessThanOrEqualTo(TeamsCards.MAX_BYTES);
    assertThat(card.path("actions")).hasSize(2);
  }

  // ------------------------------------------------------------------ configuration

  @Property(tries = 200)
  void aClientSecretPastedIntoAnyKeyIsNeverEchoed(@ForAll("azureSecrets") String secret,
      @ForAll("keys") String key) {
    Map<String, String> config = new HashMap<>(Map.of("chatops.teams.app-id", APP, "chatops.teams.tenant", TENANT,
        "chatops.teams.app-password-env", "TEAMS_APP_PASSWORD", "chatops.teams.conversation", CHANNEL,
        "chatops.teams.approvers", ALICE + ":sre"));
    config.put(key, secret);
    assertThatThrownBy(() -> TeamsChatOps.fromConfig(ConfigView.of(config), Map.of("TEAMS_APP_PASSWORD", "x")::get,
        Clock.system(), Set.of("sre"))).isInstanceOfSatisfying(ConfigurationException.class, e -> {
          assertThat(String.join("\n", e.problems())).contains(key).doesNotContain(secret.substring(6));
          assertThat(e.getMessage()).doesNotContain(secret.substring(6));
        });
  }

  @Provide
  Arbitrary<String> azureSecrets() {
    // the shape of a Microsoft Entra client secret: three characters, a digit, Q~, then 34 more
    Arbitrary<String> head = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').ofLength(3);
    Arbitrary<Character> digit = Arbitraries.chars().numeric();
    Arbitrary<String> tail = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
        .withChars("0123456789_.~-".toCharArray()).ofLength(34);
    return Combinators.combine(head, digit, tail).as((h, d, t) -> h + d + "Q~" + t);
  }

  @Provide
  Arbitrary<String> keys() {
    return Arbitraries.of("chatops.teams.app-id", "chatops.teams.tenant", "chatops.teams.conversation",
        "chatops.teams.approvers", "chatops.teams.service-url", "chatops.teams.token-url",
        "chatops.teams.openid-url");
  }

  @Test
  void approversThatNameNobodyAreAConfigurationErrorNamingTheKey() {
    for (String approvers : List.of(",", " , ,", ALICE + ":sre," + ALICE + ":viewer")) {
      ConfigView config = ConfigView.of(Map.of("chatops.teams.app-id", APP, "chatops.teams.tenant", TENANT,
          "chatops.teams.app-password-env", "TEAMS_APP_PASSWORD", "chatops.teams.conversation", CHANNEL,
          "chatops.teams.approvers", approvers));
      assertThatThrownBy(() -> TeamsChatOps.fromConfig(config, Map.of("TEAMS_APP_PASSWORD", "x")::get,
          Clock.system(), Set.of())).as(approvers).isInstanceOfSatisfying(ConfigurationException.class,
              e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("chatops.teams.approvers")));
    }
  }

  @Test
  void anActivityIdTooLongToRememberIsRefusedAndTheAppIdIsNotCaseSensitive() throws Exception {
    TeamsChatOps chatOps = adapter();
    TeamsEmulator.Message card = posted(chatOps, pending);
    ObjectNode click = teams.invokeActivity(card.id(), TeamsChatOps.VERB_APPROVE, ALICE, "Alice");
    assertThat(send(chatOps, withId(click, "f:" + "9".repeat(TeamsChatOps.MAX_ID)), token()).status())
        .as("an ID of 258 characters would be remembered for an hour").isEqualTo(400);
    assertThat(send(chatOps, click, teams.jwt(claims(Map.of("aud", APP.toUpperCase(java.util.Locale.ROOT)))))
        .status()).as("the same GUID in capitals").isEqualTo(200);
    assertThat(chatOps.counters()).containsEntry("accepted.approve", 1L).containsEntry("refused.malformed", 1L);
  }

  @Test
  void anErrorCodeBecomesACounterNameOnlyWhenItLooksLikeOne() {
    assertThat(ChatCallException.code("BotNotInConversationRoster")).isEqualTo("BotNotInConversationRoster");
    assertThat(ChatCallException.code("http_503")).isEqualTo("http_503");
    assertThat(ChatCallException.code("x\"} 1\nsreagent_fake_total 9")).isEqualTo("other");
    assertThat(ChatCallException.code("a".repeat(65))).isEqualTo("other");
    assertThat(new ChatCallException("send", "evil\nline", "hint", false, Duration.ZERO).getMessage())
        .isEqualTo("send failed: other (hint)");
  }
}
