package dev.sreagent.chatops;

import dev.sreagent.api.Require;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Slack's request signing, version {@code v0}: {@code X-Slack-Signature} is {@code v0=} and the hex HMAC-SHA256,
 * keyed with the app's signing secret, of {@code v0:} + {@code X-Slack-Request-Timestamp} + {@code :} + the raw
 * body. A request is accepted only when the signature matches (compared in constant time) and its timestamp is
 * within {@link #tolerance()} of now, in either direction (Slack recommends five minutes).
 */
public final class SlackSignature {
  /** Slack's recommended window. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private final byte[] secret;
  private final Duration tolerance;

  /**
   * @param signingSecret the app's signing secret ("Basic Information" of the Slack app), not the bot token
   * @param tolerance how far a request's timestamp may be from now
   */
  public SlackSignature(String signingSecret, Duration tolerance) {
    Require.notBlank(signingSecret, "signingSecret");
    if (tolerance.isNegative() || tolerance.isZero()) {
      throw new IllegalArgumentException("tolerance must be positive, was " + tolerance);
    }
    this.secret = signingSecret.getBytes(StandardCharsets.UTF_8);
    this.tolerance = tolerance;
  }

  /** The window a timestamp must fall in. */
  public Duration tolerance() {
    return tolerance;
  }

  /** The {@code X-Slack-Signature} value for {@code body} sent at {@code timestamp} (epoch seconds, as sent). */
  public String sign(String timestamp, byte[] body) {
    Mac mac;
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
    mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
    return "v0=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  /**
   * Why the request must be refused, or empty when it is Slack's.
   *
   * @param timestamp the {@code X-Slack-Request-Timestamp} header (null when missing)
   * @param signature the {@code X-Slack-Signature} header (null when missing)
   * @param body the raw body, exactly as received
   * @param now the wall clock
   */
  public Optional<String> refusal(@Nullable String timestamp, @Nullable String signature, byte[] body, Instant now) {
    if (timestamp == null || signature == null) {
      return Optional.of("missing X-Slack-Request-Timestamp or X-Slack-Signature");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.strip());
    } catch (NumberFormatException e) {
      return Optional.of("X-Slack-Request-Timestamp is not epoch seconds");
    }
    long skew = Math.abs(now.getEpochSecond() - seconds);
    if (seconds < 0 || skew > tolerance.toSeconds()) {
      return Optional.of("stale: the request was signed " + skew + " s from now, more than " + tolerance.toSeconds()
          + " s (a replay, or this host's clock is wrong)");
    }
    byte[] expected = sign(timestamp.strip(), body).getBytes(StandardCharsets.US_ASCII);
    byte[] given = signature.strip().getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      return Optional.of("signature does not match (another signing secret, or the body was changed)");
    }
    return Optional.empty();
  }
}
