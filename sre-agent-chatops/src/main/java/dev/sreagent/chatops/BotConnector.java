package dev.sreagent.chatops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The three Bot Connector calls the Teams adapter makes in its one conversation: send an activity, reply in an
 * activity's thread, and update an activity. Always to the configured service URL: never to one an inbound activity
 * names, so the bot's token goes nowhere else.
 */
final class BotConnector {
  /** What to do about the Connector's error codes, for the log line. */
  private static final Map<String, String> HINTS = Map.of(
      "BotNotInConversationRoster", "add the bot's app to the team of the channel chatops.teams.conversation names",
      "ConversationNotFound", "no such conversation: chatops.teams.conversation must be the channel's conversation"
          + " ID (19:...@thread.tacv2), and chatops.teams.service-url the region's Connector address",
      "ActivityNotFound", "the message was deleted in Teams",
      "MessageSizeTooBig", "Teams refused a message over its size limit (report it as a bug of sre-agent)",
      "BadArgument", "Teams refused the message's layout (report it as a bug of sre-agent)",
      "Unauthorized", "the Connector refused the bot's token: check chatops.teams.app-id and the bot's registration");

  private final HttpClient http;
  private final String base;
  private final String conversation;
  private final BotFrameworkTokens tokens;
  private final Duration timeout;

  BotConnector(HttpClient http, String serviceUrl, String conversation, BotFrameworkTokens tokens, Duration timeout) {
    this.http = http;
    this.base = (serviceUrl.endsWith("/") ? serviceUrl : serviceUrl + "/") + "v3/conversations/"
        + URLEncoder.encode(conversation, StandardCharsets.UTF_8).replace("+", "%20") + "/activities";
    this.conversation = conversation;
    this.tokens = tokens;
    this.timeout = timeout;
  }

  String describe() {
    return conversation + " via " + base.substring(0, base.indexOf("v3/"));
  }

  /** Sends {@code activity}; its ID. */
  String send(ObjectNode activity) throws ChatCallException, InterruptedException {
    return call("send", "POST", base, activity).path("id").asText("");
  }

  /** Replies in the thread of {@code activityId}; the reply's ID. */
  String reply(String activityId, ObjectNode activity) throws ChatCallException, InterruptedException {
    return call("reply", "POST", base + "/" + enc(activityId), activity).path("id").asText("");
  }

  /** Replaces what {@code activityId} shows. */
  void update(String activityId, ObjectNode activity) throws ChatCallException, InterruptedException {
    call("update", "PUT", base + "/" + enc(activityId), activity.deepCopy().put("id", activityId));
  }

  private JsonNode call(String what, String method, String url, ObjectNode activity)
      throws ChatCallException, InterruptedException {
    String token = tokens.token();
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json; charset=utf-8")
        .method(method, HttpRequest.BodyPublishers.ofString(activity.toString(), StandardCharsets.UTF_8)).build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ChatCallException(what, "unreachable", "cannot reach the Bot Connector: " + e, true, Duration.ZERO);
    }
    int status = response.statusCode();
    JsonNode answer = parse(response.body());
    if (status == 401) {
      tokens.refused();  // fetched again on the retry
      throw new ChatCallException(what, "Unauthorized", HINTS.get("Unauthorized"), true, Duration.ZERO);
    }
    if (status == 429) {
      long seconds = response.headers().firstValue("Retry-After").map(ChatCallException::seconds).orElse(1L);
      throw new ChatCallException(what, "TooManyRequests", "rate limited, retry after " + seconds + " s", true,
          Duration.ofSeconds(seconds));
    }
    if (status >= 500) {
      throw new ChatCallException(what, "http_" + status, "the Bot Connector answered HTTP " + status, true,
          Duration.ZERO);
    }
    if (status / 100 != 2) {
      String code = answer.path("error").path("code").asText("http_" + status);
      throw new ChatCallException(what, code, HINTS.getOrDefault(code, "the Bot Connector answered HTTP " + status),
          false, Duration.ZERO);
    }
    return answer;
  }

  private static JsonNode parse(@Nullable String body) {
    try {
      JsonNode n = body == null || body.isBlank() ? null : SlackWebApi.JSON.readTree(body);
      return n == null ? SlackWebApi.JSON.createObjectNode() : n;
    } catch (IOException e) {
      return SlackWebApi.JSON.createObjectNode();
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
