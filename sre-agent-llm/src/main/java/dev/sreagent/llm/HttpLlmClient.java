package dev.sreagent.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.Require;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;

/** The three provider APIs over the JDK HTTP client: request shape, headers, and where text and usage are. */
final class HttpLlmClient implements LlmClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Api { ANTHROPIC, OPENAI, OLLAMA }

  private final Api api;
  private final URI uri;
  private final String apiKey;
  private final String model;
  private final Duration timeout;
  private final HttpClient http;

  HttpLlmClient(Api api, String baseUrl, String apiKey, String model, Duration timeout) {
    this.api = api;
    String base = Objects.requireNonNull(baseUrl, "baseUrl").replaceAll("/+$", "");
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      throw new IllegalArgumentException("baseUrl must start with http:// or https://, but was '" + baseUrl + "'");
    }
    this.uri = URI.create(base + switch (api) {
      case ANTHROPIC -> "/v1/messages";
      case OPENAI -> "/v1/chat/completions";
      case OLLAMA -> "/api/chat";
    });
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    if (api != Api.OLLAMA && apiKey.isBlank()) {
      throw new IllegalArgumentException(api + " needs an API key (e.g. from the environment), but it was blank");
    }
    this.model = Require.notBlank(model, "model");
    this.timeout = Require.positive(timeout, "timeout");
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
  }

  @Override
  public String model() {
    return model;
  }

  /** The JSON body for the provider (package-private for tests of the request shape). */
  String body(Request r) {
    ObjectNode b = JSON.createObjectNode();
    b.put("model", model);
    switch (api) {
      case ANTHROPIC -> {
        b.put("max_tokens", r.maxTokens());
        b.put("system", r.system());
        b.putArray("messages").addObject().put("role", "user").put("content", r.user());
      }
      case OPENAI -> {
        b.put("max_tokens", r.maxTokens());
        b.putObject("response_format").put("type", "json_object");
        var messages = b.putArray("messages");
        messages.addObject().put("role", "system").put("content", r.system());
        messages.addObject().put("role", "user").put("content", r.user());
      }
      case OLLAMA -> {
        b.put("stream", false);
        b.put("format", "json");
        b.putObject("options").put("num_predict", r.maxTokens());
        var messages = b.putArray("messages");
        messages.addObject().put("role", "system").put("content", r.system());
        messages.addObject().put("role", "user").put("content", r.user());
      }
    }
    return b.toString();
  }

  @Override
  public Completion complete(Request r) throws LlmException {
    HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body(r)));
    switch (api) {
      case ANTHROPIC -> req.header("x-api-key", apiKey).header("anthropic-version", "2023-06-01");
      case OPENAI -> req.header("Authorization", "Bearer " + apiKey);
      case OLLAMA -> { }
    }
    HttpResponse<String> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new LlmException(api + " did not answer within " + timeout, true, e);
    } catch (IOException e) {
      throw new LlmException(api + " unreachable at " + uri + ": " + e.getMessage(), true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LlmException("interrupted", false, e);
    }
    int status = resp.statusCode();
    if (status != 200) {
      boolean retryable = status == 429 || status >= 500;
      String body = resp.body() == null ? "" : resp.body();
      throw new LlmException(api + " answered HTTP " + status + ": " + (body.length() > 300 ? body.substring(0, 300)
          : body), retryable);
    }
    try {
      JsonNode n = JSON.readTree(resp.body());
      return switch (api) {
        case ANTHROPIC -> {
          StringBuilder text = new StringBuilder();
          for (JsonNode c : n.path("content")) {
            if ("text".equals(c.path("type").asText())) {
              text.append(c.path("text").asText());
            }
          }
          yield new Completion(text.toString(), n.path("model").asText(model),
              n.path("usage").path("input_tokens").asLong(), n.path("usage").path("output_tokens").asLong());
        }
        case OPENAI -> new Completion(n.path("choices").path(0).path("message").path("content").asText(""),
            n.path("model").asText(model), n.path("usage").path("prompt_tokens").asLong(),
            n.path("usage").path("completion_tokens").asLong());
        case OLLAMA -> new Completion(n.path("message").path("content").asText(""), n.path("model").asText(model),
            n.path("prompt_eval_count").asLong(), n.path("eval_count").asLong());
      };
    } catch (IOException e) {
      throw new LlmException(api + " sent a body that is not JSON: " + e.getMessage(), true, e);
    }
  }
}
