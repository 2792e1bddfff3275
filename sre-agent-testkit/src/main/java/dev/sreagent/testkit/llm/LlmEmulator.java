package dev.sreagent.testkit.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sreagent.testkit.internal.JsonHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server that speaks the request and response shapes of three language-model APIs, answering with
 * scripted replies, and records every request it receives (so tests can check what left the process).
 *
 * <p>What it emulates: the Anthropic Messages API ({@code POST /v1/messages}: {@code x-api-key} and
 * {@code anthropic-version} headers required; answer {@code content[].text}, {@code usage.input_tokens /
 * output_tokens}), the OpenAI Chat Completions API ({@code POST /v1/chat/completions}: {@code Authorization: Bearer}
 * required; answer {@code choices[0].message.content}, {@code usage.prompt_tokens / completion_tokens}), and Ollama
 * ({@code POST /api/chat}; answer {@code message.content}, {@code prompt_eval_count / eval_count}). A missing key
 * gets 401 and a request without {@code model} or {@code messages} 400, in the provider's error shape. What it does
 * not emulate: any model (answers are scripted), streaming, tool use, rate-limit headers; token counts are the
 * scripted ones, or the request's characters / 4 when not scripted.
 *
 * <pre>{@code
 * try (LlmEmulator llm = LlmEmulator.start()) {
 *   llm.enqueue(LlmEmulator.Reply.text("{\"hypotheses\": [...]}"));
 *   LlmClient client = LlmClient.anthropic(llm.baseUrl(), "test-key", "claude-test", Duration.ofSeconds(2));
 * }
 * }</pre>
 */
public final class LlmEmulator implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A scripted reply.
   *
   * @param status HTTP status (200 for an answer)
   * @param text the model's text for a 200, or the error message otherwise
   * @param delay how long to wait before answering (to provoke client timeouts)
   * @param inputTokens scripted input tokens (-1: characters / 4)
   * @param outputTokens scripted output tokens (-1: characters / 4)
   */
  public record Reply(int status, String text, Duration delay, long inputTokens, long outputTokens) {
    /** A 200 answer with this text. */
    public static Reply text(String text) {
      return new Reply(200, text, Duration.ZERO, -1, -1);
    }

    /** An error status with a message. */
    public static Reply error(int status, String message) {
      return new Reply(status, message, Duration.ZERO, -1, -1);
    }

    /** The same reply after a delay. */
    public Reply delayedBy(Duration d) {
      return new Reply(status, text, d, inputTokens, outputTokens);
    }

    /** The same reply with these token counts. */
    public Reply withTokens(long in, long out) {
      return new Reply(status, text, delay, in, out);
    }
  }

  /**
   * A request as received.
   *
   * @param path the request path
   * @param headers the request headers (first value of each, lower-case names)
   * @param body the body as text
   */
  public record Recorded(String path, Map<String, String> headers, String body) {}

  private final HttpServer server;
  private final Deque<Reply> replies = new ArrayDeque<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();

  private LlmEmulator(HttpServer server) {
    this.server = server;
  }

  /** Starts on a free loopback port. */
  public static LlmEmulator start() {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      LlmEmulator e = new LlmEmulator(s);
      s.createContext("/", e::handle);
      s.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "llm-emulator");
        t.setDaemon(true);
        return t;
      }));
      s.start();
      return e;
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot start the LLM emulator", ex);
    }
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Queues a reply; replies are served in order. Without one, a request gets 500 "no scripted reply". */
  public synchronized LlmEmulator enqueue(Reply reply) {
    replies.addLast(reply);
    return this;
  }

  /** Every request received so far. */
  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  private synchronized Reply next() {
    Reply r = replies.pollFirst();
    return r != null ? r : Reply.error(500, "no scripted reply");
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> headers = new java.util.TreeMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
      requests.add(new Recorded(path, headers, body));
      String api = switch (path) {
        case "/v1/messages" -> "anthropic";
        case "/v1/chat/completions" -> "openai";
        case "/api/chat" -> "ollama";
        default -> null;
      };
      if (api == null || !ex.getRequestMethod().equals("POST")) {
        JsonHttp.reply(ex, 404, "{\"error\": \"not found: " + path + "\"}");
        return;
      }
      if (api.equals("anthropic") && (!headers.containsKey("x-api-key") || !headers.containsKey("anthropic-version"))
          || api.equals("openai") && !headers.getOrDefault("authorization", "").startsWith("Bearer ")) {
        JsonHttp.reply(ex, 401, error(api, "authentication_error", "missing or invalid API key"));
        return;
      }
      JsonNode req;
      try {
        req = JSON.readTree(body);
      } catch (IOException e) {
        JsonHttp.reply(ex, 400, error(api, "invalid_request_error", "body is not JSON"));
        return;
      }
      if (!req.path("model").isTextual() || !req.path("messages").isArray() || req.path("messages").isEmpty()) {
        JsonHttp.reply(ex, 400, error(api, "invalid_request_error", "model and messages are required"));
        return;
      }
      Reply r = next();
      if (!r.delay().isZero()) {
        try {
          Thread.sleep(r.delay().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (r.status() != 200) {
        JsonHttp.reply(ex, r.status(), error(api, r.status() == 429 ? "rate_limit_error" : "api_error", r.text()));
        return;
      }
      long in = r.inputTokens() >= 0 ? r.inputTokens() : body.length() / 4;
      long out = r.outputTokens() >= 0 ? r.outputTokens() : r.text().length() / 4;
      String model = req.path("model").asText();
      ObjectNode a = JSON.createObjectNode();
      switch (api) {
        case "anthropic" -> {
          a.put("id", "msg_emulated").put("type", "message").put("role", "assistant").put("model", model);
          a.putArray("content").addObject().put("type", "text").put("text", r.text());
          a.put("stop_reason", "end_turn");
          a.putObject("usage").put("input_tokens", in).put("output_tokens", out);
        }
        case "openai" -> {
          a.put("id", "chatcmpl-emulated").put("object", "chat.completion").put("model", model);
          ObjectNode choice = a.putArray("choices").addObject();
          choice.put("index", 0).put("finish_reason", "stop");
          choice.putObject("message").put("role", "assistant").put("content", r.text());
          a.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
        }
        default -> {
          a.put("model", model).put("done", true);
          a.putObject("message").put("role", "assistant").put("content", r.text());
          a.put("prompt_eval_count", in).put("eval_count", out);
        }
      }
      JsonHttp.reply(ex, 200, a.toString());
    }
  }

  private static String error(String api, String type, String message) {
    ObjectNode e = JSON.createObjectNode();
    if (api.equals("ollama")) {
      e.put("error", message);
      return e.toString();
    }
    if (api.equals("anthropic")) {
      e.put("type", "error");
    }
    e.putObject("error").put("type", type).put("message", message);
    return e.toString();
  }

  @Override
  public void close() {
    server.stop(0);
    if (server.getExecutor() instanceof java.util.concurrent.ExecutorService es) {
      es.shutdownNow();
    }
  }
}
