package dev.sreagent.chatops;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the bearer token the Bot Connector sends with every activity (Bot Framework's channel-to-bot
 * authentication): a JWT signed RS256 with a key published in the Bot Framework's OpenID metadata and endorsed for
 * Microsoft Teams, issued by {@value #ISSUER} for the bot's app ID, unexpired (five minutes of clock skew), and
 * naming the activity's service URL. Anything else is refused; no other algorithm is accepted. The keys are read
 * on first use and every 24 hours, and again for a key ID not seen; at most once a minute, whether the last read
 * succeeded or not (the keys read before serve until a read succeeds).
 */
final class BotFrameworkJwt {
  static final String ISSUER = "https://api.botframework.com";
  static final Duration SKEW = Duration.ofMinutes(5);
  private static final Duration KEYS_FOR = Duration.ofHours(24);
  private static final Duration FETCH_GAP = Duration.ofMinutes(1);
  private static final Logger LOG = LoggerFactory.getLogger(BotFrameworkJwt.class);
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();

  /** What {@link #check} found. */
  sealed interface Check permits Verified, Refused {}

  /** A verified token: when it expires (epoch seconds). */
  record Verified(long expires) implements Check {}

  /** A refused token: the reason for the counters ({@code unsigned}, {@code signature}, {@code stale}, ...). */
  record Refused(String reason, String detail, int status) implements Check {}

  private record Key(PublicKey key, boolean teams) {}

  private final HttpClient http;
  private final URI openIdUrl;
  private final String appId;
  private final Duration timeout;
  private final Clock wallClock;
  private volatile Map<String, Key> keys = Map.of();
  private Instant fetched = Instant.MIN;
  private Instant lastFetchAttempt = Instant.MIN;

  BotFrameworkJwt(HttpClient http, URI openIdUrl, String appId, Duration timeout, Clock wallClock) {
    this.http = http;
    this.openIdUrl = openIdUrl;
    this.appId = appId;
    this.timeout = timeout;
    this.wallClock = wallClock;
  }

  /**
   * The verified token, or why it is refused.
   *
   * @param authorization the {@code Authorization} header as received
   * @param serviceUrl the activity's {@code serviceUrl}
   */
  Check check(@Nullable String authorization, String serviceUrl) throws InterruptedException {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return new Refused("unsigned", "no Authorization: Bearer token", 401);
    }
    String[] parts = authorization.substring(7).strip().split("\\.", -1);
    if (parts.length != 3) {
      return new Refused("signature", "the bearer token is not a signed JWT", 401);
    }
    JsonNode header;
    JsonNode claims;
    byte[] sig;
    try {
      header = SlackWebApi.JSON.readTree(B64.decode(parts[0]));
      claims = SlackWebApi.JSON.readTree(B64.decode(parts[1]));
      sig = B64.decode(parts[2]);
    } catch (IOException | IllegalArgumentException e) {
      return new Refused("signature", "the bearer token is not a JWT", 401);
    }
    if (header == null || claims == null || !header.isObject() || !claims.isObject()) {
      return new Refused("signature", "the bearer token is not a JWT", 401);
    }
    if (!"RS256".equals(header.path("alg").asText())) {
      return new Refused("signature", "a JWT signed with '" + clip(header.path("alg").asText()) + "'; only RS256 is"
          + " accepted", 401);
    }
    String kid = header.path("kid").asText("");
    Instant now = wallClock.instant();
    Key key = key(kid, now);
    if (key == null) {
      return keys.isEmpty() ? new Refused("keys", "the Bot Framework's signing keys could not be read from "
          + openIdUrl, 503) : new Refused("signature", "signed with key '" + clip(kid) + "', which the Bot"
          + " Framework does not publish", 401);
    }
    if (!key.teams()) {
      return new Refused("signature", "key '" + clip(kid) + "' is not endorsed for Microsoft Teams", 401);
    }
    try {
      Signature verifier = Signature.getInstance("SHA256withRSA");
      verifier.initVerify(key.key());
      verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!verifier.verify(sig)) {
        return new Refused("signature", "the JWT's signature does not verify", 401);
      }
    } catch (GeneralSecurityException e) {
      return new Refused("signature", "the JWT's signature does not verify: " + e.getMessage(), 401);
    }
    if (!ISSUER.equals(claims.path("iss").asText())) {
      return new Refused("signature", "a JWT issued by '" + clip(claims.path("iss").asText()) + "', not " + ISSUER,
          401);
    }
    if (!audience(claims.path("aud"))) {
      return new Refused("signature", "a JWT for another app (aud '" + clip(claims.path("aud").toString()) + "')",
          401);
    }
    long t = now.getEpochSecond();
    if (!claims.path("exp").canConvertToLong() || claims.path("exp").asLong() + SKEW.toSeconds() < t) {
      return new Refused("stale", "an expired JWT", 401);
    }
    if (claims.has("nbf") && claims.path("nbf").asLong() - SKEW.toSeconds() > t) {
      return new Refused("stale", "a JWT not valid yet", 401);
    }
    String claimed = claims.path("serviceurl").asText(claims.path("serviceUrl").asText(""));
    if (claimed.isEmpty() || !trim(claimed).equals(trim(serviceUrl))) {
      return new Refused("signature", "the JWT's service URL is not the activity's", 401);
    }
    return new Verified(claims.path("exp").asLong() + SKEW.toSeconds());
  }

  private boolean audience(JsonNode aud) {
    if (aud.isArray()) {
      for (JsonNode a : aud) {
        if (appId.equalsIgnoreCase(a.asText())) {
          return true;
        }
      }
      return false;
    }
    return appId.equalsIgnoreCase(aud.asText());
  }

  private static String trim(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static String clip(String s) {
    String flat = s.replaceAll("\\p{Cntrl}", " ");
    return flat.length() > 60 ? flat.substring(0, 60) + "…" : flat;
  }

  private synchronized @Nullable Key key(String kid, Instant now) throws InterruptedException {
    boolean due = now.isAfter(fetched.plus(KEYS_FOR)) || !keys.containsKey(kid);
    // at most once a minute, even when the last read failed: a flood never becomes a flood of reads
    if (due && now.isAfter(lastFetchAttempt.plus(FETCH_GAP))) {
      lastFetchAttempt = now;
      try {
        keys = fetch();
        fetched = now;
      } catch (IOException e) {
        LOG.warn("Teams: cannot read the Bot Framework's signing keys from {}: {}; callbacks signed with a key not"
            + " read before are refused", openIdUrl, e.getMessage());
      }
    }
    return keys.get(kid);
  }

  private Map<String, Key> fetch() throws IOException, InterruptedException {
    JsonNode meta = get(openIdUrl);
    String jwks = meta.path("jwks_uri").asText("");
    URI jwksUri;
    try {
      jwksUri = URI.create(jwks);
    } catch (IllegalArgumentException e) {
      throw new IOException("the metadata's jwks_uri is not a URL");
    }
    if (!"https".equals(jwksUri.getScheme()) && !ChatConfig.loopback(jwks)) {
      throw new IOException("the metadata's jwks_uri is not https://");
    }
    Map<String, Key> out = new HashMap<>();
    for (JsonNode k : get(jwksUri).path("keys")) {
      if (!"RSA".equals(k.path("kty").asText()) || k.path("kid").asText("").isEmpty()) {
        continue;
      }
      boolean teams = false;
      for (JsonNode e : k.path("endorsements")) {
        teams |= "msteams".equals(e.asText());
      }
      try {
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
            new BigInteger(1, B64.decode(k.path("n").asText())), new BigInteger(1, B64.decode(k.path("e").asText()))));
        out.put(k.path("kid").asText(), new Key(key, teams));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        LOG.warn("Teams: skipped signing key '{}': {}", clip(k.path("kid").asText()), e.getMessage());
      }
    }
    if (out.isEmpty()) {
      throw new IOException("no RSA signing keys at " + jwksUri);
    }
    return Map.copyOf(out);
  }

  private JsonNode get(URI uri) throws IOException, InterruptedException {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    } catch (IllegalArgumentException e) {
      throw new IOException("not a URL the keys can be read from: " + clip(uri.toString()));
    }
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " from " + uri);
    }
    return SlackWebApi.JSON.readTree(r.body());
  }
}
