package dev.sreagent.core.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The secret that keys an audit log: every record and the head carry an HMAC-SHA256 made with it, so someone who can
 * write the log file but does not hold the key cannot add, edit, re-chain or cut records without detection.
 *
 * <p>Keep the key apart from the log (another directory, readable only by the agent's user: {@code chmod 400}); the
 * configuration names where it is, never the key itself. Generate one with
 * {@code head -c 32 /dev/urandom | base64 > /etc/sre-agent/audit.key}.
 *
 * <p>{@link #id()} is a fingerprint (an HMAC of a constant, not the key) written into every keyed record, so an agent
 * configured with another key says so instead of reporting every record as forged.
 */
public final class AuditKey {
  /** The shortest key accepted, in bytes. */
  public static final int MIN_LENGTH = 32;
  static final String ALGORITHM = "hmac-sha256";
  private static final String JCA_NAME = "HmacSHA256";

  private final SecretKeySpec secret;
  private final String id;
  private final String source;

  private AuditKey(byte[] bytes, String source) {
    this.source = source;
    if (bytes.length < MIN_LENGTH) {
      throw new IllegalArgumentException("audit key must be at least " + MIN_LENGTH + " bytes, but was "
          + bytes.length + " bytes (" + source + "); generate one with: head -c 32 /dev/urandom | base64");
    }
    this.secret = new SecretKeySpec(bytes, JCA_NAME);
    this.id = mac("sre-agent audit key id").substring(0, 16);
    Arrays.fill(bytes, (byte) 0);
  }

  /** A key from raw bytes (at least {@value #MIN_LENGTH}), for example read from a secret manager. */
  public static AuditKey of(byte[] secret) {
    return new AuditKey(Objects.requireNonNull(secret, "secret").clone(), "given in code");
  }

  /**
   * The key held in {@code file}: its bytes, without trailing white space (so a base64 line with its newline works).
   *
   * @throws IllegalArgumentException when the file cannot be read or holds fewer than {@value #MIN_LENGTH} bytes
   */
  public static AuditKey fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("audit key file must be readable, but " + file + " could not be read ("
          + e + "); create it with: head -c 32 /dev/urandom | base64 > " + file, e);
    }
    return new AuditKey(stripTrailingWhitespace(bytes), "file " + file);
  }

  /**
   * The key held in the environment variable {@code variable} (its UTF-8 bytes, without trailing white space).
   *
   * @throws IllegalArgumentException when the variable is not set or too short
   */
  public static AuditKey fromEnvironment(String variable) {
    return fromEnvironment(variable, System::getenv);
  }

  static AuditKey fromEnvironment(String variable, Function<String, @Nullable String> environment) {
    Objects.requireNonNull(variable, "variable");
    String value = environment.apply(variable);
    if (value == null) {
      throw new IllegalArgumentException("audit key environment variable " + variable + " must be set, but is not;"
          + " export " + variable + "=$(head -c 32 /dev/urandom | base64) where the agent starts");
    }
    return new AuditKey(stripTrailingWhitespace(value.getBytes(StandardCharsets.UTF_8)),
        "environment variable " + variable);
  }

  private static byte[] stripTrailingWhitespace(byte[] bytes) {
    int end = bytes.length;
    while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r' || bytes[end - 1] == ' '
        || bytes[end - 1] == '\t')) {
      end--;
    }
    byte[] out = Arrays.copyOf(bytes, end);
    Arrays.fill(bytes, (byte) 0);
    return out;
  }

  /** The key's fingerprint (16 hex digits), written into every keyed record; reveals nothing about the key. */
  public String id() {
    return id;
  }

  /** Lower-case hex HMAC-SHA256 of the UTF-8 bytes of {@code text}. */
  String mac(String text) {
    try {
      Mac m = Mac.getInstance(JCA_NAME);
      m.init(secret);
      return HexFormat.of().formatHex(m.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }

  /** Whether {@code stated} is the MAC of {@code text}, compared in constant time. */
  boolean verifies(String text, @Nullable String stated) {
    return stated != null && MessageDigest.isEqual(mac(text).getBytes(StandardCharsets.US_ASCII),
        stated.getBytes(StandardCharsets.US_ASCII));
  }

  /** Names the key's id and where it came from, never the key. */
  @Override
  public String toString() {
    return "AuditKey[id=" + id + ", " + source + "]";
  }
}
