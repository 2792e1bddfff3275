package dev.sreagent.testkit.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A local HTTP emulator of the part of Slack a ChatOps app talks to, for tests without the internet. What it
 * emulates, and what it does not:
 * <ul>
 *   <li><b>Web API</b> ({@code POST /api/METHOD}, JSON bodies, the bot token as {@code Authorization: Bearer}):
 *       {@code chat.postMessage} (also in a thread, {@code thread_ts}), {@code chat.update} and
 *       {@code chat.postEphemeral}. Answers have Slack's shape: HTTP 200 with {@code "ok": true} and the message's
 *       {@code channel} and {@code ts}, or {@code "ok": false} with Slack's error codes {@code not_authed},
 *       {@code invalid_auth}, {@code channel_not_found}, {@code not_in_channel}, {@code no_text},
 *       {@code invalid_blocks} (more than 50 blocks, a section's text over 3,000 characters, a header's over 150, a
 *       button's value over 2,000, an unknown block type), {@code message_not_found}, {@code user_not_in_channel},
 *       {@code invalid_json}, {@code unknown_method}. Rate limits and outages are injected
 *       ({@link #rateLimitNext}, {@link #failNext}): HTTP 429 with {@code Retry-After}, HTTP 503. Block Kit is
 *       checked only for the limits listed; rendering, mrkdwn parsing and the other 200 methods are not emulated.</li>
 *   <li><b>Interactivity</b>: {@link #click} sends what Slack sends to the app's Request URL when a member clicks a
 *       button: {@code application/x-www-form-urlencoded} {@code payload=} a {@code block_actions} JSON (team, user,
 *       container, channel, message, response_url, trigger_id, actions), signed with the signing secret (v0,
 *       HMAC-SHA256, {@code X-Slack-Request-Timestamp} and {@code X-Slack-Signature}); {@link #command} sends a slash
 *       command's form the same way. Slack's 3 s answer deadline
 *       and its retries are not emulated; {@link #post} sends any bytes with any headers for forged and replayed
 *       callbacks.</li>
 * </ul>
 */
public final class SlackEmulator implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> BLOCK_TYPES = Set.of("header", "section", "context", "actions", "divider");

  private final HttpServer server;
  private final String token;
  private final String signingSecret;
  private final String teamId;
  private final Set<String> memberOf = ConcurrentHashMap.newKeySet();
  private final Set<String> channels = ConcurrentHashMap.newKeySet();
  private final List<Message> messages = new CopyOnWriteArrayList<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicLong nextTs = new AtomicLong(1_700_000_000_000100L);
  private final AtomicInteger rateLimited = new AtomicInteger();
  private final AtomicInteger failing = new AtomicInteger();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A message as the emulator holds it: its latest text and blocks, and how often it was updated. */
  public record Message(String channel, String ts, @Nullable String threadTs, String text, JsonNode blocks,
      @Nullable String ephemeralUser, int updates) {
    /** The texts of all its blocks, joined: what a reader sees, roughly. */
    public String shown() {
      StringBuilder sb = new StringBuilder(text);
      blocks.findValues("text").forEach(t -> sb.append('\n').append(t.isTextual() ? t.asText() : t.path("text")
          .asText()));
      return sb.toString();
    }

    /** Whether it still has the given button. */
    public boolean hasButton(String actionId) {
      return button(actionId).isPresent();
    }

    /** The button {@code actionId}, while the message has it. */
    public Optional<JsonNode> button(String actionId) {
      for (JsonNode b : blocks.findValues("elements")) {
        for (JsonNode e : b) {
          if (actionId.equals(e.path("action_id").asText())) {
            return Optional.of(e);
          }
        }
      }
      return Optional.empty();
    }
  }

  /** One Web API call as received: method, the HTTP status answered and Slack's error code (null when ok). */
  public record Call(String method, int status, @Nullable String error) {}

  /**
   * Starts on a free loopback port.
   *
   * @param token the bot token the API accepts
   * @param signingSecret the app's signing secret the callbacks are signed with
   * @param teamId the workspace's ID
   * @param channel a channel the app is a member of ({@link #addChannel} adds more)
   */
  public SlackEmulator(String token, String signingSecret, String teamId, String channel) throws IOException {
    this.token = token;
    this.signingSecret = signingSecret;
    this.teamId = teamId;
    addChannel(channel, true);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "slack-emulator");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/api/", this::api);
    server.start();
  }

  /** A channel; {@code member}: whether the app was invited to it. */
  public SlackEmulator addChannel(String channel, boolean member) {
    channels.add(channel);
    if (member) {
      memberOf.add(channel);
    }
    return this;
  }

  /** The Web API's base address, for the app's API URL setting. */
  public String apiUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
  }

  /** The next {@code n} Web API calls are answered HTTP 429 with {@code Retry-After: 1}. */
  public void rateLimitNext(int n) {
    rateLimited.set(n);
  }

  /** The next {@code n} Web API calls are answered HTTP 503. */
  public void failNext(int n) {
    failing.set(n);
  }

  /** Every message posted, in order (thread replies and ephemeral messages included), as it is now. */
  public List<Message> messages() {
    return List.copyOf(messages);
  }

  /** The top-level messages of {@code channel}. */
  public List<Message> channelMessages(String channel) {
    return messages.stream().filter(m -> m.channel().equals(channel) && m.threadTs() == null
        && m.ephemeralUser() == null).toList();
  }

  /** The replies in the thread of {@code parent}. */
  public List<Message> thread(Message parent) {
    return messages.stream().filter(m -> parent.ts().equals(m.threadTs())).toList();
  }

  /** The ephemeral messages shown to {@code user}. */
  public List<Message> ephemeral(String user) {
    return messages.stream().filter(m -> user.equals(m.ephemeralUser())).toList();
  }

  /** The message {@code ts} as it is now. */
  public Optional<Message> message(String ts) {
    return messages.stream().filter(m -> m.ts().equals(ts)).findFirst();
  }

  /** Every Web API call received. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  // ---------------------------------------------------------------- interactivity

  /** What the app answered a callback. */
  public record Answer(int status, String body) {}

  /**
   * Member {@code userId} clicks the button {@code actionId} of {@code message}: the {@code block_actions} callback
   * Slack sends, signed now, POSTed to {@code requestUrl}.
   */
  public Answer click(URI requestUrl, Message message, String actionId, String userId, String userName)
      throws IOException, InterruptedException {
    JsonNode button = message.button(actionId).orElseThrow(() -> new IllegalArgumentException("message "
        + message.ts() + " has no button " + actionId + " (any more)"));
    return post(requestUrl, blockActions(message, button, userId, userName), Instant.now(), null);
  }

  /**
   * Member {@code userId} runs {@code /sre-agent TEXT} in {@code channel}: the slash command's form body Slack sends,
   * signed now, POSTed to {@code requestUrl}.
   */
  public Answer command(URI requestUrl, String channel, String userId, String userName, String text)
      throws IOException, InterruptedException {
    return post(requestUrl, commandBody(channel, userId, userName, text), Instant.now(), null);
  }

  /** The form body of a slash command. */
  public byte[] commandBody(String channel, String userId, String userName, String text) {
    String[][] fields = {{"token", "deprecated-verification-token"}, {"team_id", teamId}, {"team_domain", "emulated"},
        {"channel_id", channel}, {"channel_name", "emulated"}, {"user_id", userId}, {"user_name", userName},
        {"command", "/sre-agent"}, {"text", text}, {"api_app_id", "A0EMULATED"},
        {"response_url", "http://127.0.0.1:9/commands/response-url-is-not-emulated"},
        {"trigger_id", "1.2." + System.nanoTime()}};
    StringBuilder sb = new StringBuilder();
    for (String[] f : fields) {
      sb.append(sb.length() == 0 ? "" : "&").append(f[0]).append('=').append(URLEncoder.encode(f[1],
          StandardCharsets.UTF_8));
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The form body Slack sends for a click on {@code button} of {@code message} by {@code userId}. */
  public byte[] blockActions(Message message, JsonNode button, String userId, String userName) {
    ObjectNode p = JSON.createObjectNode().put("type", "block_actions").put("api_app_id", "A0EMULATED")
        .put("token", "deprecated-verification-token").put("trigger_id", "1.2." + System.nanoTime())
        .put("response_url", "http://127.0.0.1:9/actions/response-url-is-not-emulated");
    p.putObject("team").put("id", teamId).put("domain", "emulated");
    p.putObject("user").put("id", userId).put("username", userName).put("name", userName).put("team_id", teamId);
    p.putObject("container").put("type", "message").put("message_ts", message.ts()).put("channel_id",
        message.channel()).put("is_ephemeral", false);
    p.putObject("channel").put("id", message.channel()).put("name", "emulated");
    ObjectNode m = p.putObject("message").put("type", "message").put("ts", message.ts()).put("text", message.text());
    m.set("blocks", message.blocks());
    ArrayNode actions = p.putArray("actions");
    ObjectNode a = actions.addObject().put("type", "button").put("action_id", button.path("action_id").asText())
        .put("block_id", "sreagent.decision").put("value", button.path("value").asText()).put("action_ts",
            String.format(Locale.ROOT, "%d.%06d", Instant.now().getEpochSecond(), System.nanoTime() % 1_000_000));
    a.set("text", button.path("text"));
    return ("payload=" + URLEncoder.encode(p.toString(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * POSTs {@code body} to {@code requestUrl} signed at {@code signedAt} with the signing secret, or with
   * {@code signature} as given when it is not null (a forgery).
   */
  public Answer post(URI requestUrl, byte[] body, Instant signedAt, @Nullable String signature)
      throws IOException, InterruptedException {
    String ts = Long.toString(signedAt.getEpochSecond());
    return send(requestUrl, body, ts, signature != null ? signature : sign(signingSecret, ts, body));
  }

  /** POSTs {@code body} with exactly these two headers (a replay sends a recorded pair again). */
  public Answer send(URI requestUrl, byte[] body, String timestamp, String signature)
      throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(requestUrl).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", timestamp)
        .header("X-Slack-Signature", signature).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  /** Slack's v0 signature, computed here independently of the app's code. */
  public static String sign(String secret, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
      return "v0=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- Web API

  private void api(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestURI().getPath().substring("/api/".length());
      if (rateLimited.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        ex.getResponseHeaders().set("Retry-After", "1");
        answer(ex, method, 429, JSON.createObjectNode().put("ok", false).put("error", "ratelimited"));
        return;
      }
      if (failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        answer(ex, method, 503, JSON.createObjectNode().put("ok", false).put("error", "service_unavailable"));
        return;
      }
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null || !auth.startsWith("Bearer ")) {
        answer(ex, method, 200, error("not_authed"));
        return;
      }
      if (!auth.substring("Bearer ".length()).equals(token)) {
        answer(ex, method, 200, error("invalid_auth"));
        return;
      }
      JsonNode body;
      try (InputStream in = ex.getRequestBody()) {
        body = JSON.readTree(in);
      } catch (IOException e) {
        answer(ex, method, 200, error("invalid_json"));
        return;
      }
      if (body == null || !body.isObject()) {
        answer(ex, method, 200, error("invalid_json"));
        return;
      }
      ObjectNode result = switch (method) {
        case "chat.postMessage" -> post(body, null);
        case "chat.postEphemeral" -> body.path("user").asText().isEmpty() ? error("user_not_in_channel")
            : post(body, body.path("user").asText());
        case "chat.update" -> update(body);
        default -> error("unknown_method");
      };
      answer(ex, method, 200, result);
    }
  }

  private ObjectNode post(JsonNode body, @Nullable String ephemeralUser) {
    String channel = body.path("channel").asText();
    String problem = check(body, channel);
    if (problem != null) {
      return error(problem);
    }
    String thread = body.hasNonNull("thread_ts") ? body.path("thread_ts").asText() : null;
    if (thread != null && messages.stream().noneMatch(m -> m.ts().equals(thread))) {
      return error("thread_not_found");
    }
    long n = nextTs.getAndIncrement();
    String ts = String.format(Locale.ROOT, "%d.%06d", n / 1_000_000, n % 1_000_000);
    messages.add(new Message(channel, ts, thread, body.path("text").asText(""), blocks(body), ephemeralUser, 0));
    ObjectNode ok = JSON.createObjectNode().put("ok", true).put("channel", channel);
    return ephemeralUser != null ? ok.put("message_ts", ts) : ok.put("ts", ts);
  }

  private synchronized ObjectNode update(JsonNode body) {
    String channel = body.path("channel").asText();
    String problem = check(body, channel);
    if (problem != null) {
      return error(problem);
    }
    String ts = body.path("ts").asText();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      if (m.ts().equals(ts) && m.channel().equals(channel) && m.ephemeralUser() == null) {
        messages.set(i, new Message(channel, ts, m.threadTs(), body.path("text").asText(m.text()),
            body.has("blocks") ? blocks(body) : m.blocks(), null, m.updates() + 1));
        return JSON.createObjectNode().put("ok", true).put("channel", channel).put("ts", ts);
      }
    }
    return error("message_not_found");
  }

  private @Nullable String check(JsonNode body, String channel) {
    if (!channels.contains(channel)) {
      return "channel_not_found";
    }
    if (!memberOf.contains(channel)) {
      return "not_in_channel";
    }
    if (body.path("text").asText("").isBlank() && !body.has("blocks")) {
      return "no_text";
    }
    JsonNode blocks = body.path("blocks");
    if (blocks.size() > 50) {
      return "invalid_blocks";
    }
    for (JsonNode b : blocks) {
      String type = b.path("type").asText();
      if (!BLOCK_TYPES.contains(type)) {
        return "invalid_blocks";
      }
      int max = "header".equals(type) ? 150 : 3000;
      if (b.path("text").path("text").asText("").length() > max) {
        return "invalid_blocks";
      }
      for (JsonNode e : b.path("elements")) {
        if (e.path("value").asText("").length() > 2000 || e.path("text").path("text").asText("").length() > 75
            || (e.has("action_id") && e.path("action_id").asText().length() > 255)) {
          return "invalid_blocks";
        }
      }
    }
    return null;
  }

  private static JsonNode blocks(JsonNode body) {
    return body.has("blocks") ? body.get("blocks").deepCopy() : JSON.createArrayNode();
  }

  private static ObjectNode error(String code) {
    return JSON.createObjectNode().put("ok", false).put("error", code);
  }

  private void answer(HttpExchange ex, String method, int status, ObjectNode body) throws IOException {
    calls.add(new Call(method, status, body.path("ok").asBoolean() ? null : body.path("error").asText()));
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
    Objects.requireNonNull(server.getExecutor());
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
