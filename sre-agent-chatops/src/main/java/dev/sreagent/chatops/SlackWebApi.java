package dev.sreagent.chatops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The few Slack Web API methods the adapter calls ({@code chat.postMessage}, {@code chat.update},
 * {@code chat.postEphemeral}), as JSON with the bot token as a bearer token. Slack answers HTTP 200 with
 * {@code "ok": false} and an error code for most failures, HTTP 429 with {@code Retry-After} when rate limited.
 */
final class SlackWebApi {
  static final ObjectMapper JSON = new ObjectMapper();

  /** What to do about an error code, for the log line. */
  private static final Map<String, String> HINTS = Map.of(
      "not_authed", "no token was sent: set the bot token",
      "invalid_auth", "the bot token is wrong or revoked: check chatops.slack.token-env",
      "token_revoked", "the bot token was revoked: reinstall the app and update the token",
      "account_inactive", "the app's bot user was deactivated: reinstall the app",
      "channel_not_found", "no such channel for this token: use the channel's ID (C...), not its name",
      "not_in_channel", "invite the app to the channel (/invite @app)",
      "missing_scope", "give the app the chat:write scope and reinstall it",
      "invalid_blocks", "Slack refused the message layout (report it as a bug of sre-agent)",
      "message_not_found", "the message was deleted in Slack");

  private final HttpClient http;
  private final String api;
  private final String token;
  private final Duration timeout;

  SlackWebApi(String apiUrl, String token, Duration timeout) {
    this.api = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    this.token = token;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  String describe() {
    return api;
  }

  /**
   * Calls {@code method} with {@code body}; the answer when {@code ok}.
   *
   * @throws ChatCallException for Slack's refusal, a rate limit, an HTTP error or an unreachable API
   */
  JsonNode call(String method, ObjectNode body) throws ChatCallException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/" + method)).timeout(timeout)
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ChatCallException(method, "unreachable", "cannot reach " + api + ": " + e, true, Duration.ZERO);
    }
    int status = response.statusCode();
    if (status == 429) {
      long seconds = response.headers().firstValue("Retry-After").map(ChatCallException::seconds).orElse(1L);
      throw new ChatCallException(method, "ratelimited", "rate limited, retry after " + seconds + " s", true,
          Duration.ofSeconds(seconds));
    }
    if (status >= 500) {
      throw new ChatCallException(method, "http_" + status, "Slack answered HTTP " + status, true, Duration.ZERO);
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new ChatCallException(method, "http_" + status, "not a Slack answer (HTTP " + status + ")", false,
          Duration.ZERO);
    }
    if (status != 200 || !answer.path("ok").asBoolean(false)) {
      String error = answer.path("error").asText("http_" + status);
      throw new ChatCallException(method, error, HINTS.getOrDefault(error, "see Slack's documentation of " + method),
          false, Duration.ZERO);
    }
    return answer;
  }
}
