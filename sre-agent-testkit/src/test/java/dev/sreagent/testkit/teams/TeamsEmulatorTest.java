package dev.sreagent.testkit.teams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulator against an independent client: Azure AD's answers, the connector's rules, verifiable JWTs. */
class TeamsEmulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String APP = "00000000-aaaa-bbbb-cccc-000000000001";
  private static final String PASSWORD = "s3cr3t~value";
  private static final String TENANT = "11111111-2222-3333-4444-555555555555";
  private static final String CHANNEL = "19:abc123@thread.tacv2";
  private static final String USER = "6b3a1f1e-0000-4000-8000-00000000beef";

  private TeamsEmulator teams;

  @BeforeEach
  void start() throws IOException {
    teams = TeamsEmulator.start(APP, PASSWORD, TENANT).addConversation(CHANNEL, true);
  }

  @AfterEach
  void stop() {
    teams.close();
  }

  @Test
  void tokenEndpointIssuesTokensAndRefusesLikeAzureAd() throws Exception {
    assertThat(teams.tokenUrl()).isEqualTo(teams.baseUrl() + "/" + TENANT + "/oauth2/v2.0/token");
    HttpResponse<String> ok = tokenRequest(teams.tokenUrl(), "client_credentials", APP, PASSWORD,
        TeamsEmulator.SCOPE);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    JsonNode token = JSON.readTree(ok.body());
    assertThat(token.path("token_type").asText()).isEqualTo("Bearer");
    assertThat(token.path("expires_in").asLong()).isEqualTo(3599);
    assertThat(token.path("ext_expires_in").asLong()).isEqualTo(3599);
    assertThat(token.path("access_token").asText()).hasSizeGreaterThan(20);

    assertAadError(tokenRequest(teams.baseUrl() + "/another-tenant/oauth2/v2.0/token", "client_credentials", APP,
        PASSWORD, TeamsEmulator.SCOPE), 400, "invalid_request", "AADSTS90002: Tenant 'another-tenant' not found");
    assertAadError(tokenRequest(teams.tokenUrl(), "password", APP, PASSWORD, TeamsEmulator.SCOPE), 400,
        "unsupported_grant_type", "AADSTS70003");
    assertAadError(tokenRequest(teams.tokenUrl(), "client_credentials", "someone-else", PASSWORD,
        TeamsEmulator.SCOPE), 400, "unauthorized_client",
        "AADSTS700016: Application with identifier 'someone-else' was not found in the directory");
    assertAadError(tokenRequest(teams.tokenUrl(), "client_credentials", APP, "wrong", TeamsEmulator.SCOPE), 401,
        "invalid_client", "AADSTS7000215: Invalid client secret provided.");
    assertAadError(tokenRequest(teams.tokenUrl(), "client_credentials", APP, PASSWORD,
        "https://graph.microsoft.com/.default"), 400, "invalid_scope", "AADSTS70011");
    assertThat(teams.tokensIssued()).as("refusals issue nothing").isEqualTo(1);

    teams.setTokenLifetime(Duration.ofMinutes(5));
    assertThat(JSON.readTree(tokenRequest(teams.tokenUrl(), "client_credentials", APP, PASSWORD,
        TeamsEmulator.SCOPE).body()).path("expires_in").asLong()).isEqualTo(300);
    assertThat(teams.tokensIssued()).isEqualTo(2);
  }

  @Test
  void sendRecordsTheMessageReplyThreadsItAndPutReplacesIt() throws Exception {
    String token = token();
    HttpResponse<String> sent = connector("POST", activities(CHANNEL), token, cardActivity("Restart checkout?",
        card("approve")));
    assertThat(sent.statusCode()).isEqualTo(201);
    String id = JSON.readTree(sent.body()).path("id").asText();
    assertThat(id).isNotBlank();
    TeamsEmulator.Message message = teams.message(id).orElseThrow();
    assertThat(message.conversationId()).as("the URL-encoded ID is decoded").isEqualTo(CHANNEL);
    assertThat(message.text()).isEqualTo("Restart checkout?");
    assertThat(message.replyToId()).isNull();
    assertThat(message.updates()).isZero();
    assertThat(message.card()).isNotNull();
    assertThat(message.card().path("actions").get(0).path("verb").asText()).isEqualTo("approve");

    HttpResponse<String> reply = connector("POST", activities(CHANNEL) + "/" + id, token, text("on it"));
    assertThat(reply.statusCode()).isEqualTo(201);
    String replyId = JSON.readTree(reply.body()).path("id").asText();
    assertThat(replyId).isNotEqualTo(id);
    assertThat(teams.replies(id)).extracting(TeamsEmulator.Message::id, TeamsEmulator.Message::replyToId,
        TeamsEmulator.Message::text).containsExactly(tuple(replyId, id, "on it"));

    HttpResponse<String> updated = connector("PUT", activities(CHANNEL) + "/" + id, token, text("Approved by Ada"));
    assertThat(updated.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(updated.body()).path("id").asText()).isEqualTo(id);
    TeamsEmulator.Message now = teams.message(id).orElseThrow();
    assertThat(now.updates()).isEqualTo(1);
    assertThat(now.text()).isEqualTo("Approved by Ada");
    assertThat(now.card()).as("the update replaced the attachments too").isNull();
    assertThat(teams.messages()).extracting(TeamsEmulator.Message::id).containsExactly(id, replyId);

    assertConnectorError(connector("PUT", activities(CHANNEL) + "/999", token, text("x")), 404, "ActivityNotFound");
    assertConnectorError(connector("POST", activities(CHANNEL) + "/999", token, text("x")), 404,
        "ActivityNotFound");
    assertThat(teams.calls()).extracting(TeamsEmulator.Call::method, TeamsEmulator.Call::status)
        .containsExactly(tuple("POST", 201),
            tuple("POST", 201), tuple("PUT", 200),
            tuple("PUT", 404), tuple("POST", 404));
    assertThat(teams.calls().get(0).path()).isEqualTo("/teams/v3/conversations/19%3Aabc123%40thread.tacv2"
        + "/activities");
  }

  @Test
  void connectorDeniesCallsWithoutAValidToken() throws Exception {
    String denied = "{\"message\":\"Authorization has been denied for this request.\"}";
    HttpResponse<String> none = connector("POST", activities(CHANNEL), null, text("hi"));
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).isEqualTo(denied);
    assertThat(connector("POST", activities(CHANNEL), "made-up", text("hi")).statusCode()).isEqualTo(401);

    String token = token();
    assertThat(connector("POST", activities(CHANNEL), token, text("hi")).statusCode()).isEqualTo(201);
    teams.expireTokens();
    assertThat(connector("POST", activities(CHANNEL), token, text("hi")).body()).isEqualTo(denied);

    teams.setTokenLifetime(Duration.ZERO);
    String stillborn = token();
    assertThat(connector("POST", activities(CHANNEL), stillborn, text("hi")).statusCode()).isEqualTo(401);
    teams.setTokenLifetime(Duration.ofHours(1));
    assertThat(connector("POST", activities(CHANNEL), token(), text("hi")).statusCode()).isEqualTo(201);
    assertThat(teams.messages()).hasSize(2);
  }

  @Test
  void conversationsMustBeKnownAndHaveTheBot() throws Exception {
    teams.addConversation("19:elsewhere@thread.tacv2", false);
    String token = token();
    assertConnectorError(connector("POST", activities("19:nowhere@thread.tacv2"), token, text("hi")), 404,
        "ConversationNotFound");
    assertConnectorError(connector("POST", activities("19:elsewhere@thread.tacv2"), token, text("hi")), 403,
        "BotNotInConversationRoster");
    assertThat(teams.messages()).isEmpty();
  }

  @Test
  void malformedActivitiesAndCardsAreBadArguments() throws Exception {
    String token = token();
    assertConnectorError(connector("POST", activities(CHANNEL), token, "{not json"), 400, "BadArgument");
    assertConnectorError(connector("POST", activities(CHANNEL), token, "[]"), 400, "BadArgument");
    assertConnectorError(connector("POST", activities(CHANNEL), token, "{\"type\":\"invoke\",\"text\":\"x\"}"), 400,
        "BadArgument");
    assertConnectorError(connector("POST", activities(CHANNEL), token, "{\"type\":\"message\",\"text\":\"  \"}"), 400,
        "BadArgument");

    ObjectNode nested = card("approve");
    ((ArrayNode) nested.get("body")).addObject().put("type", "Container").putArray("items").addObject()
        .put("type", "ActionSet").putArray("actions").addObject().put("type", "Action.Execute")
        .put("title", "Reject");
    HttpResponse<String> noVerb = connector("POST", activities(CHANNEL), token, cardActivity("", nested));
    assertConnectorError(noVerb, 400, "BadArgument");
    assertThat(JSON.readTree(noVerb.body()).path("error").path("message").asText()).contains("Action.Execute")
        .contains("Reject").contains("verb");

    ObjectNode noBody = card("approve");
    noBody.remove("body");
    assertThat(JSON.readTree(connector("POST", activities(CHANNEL), token, cardActivity("", noBody)).body())
        .path("error").path("message").asText()).contains("body");
    ObjectNode notACard = card("approve").put("type", "HeroCard");
    assertConnectorError(connector("POST", activities(CHANNEL), token, cardActivity("", notACard)), 400,
        "BadArgument");
    assertThat(teams.messages()).isEmpty();

    ObjectNode hero = JSON.createObjectNode().put("type", "message");
    hero.putArray("attachments").addObject().put("contentType", "application/vnd.microsoft.card.hero")
        .putObject("content").put("title", "anything goes");
    assertThat(connector("POST", activities(CHANNEL), token, hero.toString()).statusCode()).isEqualTo(201);
    assertThat(teams.messages()).singleElement().satisfies(m -> assertThat(m.card()).isNull());
  }

  @Test
  void anActivityOver28000BytesIsTooBig() throws Exception {
    String token = token();
    String overhead = text("").replace("\"\"", "\"%s\"");
    int room = TeamsEmulator.MAX_ACTIVITY_BYTES - overhead.length() + 2;
    String exactly = String.format(overhead, "x".repeat(room));
    assertThat(exactly.getBytes(StandardCharsets.UTF_8)).hasSize(TeamsEmulator.MAX_ACTIVITY_BYTES);
    assertThat(connector("POST", activities(CHANNEL), token, exactly).statusCode()).isEqualTo(201);
    assertConnectorError(connector("POST", activities(CHANNEL), token, String.format(overhead, "x".repeat(room + 1))),
        413, "MessageSizeTooBig");
    assertThat(teams.messages()).hasSize(1);
  }

  @Test
  void injectedFailuresAreAnsweredWithoutApplyingTheCall() throws Exception {
    String token = token();
    teams.failNext(2, 429, Duration.ofMillis(1500));
    HttpResponse<String> limited = connector("POST", activities(CHANNEL), token, text("hi"));
    assertConnectorError(limited, 429, "TooManyRequests");
    assertThat(limited.headers().firstValue("Retry-After")).as("whole seconds, rounded up").hasValue("2");
    assertThat(connector("POST", activities(CHANNEL), null, text("hi")).statusCode()).as("before the auth check")
        .isEqualTo(429);
    teams.failNext(1, 503, null);
    HttpResponse<String> down = connector("POST", activities(CHANNEL), token, text("hi"));
    assertConnectorError(down, 503, "ServiceUnavailable");
    assertThat(down.headers().firstValue("Retry-After")).isEmpty();
    assertThat(teams.messages()).isEmpty();
    assertThat(connector("POST", activities(CHANNEL), token, text("hi")).statusCode()).isEqualTo(201);
    assertThat(teams.messages()).hasSize(1);
    assertThat(teams.calls()).extracting(TeamsEmulator.Call::status).containsExactly(429, 429, 503, 201);
  }

  @Test
  void openIdMetadataPublishesTheSigningKeys() throws Exception {
    JsonNode metadata = JSON.readTree(get(teams.openIdUrl()).body());
    assertThat(metadata.path("issuer").asText()).isEqualTo("https://api.botframework.com");
    assertThat(metadata.path("jwks_uri").asText()).isEqualTo(teams.baseUrl() + "/v1/.well-known/keys");
    assertThat(metadata.path("id_token_signing_alg_values_supported").toString()).isEqualTo("[\"RS256\"]");
    assertThat(teams.keyFetches()).isZero();

    JsonNode keys = JSON.readTree(get(metadata.path("jwks_uri").asText()).body()).path("keys");
    assertThat(keys).hasSize(1);
    JsonNode jwk = keys.get(0);
    assertThat(jwk.path("kty").asText()).isEqualTo("RSA");
    assertThat(jwk.path("use").asText()).isEqualTo("sig");
    assertThat(jwk.path("kid").asText()).isEqualTo(teams.kid()).isEqualTo(jwk.path("x5t").asText());
    assertThat(jwk.path("e").asText()).isEqualTo("AQAB");
    assertThat(jwk.path("n").asText()).matches("[A-Za-z0-9_-]{342}");
    assertThat(jwk.path("endorsements").toString()).isEqualTo("[\"msteams\"]");
    assertThat(teams.keyFetches()).isEqualTo(1);

    String first = teams.kid();
    String second = teams.rotateKey(true);
    assertThat(second).isEqualTo(teams.kid()).isNotEqualTo(first);
    assertThat(kids()).containsExactlyInAnyOrder(first, second);
    String third = teams.rotateKey(false);
    assertThat(kids()).containsExactly(third);
    assertThat(teams.keyFetches()).isEqualTo(3);
  }

  @Test
  void clickSendsTheUniversalActionInvokeSignedWithThePublishedKey() throws Exception {
    try (Bot bot = new Bot()) {
      teams.setBotEndpoint(bot.endpoint());
      String id = JSON.readTree(connector("POST", activities(CHANNEL), token(), cardActivity("Restart?",
          card("approve"))).body()).path("id").asText();
      Instant before = Instant.now();

      TeamsEmulator.Response answer = teams.click(id, "approve", USER, "Ada Lovelace");
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.json().path("statusCode").asInt()).isEqualTo(200);
      Bot.Request request = bot.take();
      assertThat(request.contentType()).isEqualTo("application/json; charset=utf-8");
      assertThat(request.authorization()).startsWith("Bearer ");

      String jwt = request.authorization().substring("Bearer ".length());
      String[] parts = jwt.split("\\.");
      assertThat(parts).hasSize(3).allSatisfy(p -> assertThat(p).matches("[A-Za-z0-9_-]+"));
      assertThat(decode(parts[0])).isEqualTo("{\"alg\":\"RS256\",\"kid\":\"" + teams.kid() + "\",\"typ\":\"JWT\","
          + "\"x5t\":\"" + teams.kid() + "\"}");
      assertThat(verifies(jwt, publishedKey(teams.kid()))).as("signature verifies against the keys document").isTrue();
      JsonNode claims = JSON.readTree(decode(parts[1]));
      assertThat(claims.path("serviceurl").asText()).isEqualTo(teams.serviceUrl()).endsWith("/teams/");
      assertThat(claims.path("iss").asText()).isEqualTo("https://api.botframework.com");
      assertThat(claims.path("aud").asText()).isEqualTo(APP);
      long now = before.getEpochSecond();
      assertThat(claims.path("nbf").asLong()).isBetween(now - 301, now - 299 + 5);
      assertThat(claims.path("exp").asLong()).isBetween(now + 3599, now + 3601 + 5);

      JsonNode invoke = JSON.readTree(request.body());
      assertThat(invoke.path("type").asText()).isEqualTo("invoke");
      assertThat(invoke.path("name").asText()).isEqualTo("adaptiveCard/action");
      assertThat(invoke.path("id").asText()).startsWith("f:");
      assertThat(Instant.parse(invoke.path("timestamp").asText())).isBetween(before.minusSeconds(1), Instant.now());
      assertThat(invoke.path("serviceUrl").asText()).isEqualTo(teams.serviceUrl());
      assertThat(invoke.path("channelId").asText()).isEqualTo("msteams");
      assertThat(invoke.path("from").path("id").asText()).isEqualTo(TeamsEmulator.userId(USER)).startsWith("29:");
      assertThat(invoke.path("from").path("name").asText()).isEqualTo("Ada Lovelace");
      assertThat(invoke.path("from").path("aadObjectId").asText()).isEqualTo(USER);
      assertThat(invoke.path("conversation").path("id").asText()).isEqualTo(CHANNEL);
      assertThat(invoke.path("conversation").path("conversationType").asText()).isEqualTo("channel");
      assertThat(invoke.path("conversation").path("tenantId").asText()).isEqualTo(TENANT);
      assertThat(invoke.path("conversation").path("isGroup").asBoolean()).isTrue();
      assertThat(invoke.path("recipient").path("id").asText()).isEqualTo("28:" + APP);
      assertThat(invoke.path("replyToId").asText()).isEqualTo(id);
      assertThat(invoke.path("channelData").path("tenant").path("id").asText()).isEqualTo(TENANT);
      assertThat(invoke.path("channelData").path("channel").path("id").asText()).isEqualTo(CHANNEL);
      assertThat(invoke.path("value").toString()).isEqualTo("{\"action\":{\"type\":\"Action.Execute\","
          + "\"verb\":\"approve\",\"data\":{\"decision\":\"d-1\"}},\"trigger\":\"manual\"}");

      assertThatThrownBy(() -> teams.click(id, "reject", USER, "Ada")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reject");
      assertThatThrownBy(() -> teams.click("no-such-id", "approve", USER, "Ada"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(bot.requests).isEmpty();
    }
  }

  @Test
  void sayMentionsTheBotAndTheBotCanReplyInItsThread() throws Exception {
    try (Bot bot = new Bot()) {
      teams.setBotEndpoint(bot.endpoint());
      assertThat(teams.say(CHANNEL, USER, "Ada", "status").status()).isEqualTo(200);
      Bot.Request request = bot.take();
      assertThat(verifies(request.authorization().substring(7), publishedKey(teams.kid()))).isTrue();
      JsonNode message = JSON.readTree(request.body());
      assertThat(message.path("type").asText()).isEqualTo("message");
      assertThat(message.path("text").asText()).isEqualTo("<at>sre-agent</at> status");
      JsonNode mention = message.path("entities").get(0);
      assertThat(mention.path("type").asText()).isEqualTo("mention");
      assertThat(mention.path("mentioned").path("id").asText()).isEqualTo("28:" + APP);
      assertThat(mention.path("text").asText()).isEqualTo("<at>sre-agent</at>");
      assertThat(message.path("conversation").path("id").asText()).isEqualTo(CHANNEL);

      String userMessage = message.path("id").asText();
      HttpResponse<String> reply = connector("POST", activities(CHANNEL) + "/" + userMessage, token(),
          text("all good"));
      assertThat(reply.statusCode()).isEqualTo(201);
      assertThat(teams.replies(userMessage)).extracting(TeamsEmulator.Message::text).containsExactly("all good");
      assertConnectorError(connector("PUT", activities(CHANNEL) + "/" + userMessage, token(), text("edited")), 404,
          "ActivityNotFound");
    }
  }

  @Test
  void forgedTokensAreSentAsGivenAndDoNotVerify() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair foreign = generator.generateKeyPair();
    Map<String, Object> claims = Map.of("aud", APP, "iss", "https://api.botframework.com");
    String forged = TeamsEmulator.jwtSignedBy(foreign, teams.kid(), claims);
    assertThat(verifies(forged, publishedKey(teams.kid()))).isFalse();
    assertThat(verifies(teams.jwt(claims), publishedKey(teams.kid()))).isTrue();
    assertThat(verifies(forged, foreign.getPublic())).as("a proper JWS, just with the wrong key").isTrue();

    String old = teams.defaultClaimsJwt();
    String oldKid = teams.kid();
    teams.rotateKey(false);
    assertThat(kids()).doesNotContain(oldKid);
    assertThat(JSON.readTree(decode(old.split("\\.")[0])).path("kid").asText()).isEqualTo(oldKid);

    try (Bot bot = new Bot()) {
      teams.setBotEndpoint(bot.endpoint());
      ObjectNode activity = JSON.createObjectNode().put("type", "message").put("text", "hi");
      teams.send(activity, "Bearer " + forged);
      assertThat(bot.take().authorization()).isEqualTo("Bearer " + forged);
      teams.send(activity, null);
      assertThat(bot.take().authorization()).isNull();
    }
    assertThat(new TeamsEmulator.Response(502, "<html>bad gateway").json().isMissingNode()).isTrue();
    assertThat(new TeamsEmulator.Response(200, "").json().isMissingNode()).isTrue();
  }

  // ---------------------------------------------------------------- helpers

  private String token() throws Exception {
    HttpResponse<String> r = tokenRequest(teams.tokenUrl(), "client_credentials", APP, PASSWORD,
        TeamsEmulator.SCOPE);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body()).path("access_token").asText();
  }

  private static HttpResponse<String> tokenRequest(String url, String grant, String client, String secret,
      String scope) throws Exception {
    String form = "grant_type=" + enc(grant) + "&client_id=" + enc(client) + "&client_secret=" + enc(secret)
        + "&scope=" + enc(scope);
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
        "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void assertAadError(HttpResponse<String> r, int status, String error, String description)
      throws IOException {
    assertThat(r.statusCode()).isEqualTo(status);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("error").asText()).isEqualTo(error);
    assertThat(body.path("error_description").asText()).startsWith(description);
    assertThat(body.path("error_codes").isArray()).isTrue();
  }

  private String activities(String conversationId) {
    return teams.serviceUrl() + "v3/conversations/" + enc(conversationId) + "/activities";
  }

  private static HttpResponse<String> connector(String method, String url, @Nullable String token, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertConnectorError(HttpResponse<String> r, int status, String code) throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isEqualTo(code);
  }

  private static String text(String text) {
    return JSON.createObjectNode().put("type", "message").put("text", text).toString();
  }

  private static ObjectNode card(String verb) throws IOException {
    return (ObjectNode) JSON.readTree("""
        {"type": "AdaptiveCard", "version": "1.4",
         "body": [{"type": "TextBlock", "text": "Restart checkout?"}],
         "actions": [{"type": "Action.Execute", "title": "Approve", "verb": "%s", "data": {"decision": "d-1"}}]}
        """.formatted(verb));
  }

  private static String cardActivity(String text, ObjectNode card) {
    ObjectNode activity = JSON.createObjectNode().put("type", "message").put("text", text);
    activity.putArray("attachments").addObject().put("contentType", TeamsEmulator.ADAPTIVE_CARD).set("content", card);
    return activity.toString();
  }

  private List<String> kids() throws Exception {
    return JSON.readTree(get(teams.keysUrl()).body()).path("keys").findValuesAsText("kid");
  }

  /** The public key {@code kid} rebuilt from the keys document's {@code n} and {@code e}. */
  private PublicKey publishedKey(String kid) throws Exception {
    for (JsonNode jwk : JSON.readTree(get(teams.keysUrl()).body()).path("keys")) {
      if (jwk.path("kid").asText().equals(kid)) {
        Base64.Decoder d = Base64.getUrlDecoder();
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(new BigInteger(1,
            d.decode(jwk.path("n").asText())), new BigInteger(1, d.decode(jwk.path("e").asText()))));
      }
    }
    throw new AssertionError("no published key " + kid);
  }

  private static boolean verifies(String jwt, PublicKey key) throws GeneralSecurityException {
    int last = jwt.lastIndexOf('.');
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initVerify(key);
    s.update(jwt.substring(0, last).getBytes(StandardCharsets.US_ASCII));
    return s.verify(Base64.getUrlDecoder().decode(jwt.substring(last + 1)));
  }

  private static String decode(String part) {
    return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A bot endpoint that records what it receives and answers an invoke response. */
  private static final class Bot implements AutoCloseable {
    record Request(@Nullable String authorization, @Nullable String contentType, String body) {}

    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    final HttpServer server;

    Bot() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
      server.createContext("/api/messages", ex -> {
        try (ex) {
          requests.add(new Request(ex.getRequestHeaders().getFirst("Authorization"),
              ex.getRequestHeaders().getFirst("Content-Type"),
              new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
          byte[] answer = ("{\"statusCode\":200,\"type\":\"application/vnd.microsoft.activity.message\","
              + "\"value\":\"ok\"}").getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(200, answer.length);
          ex.getResponseBody().write(answer);
        }
      });
      server.start();
    }

    URI endpoint() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/messages");
    }

    Request take() throws InterruptedException {
      return Optional.ofNullable(requests.poll(5, TimeUnit.SECONDS)).orElseThrow(() -> new AssertionError(
          "the bot received nothing"));
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
