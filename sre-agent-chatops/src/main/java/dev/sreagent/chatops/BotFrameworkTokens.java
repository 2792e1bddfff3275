package dev.sreagent.chatops;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The bot's access token for the Bot Connector: the OAuth 2.0 client-credentials grant of the Microsoft identity
 * platform (app ID and client secret, scope {@value #SCOPE}), kept until five minutes before it expires (or half its
 * life, if shorter) and fetched again after the Connector refuses it.
 */
final class BotFrameworkTokens {
  static final String SCOPE = "https://api.botframework.com/.default";

  /** What to do about the identity platform's error codes, for the log line. */
  private static final Map<String, String> HINTS = Map.of(
      "invalid_client", "the client secret is wrong or expired: create a new one for the bot's app registration and"
          + " update the variable chatops.teams.app-password-env names",
      "unauthorized_client", "no such app ID in this tenant: check chatops.teams.app-id and chatops.teams.tenant",
      "invalid_request", "the tenant is wrong: check chatops.teams.tenant (the directory's ID, a GUID)",
      "invalid_scope", "the identity platform refused the Bot Framework scope (report it as a bug of sre-agent)");

  private final HttpClient http;
  private final URI tokenUrl;
  private final String appId;
  private final String appPassword;
  private final Duration timeout;
  private final Clock wallClock;
  private @Nullable String token;
  private Instant refreshAt = Instant.MIN;

  BotFrameworkTokens(HttpClient http, URI tokenUrl, String appId, String appPassword, Duration timeout,
      Clock wallClock) {
    this.http = http;
    this.tokenUrl = tokenUrl;
    this.appId = appId;
    this.appPassword = appPassword;
    this.timeout = timeout;
    this.wallClock = wallClock;
  }

  /** A token that has not expired, fetched when needed (one caller at a time: the adapter's sender thread). */
  synchronized String token() throws ChatCallException, InterruptedException {
    Instant now = wallClock.instant();
    if (token != null && now.isBefore(refreshAt)) {
      return token;
    }
    String form = "grant_type=client_credentials&client_id=" + enc(appId) + "&client_secret=" + enc(appPassword)
        + "&scope=" + enc(SCOPE);
    HttpRequest request = HttpRequest.newBuilder(tokenUrl).timeout(timeout)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8)).build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ChatCallException("token", "unreachable", "cannot reach " + tokenUrl + ": " + e, true,
          Duration.ZERO);
    }
    int status = response.statusCode();
    if (status == 429 || status >= 500) {
      throw new ChatCallException("token", "http_" + status, "the identity platform answered HTTP " + status, true,
          Duration.ofSeconds(response.headers().firstValue("Retry-After").map(ChatCallException::seconds)
              .orElse(0L)));
    }
    JsonNode answer;
    try {
      answer = SlackWebApi.JSON.readTree(response.body());
    } catch (IOException e) {
      answer = SlackWebApi.JSON.createObjectNode();
    }
    String access = answer.path("access_token").asText("");
    if (status != 200 || access.isEmpty()) {
      String error = answer.path("error").asText("http_" + status);
      String code = answer.path("error_description").asText("").split(":", 2)[0];  // AADSTS7000215, never the rest
      throw new ChatCallException("token", error, HINTS.getOrDefault(error, "see the identity platform's error "
          + code), false, Duration.ZERO);
    }
    long life = Math.max(1, answer.path("expires_in").asLong(3599));
    token = access;
    refreshAt = now.plusSeconds(life - Math.min(300, life / 2));
    return access;
  }

  /** The Connector refused the token: the next call fetches a new one. */
  synchronized void refused() {
    token = null;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
