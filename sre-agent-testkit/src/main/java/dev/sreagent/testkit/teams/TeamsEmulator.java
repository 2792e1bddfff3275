package dev.sreagent.testkit.teams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A local HTTP emulator of the parts of Microsoft Teams and Azure Bot Service a Teams approval bot talks to, for tests
 * without the internet. It listens on a free loopback port ({@link #baseUrl}). What it emulates, and what it does not:
 * <ul>
 *   <li><b>Token endpoint</b> of the Microsoft identity platform, client-credentials grant only
 *       ({@code POST /TENANT/oauth2/v2.0/token}, {@link #tokenUrl}): form fields {@code grant_type},
 *       {@code client_id}, {@code client_secret} and {@code scope=https://api.botframework.com/.default}. It answers
 *       an opaque random access token with {@code expires_in} (default 3,599 s, {@link #setTokenLifetime}), or Azure
 *       AD's error shape ({@code error}, {@code error_description} starting with the AADSTS code,
 *       {@code error_codes}) for an unknown tenant, an unsupported grant type, an unknown client, a wrong secret and a
 *       wrong scope. Real access tokens are JWTs, which a bot must not parse anyway; these are not.
 *       {@link #expireTokens} revokes every token issued so far. No other Azure AD flow, no certificate credentials
 *       or client assertions, no HTTP Basic client authentication, no {@code botframework.com} multi-tenant alias.</li>
 *   <li><b>OpenID metadata and signing keys</b> of the Bot Connector ({@link #openIdUrl}, {@link #keysUrl}): the
 *       metadata names the keys document; the keys are RSA-2048 JWKs ({@code kid}, {@code x5t}, {@code n},
 *       {@code e}, {@code endorsements: ["msteams"]}), generated at start, rotated with {@link #rotateKey}. The keys
 *       carry no {@code x5c} certificate chain, and an endorsements check by the bot is only as strong as this
 *       document: every key here is endorsed for {@code msteams}.</li>
 *   <li><b>Bot Connector</b> conversation API at {@link #serviceUrl} ({@code /teams/}, like
 *       {@code https://smba.trafficmanager.net/teams/}), an access token from the token endpoint required: send an
 *       activity to a conversation ({@code POST v3/conversations/ID/activities}), reply to one in its thread
 *       ({@code POST v3/conversations/ID/activities/ACTIVITY}) and replace one ({@code PUT} on the same path). Errors
 *       have the connector's shape {@code {"error": {"code", "message"}}}: 401 without a valid token,
 *       {@code ConversationNotFound}, {@code BotNotInConversationRoster}, {@code ActivityNotFound},
 *       {@code BadArgument} (not a JSON object, {@code type} not {@code message}, neither text nor attachments, an
 *       Adaptive Card without {@code type: AdaptiveCard}, {@code version} or {@code body}, an {@code Action.Execute}
 *       without a {@code verb}) and {@code MessageSizeTooBig} (a body over {@value #MAX_ACTIVITY_BYTES} bytes).
 *       Adaptive Cards are not rendered nor validated against their schema beyond those checks; other attachment
 *       types are accepted as they are. Rate limits and outages happen only when injected ({@link #failNext}).
 *       Not emulated: creating conversations and proactive installation ({@link #addConversation} registers them),
 *       members, deleting activities, {@code ;messageid=} thread conversation IDs, regional service URLs.</li>
 *   <li><b>Inbound requests to the bot</b> ({@link #setBotEndpoint}): {@link #click} sends the
 *       {@code adaptiveCard/action} invoke Teams sends when a user clicks an {@code Action.Execute} of a card the bot
 *       posted, {@link #say} a channel message that mentions the bot; both with {@code Authorization: Bearer} a JWT
 *       signed (RS256) with the current published key, claims {@code serviceurl}, {@code nbf}, {@code exp},
 *       {@code iss}, {@code aud}. {@link #send}, {@link #jwt} and {@link #jwtSignedBy} build forged or altered
 *       requests. Not emulated: Teams' 15-second deadline for the invoke answer and its retries, rendering the
 *       card the bot answers with, inputs ({@code Input.*} values merged into the action's data), personal and group
 *       chats, the Bot Framework Emulator's and other channels' tokens.</li>
 * </ul>
 *
 * <pre>{@code
 * try (TeamsEmulator teams = TeamsEmulator.start(appId, appPassword, tenantId)) {
 *   teams.addConversation("19:ops@thread.tacv2", true).setBotEndpoint(URI.create(bot + "/api/messages"));
 *   // the bot under test gets teams.tokenUrl(), teams.openIdUrl() and teams.serviceUrl()
 *   TeamsEmulator.Response r = teams.click(teams.messages().get(0).id(), "approve", aadObjectId, "Ada");
 * }
 * }</pre>
 */
public final class TeamsEmulator implements AutoCloseable {
  /** The largest activity body, in bytes, the Bot Connector accepts (Teams' message size limit, about 28 KB). */
  public static final int MAX_ACTIVITY_BYTES = 28_000;
  /** The scope a bot asks the token endpoint for. */
  public static final String SCOPE = "https://api.botframework.com/.default";
  /** The issuer of the Bot Connector's tokens and OpenID metadata. */
  public static final String ISSUER = "https://api.botframework.com";
  /** The content type of Adaptive Card attachments. */
  public static final String ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";
  /** The bot's display name, in mentions and as the recipient of inbound activities. */
  public static final String BOT_NAME = "sre-agent";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectReader STRICT = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String CONNECTOR_PATH = "/teams/";
  private static final String CONVERSATIONS = "v3/conversations/";
  private static final String DENIED = "Authorization has been denied for this request.";
  private static final DateTimeFormatter AAD_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private final HttpServer server;
  private final ExecutorService executor;
  private final String appId;
  private final String appPassword;
  private final String tenantId;
  private final Map<String, Boolean> conversations = new ConcurrentHashMap<>();
  private final Set<String> inboundIds = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
  private final List<Message> messages = new CopyOnWriteArrayList<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicLong lastActivityId = new AtomicLong();
  private final AtomicLong nextInvokeId = new AtomicLong(1_000_000_000_000_000_000L
      + RANDOM.nextInt(1_000_000_000) * 1_000_000_000L);
  private final AtomicInteger tokensIssued = new AtomicInteger();
  private final AtomicInteger keyFetches = new AtomicInteger();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile Duration tokenLifetime = Duration.ofSeconds(3599);
  private volatile SigningKey current;
  private volatile List<SigningKey> published;
  private volatile @Nullable URI botEndpoint;
  private volatile @Nullable RawAnswer keysOverride;
  private int faults;
  private int faultStatus;
  private @Nullable Duration faultRetryAfter;

  /**
   * A message the bot posted, as it is now.
   *
   * @param conversationId the conversation it is in
   * @param id its activity ID
   * @param replyToId the activity it replies to (in that activity's thread), or null for a new post
   * @param text its latest {@code text} ({@code ""} when it has none)
   * @param card the {@code content} of its latest first Adaptive Card attachment, or null when it has none
   * @param activity the latest activity received for it, as received
   * @param updates how often it was replaced ({@code PUT})
   */
  public record Message(String conversationId, String id, @Nullable String replyToId, String text,
      @Nullable JsonNode card, JsonNode activity, int updates) {}

  /**
   * One Bot Connector call as received.
   *
   * @param method the HTTP method
   * @param path the request path as sent (still URL-encoded)
   * @param status the HTTP status answered
   * @param body the request body as text
   */
  public record Call(String method, String path, int status, String body) {}

  /**
   * What the bot answered an inbound request.
   *
   * @param status the HTTP status
   * @param body the body as text
   */
  public record Response(int status, String body) {
    /** The body parsed as JSON, or a {@link MissingNode} when it is empty or not JSON. */
    public JsonNode json() {
      try {
        JsonNode node = JSON.readTree(body);
        return node == null ? MissingNode.getInstance() : node;
      } catch (JsonProcessingException e) {
        return MissingNode.getInstance();
      }
    }
  }

  private record SigningKey(String kid, KeyPair pair) {}

  private record Outcome(int status, JsonNode body, @Nullable String retryAfter) {}

  private record RawAnswer(int status, String body) {}

  private TeamsEmulator(String appId, String appPassword, String tenantId) throws IOException {
    this.appId = appId;
    this.appPassword = appPassword;
    this.tenantId = tenantId;
    current = newKey();
    published = List.of(current);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "teams-emulator");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::root);
    server.createContext("/v1/.well-known/", this::wellKnown);
    server.createContext(CONNECTOR_PATH, this::connector);
    server.start();
  }

  /**
   * Starts on a free loopback port, with a fresh RSA-2048 signing key.
   *
   * @param appId the bot's Microsoft App ID: the client ID the token endpoint knows, the {@code aud} of inbound JWTs
   * @param appPassword the bot's client secret
   * @param tenantId the tenant the token endpoint serves and the conversations belong to
   */
  public static TeamsEmulator start(String appId, String appPassword, String tenantId) throws IOException {
    return new TeamsEmulator(appId, appPassword, tenantId);
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The client-credentials token endpoint of the tenant. */
  public String tokenUrl() {
    return baseUrl() + "/" + tenantId + "/oauth2/v2.0/token";
  }

  /** The Bot Connector's OpenID metadata document. */
  public String openIdUrl() {
    return baseUrl() + "/v1/.well-known/openidconfiguration";
  }

  /** The keys document the OpenID metadata names as {@code jwks_uri}. */
  public String keysUrl() {
    return baseUrl() + "/v1/.well-known/keys";
  }

  /** The Bot Connector's service URL, with its trailing slash. */
  public String serviceUrl() {
    return baseUrl() + CONNECTOR_PATH;
  }

  /** The {@code kid} of the current signing key. */
  public String kid() {
    return current.kid();
  }

  /** Tokens issued from now on are valid for {@code lifetime} (whole seconds; zero: expired when issued). */
  public TeamsEmulator setTokenLifetime(Duration lifetime) {
    if (lifetime.isNegative()) {
      throw new IllegalArgumentException("negative token lifetime " + lifetime);
    }
    tokenLifetime = lifetime;
    return this;
  }

  /** Every access token issued so far is invalid from now on. */
  public void expireTokens() {
    tokens.clear();
  }

  /** How many access tokens the token endpoint issued. */
  public int tokensIssued() {
    return tokensIssued.get();
  }

  /** How many times the keys document was fetched. */
  public int keyFetches() {
    return keyFetches.get();
  }

  /**
   * Makes a new RSA-2048 key, with a new random {@code kid}, the one inbound requests are signed with from now on.
   *
   * @param keepOld whether the keys published so far stay in the keys document (otherwise it lists only the new key)
   * @return the new key's {@code kid}
   */
  public synchronized String rotateKey(boolean keepOld) {
    SigningKey key = newKey();
    List<SigningKey> keys = new ArrayList<>();
    keys.add(key);
    if (keepOld) {
      keys.addAll(published);
    }
    published = List.copyOf(keys);
    current = key;
    return key.kid();
  }

  /**
   * From now on the keys document is answered {@code status} with {@code body} as it is (an outage, a document with
   * junk, a key the test signs with); {@code setKeysDocument(200, null)}: the real document again. Fetches are
   * counted ({@link #keyFetches}) either way.
   */
  public TeamsEmulator setKeysDocument(int status, @Nullable String body) {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("setKeysDocument(" + status + ", ...)");
    }
    keysOverride = status == 200 && body == null ? null : new RawAnswer(status, body == null ? "" : body);
    return this;
  }

  /** Registers a channel conversation; {@code botIsMember}: whether the bot is installed in its team. */
  public TeamsEmulator addConversation(String conversationId, boolean botIsMember) {
    conversations.put(conversationId, botIsMember);
    return this;
  }

  /**
   * The next {@code count} Bot Connector calls are answered {@code status} without being applied, with the error
   * code Teams uses for it ({@code TooManyRequests} for 429, {@code ServiceUnavailable} for 503, ...) and, when
   * {@code retryAfter} is not null, a {@code Retry-After} header in whole seconds (rounded up).
   */
  public synchronized void failNext(int count, int status, @Nullable Duration retryAfter) {
    if (count < 0 || status < 400 || status > 599 || (retryAfter != null && retryAfter.isNegative())) {
      throw new IllegalArgumentException("failNext(" + count + ", " + status + ", " + retryAfter + ")");
    }
    faults = count;
    faultStatus = status;
    faultRetryAfter = retryAfter;
  }

  /** Every message the bot posted, in order (replies included), as it is now. */
  public List<Message> messages() {
    return List.copyOf(messages);
  }

  /** The message {@code id} as it is now. */
  public Optional<Message> message(String id) {
    return messages.stream().filter(m -> m.id().equals(id)).findFirst();
  }

  /** The bot's replies in the thread of activity {@code id}, in order. */
  public List<Message> replies(String id) {
    return messages.stream().filter(m -> id.equals(m.replyToId())).toList();
  }

  /** Every Bot Connector call received, in order (refused and failed ones included; token calls not). */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  // ---------------------------------------------------------------- inbound to the bot

  /** The bot's messaging endpoint, which {@link #click}, {@link #say} and {@link #send} POST to. */
  public TeamsEmulator setBotEndpoint(URI endpoint) {
    botEndpoint = endpoint;
    return this;
  }

  /**
   * User {@code aadObjectId} clicks the {@code Action.Execute} with {@code verb} on the latest card of message
   * {@code activityId}: the {@code adaptiveCard/action} invoke, signed now, POSTed to the bot's endpoint.
   *
   * @throws IllegalArgumentException when there is no such message, or its card has no such action (any more)
   */
  public Response click(String activityId, String verb, String aadObjectId, String userName)
      throws IOException, InterruptedException {
    return send(invokeActivity(activityId, verb, aadObjectId, userName), "Bearer " + defaultClaimsJwt());
  }

  /**
   * User {@code aadObjectId} posts {@code text} in channel {@code conversationId}, mentioning the bot: the message
   * activity, signed now, POSTed to the bot's endpoint. The bot may reply to it (its {@code id}).
   */
  public Response say(String conversationId, String aadObjectId, String userName, String text)
      throws IOException, InterruptedException {
    String id = nextActivityId();
    ObjectNode activity = inbound("message", id, conversationId, aadObjectId, userName);
    String mention = "<at>" + BOT_NAME + "</at>";
    activity.put("text", mention + " " + text).put("textFormat", "plain");
    ObjectNode entity = activity.putArray("entities").addObject().put("type", "mention");
    entity.putObject("mentioned").put("id", "28:" + appId).put("name", BOT_NAME);
    entity.put("text", mention);
    inboundIds.add(conversationId + '\n' + id);
    return send(activity, "Bearer " + defaultClaimsJwt());
  }

  /**
   * The invoke activity {@link #click} would send, not sent.
   *
   * @throws IllegalArgumentException when there is no such message, or its card has no such action (any more)
   */
  public ObjectNode invokeActivity(String activityId, String verb, String aadObjectId, String userName) {
    Message message = message(activityId).orElseThrow(() -> new IllegalArgumentException("no message "
        + activityId));
    JsonNode card = message.card();
    List<JsonNode> actions = new ArrayList<>();
    if (card != null) {
      executeActions(card, actions);
    }
    JsonNode action = actions.stream().filter(a -> verb.equals(a.path("verb").asText())).findFirst().orElseThrow(
        () -> new IllegalArgumentException("message " + activityId + " has no Action.Execute with verb " + verb
            + " (any more)"));
    ObjectNode activity = inbound("invoke", "f:" + nextInvokeId.getAndIncrement(), message.conversationId(),
        aadObjectId, userName);
    activity.put("name", "adaptiveCard/action").put("replyToId", activityId);
    ObjectNode value = activity.putObject("value");
    ObjectNode a = value.putObject("action").put("type", "Action.Execute").put("verb", verb);
    JsonNode data = action.get("data");
    a.set("data", data == null || data.isNull() ? JSON.createObjectNode() : data.deepCopy());
    value.put("trigger", "manual");
    return activity;
  }

  /** POSTs {@code activity} to the bot's endpoint with this {@code Authorization} header (none when null). */
  public Response send(JsonNode activity, @Nullable String authorizationHeader)
      throws IOException, InterruptedException {
    URI endpoint = botEndpoint;
    if (endpoint == null) {
      throw new IllegalStateException("no bot endpoint: call setBotEndpoint first");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json; charset=utf-8")
        .header("User-Agent", "Microsoft-SkypeBotApi (Microsoft-BotFramework 3.0)")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(activity)));
    if (authorizationHeader != null) {
      request.header("Authorization", authorizationHeader);
    }
    HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }

  /** A JWT with these claims, signed with the current published key (header {@code alg, kid, typ, x5t}). */
  public String jwt(Map<String, Object> claims) {
    SigningKey key = current;
    return jwtSignedBy(key.pair(), key.kid(), claims);
  }

  /**
   * The JWT the Bot Connector would send now: {@code serviceurl} = {@link #serviceUrl}, {@code nbf} = now - 300 s,
   * {@code exp} = now + 3,600 s, {@code iss} = {@value #ISSUER}, {@code aud} = the app ID.
   */
  public String defaultClaimsJwt() {
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("serviceurl", serviceUrl());
    claims.put("nbf", now - 300);
    claims.put("exp", now + 3600);
    claims.put("iss", ISSUER);
    claims.put("aud", appId);
    return jwt(claims);
  }

  /**
   * A compact JWS (RFC 7515) of {@code claims}: header {@code {"alg":"RS256","kid":KID,"typ":"JWT","x5t":KID}},
   * signed SHA256withRSA (PKCS#1 v1.5) with {@code key}'s private key, every part base64url without padding. For
   * forgeries with keys the emulator does not publish.
   */
  public static String jwtSignedBy(KeyPair key, String kid, Map<String, Object> claims) {
    ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("kid", kid).put("typ", "JWT").put("x5t", kid);
    try {
      String input = B64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
          + B64URL.encodeToString(JSON.writeValueAsBytes(claims));
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key.getPrivate());
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64URL.encodeToString(signature.sign());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("claims are not JSON: " + e.getOriginalMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
    }
  }

  /** The {@code from.id} Teams gives user {@code aadObjectId} (derived from it, stable). */
  public static String userId(String aadObjectId) {
    return "29:1" + B64URL.encodeToString(sha256(aadObjectId.getBytes(StandardCharsets.UTF_8)));
  }

  private ObjectNode inbound(String type, String id, String conversationId, String aadObjectId, String userName) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    ObjectNode a = JSON.createObjectNode().put("type", type).put("id", id).put("timestamp", now.toString())
        .put("localTimestamp", OffsetDateTime.ofInstant(now, ZoneId.systemDefault()).toString())
        .put("serviceUrl", serviceUrl()).put("channelId", "msteams");
    a.putObject("from").put("id", userId(aadObjectId)).put("name", userName).put("aadObjectId", aadObjectId);
    a.putObject("conversation").put("id", conversationId).put("conversationType", "channel").put("tenantId",
        tenantId).put("isGroup", true);
    a.putObject("recipient").put("id", "28:" + appId).put("name", BOT_NAME);
    ObjectNode channelData = a.putObject("channelData");
    channelData.putObject("tenant").put("id", tenantId);
    channelData.putObject("channel").put("id", conversationId);
    return a;
  }

  // ---------------------------------------------------------------- token endpoint

  private void root(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      String[] path = ex.getRequestURI().getPath().split("/", -1);
      if (path.length != 5 || !path[2].equals("oauth2") || !path[3].equals("v2.0") || !path[4].equals("token")) {
        reply(ex, error(404, "NotFound", "No such resource: " + ex.getRequestURI().getPath()));
      } else if (!"POST".equals(ex.getRequestMethod())) {
        ex.getResponseHeaders().set("Allow", "POST");
        reply(ex, aadError(405, "invalid_request", 900561, "The endpoint only accepts POST requests."));
      } else {
        reply(ex, token(path[1], ex.getRequestHeaders().getFirst("Content-Type"), body));
      }
    }
  }

  private Outcome token(String tenant, @Nullable String contentType, byte[] body) {
    if (!tenant.equalsIgnoreCase(tenantId)) {
      return aadError(400, "invalid_request", 90002, "Tenant '" + tenant + "' not found. Check to make sure you have "
          + "the correct tenant ID and are signing into the correct cloud.");
    }
    Map<String, String> form = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(
        "application/x-www-form-urlencoded") ? form(new String(body, StandardCharsets.UTF_8)) : Map.of();
    String grant = form.get("grant_type");
    if (grant == null) {
      return aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: "
          + "'grant_type'.");
    }
    if (!grant.equals("client_credentials")) {
      return aadError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '" + grant
          + "'.");
    }
    String client = form.getOrDefault("client_id", "");
    if (!client.equalsIgnoreCase(appId)) {
      return aadError(400, "unauthorized_client", 700016, "Application with identifier '" + client + "' was not "
          + "found in the directory '" + tenantId + "'. This can happen if the application has not been installed by "
          + "the administrator of the tenant or consented to by any user in the tenant. You may have sent your "
          + "authentication request to the wrong tenant.");
    }
    String secret = form.get("client_secret");
    if (secret == null) {
      return aadError(401, "invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is required "
          + "for the 'client_credentials' grant type.");
    }
    if (!MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), appPassword.getBytes(
        StandardCharsets.UTF_8))) {
      return aadError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent "
          + "in the request is the client secret value, not the client secret ID, for a secret added to app '" + appId
          + "'.");
    }
    String scope = form.getOrDefault("scope", "");
    if (!scope.equals(SCOPE)) {
      return aadError(400, "invalid_scope", 70011, "The provided request must include a 'scope' input parameter. "
          + "The provided value for the input parameter 'scope' is not valid. The scope '" + scope + "' is not valid.");
    }
    long seconds = tokenLifetime.getSeconds();
    String token = B64URL.encodeToString(randomBytes(48));
    tokens.put(token, Instant.now().plusSeconds(seconds));
    tokensIssued.incrementAndGet();
    return new Outcome(200, JSON.createObjectNode().put("token_type", "Bearer").put("expires_in", seconds)
        .put("ext_expires_in", seconds).put("access_token", token), null);
  }

  private static Map<String, String> form(String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (pair.isEmpty()) {
        continue;
      }
      try {
        String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        form.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // a malformed escape: the field is ignored, as if it were not sent
      }
    }
    return form;
  }

  private static Outcome aadError(int status, String error, int code, String description) {
    Instant now = Instant.now();
    String trace = UUID.randomUUID().toString();
    String correlation = UUID.randomUUID().toString();
    ObjectNode body = JSON.createObjectNode().put("error", error).put("error_description", "AADSTS" + code + ": "
        + description + "\r\nTrace ID: " + trace + "\r\nCorrelation ID: " + correlation + "\r\nTimestamp: "
        + AAD_TIME.format(now));
    body.putArray("error_codes").add(code);
    body.put("timestamp", AAD_TIME.format(now)).put("trace_id", trace).put("correlation_id", correlation);
    return new Outcome(status, body, null);
  }

  // ---------------------------------------------------------------- OpenID metadata and keys

  private void wellKnown(HttpExchange ex) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getPath();
      boolean metadata = path.equals("/v1/.well-known/openidconfiguration");
      boolean keys = path.equals("/v1/.well-known/keys");
      if (!metadata && !keys) {
        reply(ex, error(404, "NotFound", "No such resource: " + path));
      } else if (!"GET".equals(ex.getRequestMethod())) {
        ex.getResponseHeaders().set("Allow", "GET");
        reply(ex, error(405, "MethodNotAllowed", "Only GET is supported."));
      } else if (keys) {
        keyFetches.incrementAndGet();
        RawAnswer override = keysOverride;
        if (override != null) {
          byte[] bytes = override.body().getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
          ex.sendResponseHeaders(override.status(), bytes.length == 0 ? -1 : bytes.length);
          ex.getResponseBody().write(bytes);
        } else {
          reply(ex, new Outcome(200, keysDocument(), null));
        }
      } else {
        ObjectNode m = JSON.createObjectNode().put("issuer", ISSUER).put("authorization_endpoint",
            "https://invalid.botframework.com").put("jwks_uri", keysUrl());
        m.putArray("id_token_signing_alg_values_supported").add("RS256");
        m.putArray("token_endpoint_auth_methods_supported").add("private_key_jwt");
        reply(ex, new Outcome(200, m, null));
      }
    }
  }

  private JsonNode keysDocument() {
    ObjectNode doc = JSON.createObjectNode();
    ArrayNode keys = doc.putArray("keys");
    for (SigningKey key : published) {
      RSAPublicKey pub = (RSAPublicKey) key.pair().getPublic();
      ObjectNode jwk = keys.addObject().put("kty", "RSA").put("use", "sig").put("kid", key.kid()).put("x5t",
          key.kid()).put("n", B64URL.encodeToString(unsigned(pub.getModulus()))).put("e", B64URL.encodeToString(
          unsigned(pub.getPublicExponent())));
      jwk.putArray("endorsements").add("msteams");
    }
    return doc;
  }

  // ---------------------------------------------------------------- Bot Connector

  private void connector(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getRawPath();
      Outcome outcome = connector(method, path, ex.getRequestHeaders().getFirst("Authorization"), body);
      calls.add(new Call(method, path, outcome.status(), new String(body, StandardCharsets.UTF_8)));
      reply(ex, outcome);
    }
  }

  private Outcome connector(String method, String path, @Nullable String authorization, byte[] body) {
    Outcome fault = takeFault();
    if (fault != null) {
      return fault;
    }
    if (!authorized(authorization)) {
      return new Outcome(401, JSON.createObjectNode().put("message", DENIED), null);
    }
    String rest = path.substring(CONNECTOR_PATH.length());
    String[] segments = rest.startsWith(CONVERSATIONS) ? rest.substring(CONVERSATIONS.length()).split("/", -1)
        : new String[0];
    if (segments.length < 2 || segments.length > 3 || segments[0].isEmpty() || !segments[1].equals("activities")
        || (segments.length == 3 && segments[2].isEmpty())) {
      return error(404, "NotFound", "No such resource: " + path);
    }
    boolean post = method.equals("POST");
    if (segments.length == 2 ? !post : !(post || method.equals("PUT"))) {
      return error(405, "MethodNotAllowed", "The requested resource does not support http method '" + method + "'.");
    }
    String conversationId;
    String activityId;
    try {
      conversationId = pathDecode(segments[0]);
      activityId = segments.length == 3 ? pathDecode(segments[2]) : null;
    } catch (IllegalArgumentException e) {
      return error(400, "BadArgument", "Malformed URL encoding in " + path);
    }
    Boolean member = conversations.get(conversationId);
    if (member == null) {
      return error(404, "ConversationNotFound", "Conversation not found.");
    }
    if (!member) {
      return error(403, "BotNotInConversationRoster", "The bot is not part of the conversation roster.");
    }
    // a reply may answer a user's message too; only the bot's own messages can be replaced
    if (activityId != null && !exists(conversationId, activityId)
        && !(post && inboundIds.contains(conversationId + '\n' + activityId))) {
      return error(404, "ActivityNotFound", "Activity " + activityId + " not found in the conversation.");
    }
    if (body.length > MAX_ACTIVITY_BYTES) {
      return error(413, "MessageSizeTooBig", "Message size too big: " + body.length + " bytes, the limit is "
          + MAX_ACTIVITY_BYTES + ".");
    }
    JsonNode activity;
    try {
      activity = STRICT.readTree(body);
    } catch (IOException e) {
      return error(400, "BadArgument", "The request body is not valid JSON.");
    }
    String problem = check(activity);
    if (problem != null) {
      return error(400, "BadArgument", problem);
    }
    if (post) {
      String id = nextActivityId();
      messages.add(new Message(conversationId, id, activityId, text(activity), card(activity), activity, 0));
      return new Outcome(201, JSON.createObjectNode().put("id", id), null);
    }
    replace(conversationId, activityId, activity);
    return new Outcome(200, JSON.createObjectNode().put("id", activityId), null);
  }

  private synchronized void replace(String conversationId, String id, JsonNode activity) {
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      if (m.conversationId().equals(conversationId) && m.id().equals(id)) {
        messages.set(i, new Message(conversationId, id, m.replyToId(), text(activity), card(activity), activity,
            m.updates() + 1));
        return;
      }
    }
  }

  private boolean exists(String conversationId, String id) {
    return messages.stream().anyMatch(m -> m.conversationId().equals(conversationId) && m.id().equals(id));
  }

  private boolean authorized(@Nullable String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    Instant expires = tokens.get(header.substring(7).trim());
    return expires != null && Instant.now().isBefore(expires);
  }

  private synchronized @Nullable Outcome takeFault() {
    if (faults == 0) {
      return null;
    }
    faults--;
    String code = switch (faultStatus) {
      case 429 -> "TooManyRequests";
      case 500 -> "InternalServerError";
      case 502 -> "BadGateway";
      case 503 -> "ServiceUnavailable";
      case 504 -> "GatewayTimeout";
      default -> "ServiceError";
    };
    Duration after = faultRetryAfter;
    String retryAfter = after == null ? null : Long.toString(after.getSeconds() + (after.getNano() > 0 ? 1 : 0));
    return new Outcome(faultStatus, error(faultStatus, code, "Injected failure (" + faultStatus + ").").body(),
        retryAfter);
  }

  /** Why the connector refuses {@code activity} as a message, or null. */
  private static @Nullable String check(JsonNode activity) {
    if (!activity.isObject()) {
      return "The request body must be a JSON object (an Activity).";
    }
    JsonNode type = activity.path("type");
    if (!type.isTextual() || !type.textValue().equals("message")) {
      return "Activity type must be 'message', was " + (type.isMissingNode() ? "missing" : type.toString()) + ".";
    }
    JsonNode attachments = activity.path("attachments");
    if (!attachments.isMissingNode() && !attachments.isNull() && !attachments.isArray()) {
      return "attachments must be an array.";
    }
    if (text(activity).isBlank() && attachments.isEmpty()) {
      return "The activity has neither text nor attachments.";
    }
    for (int i = 0; i < attachments.size(); i++) {
      JsonNode attachment = attachments.get(i);
      if (!attachment.isObject()) {
        return "attachments[" + i + "] is not an object.";
      }
      if (ADAPTIVE_CARD.equals(attachment.path("contentType").asText())) {
        String problem = checkCard(attachment.path("content"));
        if (problem != null) {
          return "attachments[" + i + "]: " + problem;
        }
      }
    }
    return null;
  }

  private static @Nullable String checkCard(JsonNode card) {
    if (!card.isObject()) {
      return "an Adaptive Card's content must be a JSON object.";
    }
    if (!"AdaptiveCard".equals(card.path("type").asText())) {
      return "the card's type must be 'AdaptiveCard'.";
    }
    if (card.path("version").asText().isBlank()) {
      return "the card has no version.";
    }
    if (!card.path("body").isArray()) {
      return "the card has no body array.";
    }
    List<JsonNode> actions = new ArrayList<>();
    executeActions(card, actions);
    for (JsonNode action : actions) {
      JsonNode verb = action.path("verb");
      if (!verb.isTextual() || verb.textValue().isBlank()) {
        return "an Action.Execute (title '" + action.path("title").asText() + "') has no verb.";
      }
    }
    return null;
  }

  /** Every {@code Action.Execute} in {@code node}, at any depth (actions, action sets, containers, show-cards). */
  private static void executeActions(JsonNode node, List<JsonNode> into) {
    if (node.isObject() && "Action.Execute".equals(node.path("type").asText())) {
      into.add(node);
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        executeActions(child, into);
      }
    }
  }

  private static String text(JsonNode activity) {
    JsonNode text = activity.path("text");
    return text.isTextual() ? text.textValue() : "";
  }

  private static @Nullable JsonNode card(JsonNode activity) {
    for (JsonNode attachment : activity.path("attachments")) {
      if (ADAPTIVE_CARD.equals(attachment.path("contentType").asText())) {
        return attachment.path("content").deepCopy();
      }
    }
    return null;
  }

  private String nextActivityId() {
    return Long.toString(lastActivityId.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis())));
  }

  // ---------------------------------------------------------------- helpers

  /** Percent-decodes a path segment ({@code +} stays a plus, unlike in forms). */
  private static String pathDecode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static Outcome error(int status, String code, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("code", code).put("message", message);
    return new Outcome(status, body, null);
  }

  private static void reply(HttpExchange ex, Outcome outcome) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(outcome.body());
    if (outcome.retryAfter() != null) {
      ex.getResponseHeaders().set("Retry-After", outcome.retryAfter());
    }
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(outcome.status(), bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static SigningKey newKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      return new SigningKey(B64URL.encodeToString(randomBytes(20)), generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
