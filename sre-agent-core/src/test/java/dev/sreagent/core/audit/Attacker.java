package dev.sreagent.core.audit;

import dev.sreagent.api.model.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What someone with write access to the audit files but without the key can do: read and rewrite lines, recompute
 * every SHA-256 of the chain and the head, copy the keyed markers and MACs of other records. Test fixture.
 */
final class Attacker {
  private static final String HASH_MARK = ",\"hash\":\"";
  private static final Pattern HASH = Pattern.compile(",\"hash\":\"([0-9a-f]{64})\"");
  private static final Pattern MAC = Pattern.compile(",\"mac\":\"([0-9a-f]{64})\"}$");
  private static final Pattern KID = Pattern.compile("\"kid\":\"([0-9a-f]{16})\"");
  private static final Pattern SEQ = Pattern.compile("^\\{\"seq\":\\d+");

  private Attacker() {}

  static String hashOf(String line) {
    Matcher m = HASH.matcher(line);
    @Nullable String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    if (last == null) {
      throw new IllegalArgumentException("no hash in " + line);
    }
    return last;
  }

  static String kidOf(String line) {
    Matcher m = KID.matcher(line);
    if (!m.find()) {
      throw new IllegalArgumentException("no key id in " + line);
    }
    return m.group(1);
  }

  static @Nullable String macOf(String line) {
    Matcher m = MAC.matcher(line);
    return m.find() ? m.group(1) : null;
  }

  /** A record line for {@code body} (JSON ending in '}'), its SHA-256 computed, with {@code mac} if not null. */
  static String seal(String body, @Nullable String mac) {
    return body.substring(0, body.length() - 1) + HASH_MARK + Digests.sha256(body) + "\""
        + (mac != null ? ",\"mac\":\"" + mac + "\"" : "") + "}";
  }

  /**
   * A forged {@code phase.changed} of certificate-expiry to AUTONOMOUS, correctly chained after {@code previous}; with
   * {@code kid} it copies the keyed markers (the key id is not secret) and carries {@code mac}.
   */
  static String forgedPromotion(String previous, long seq, @Nullable String kid, @Nullable String mac) {
    String body = "{\"seq\":" + seq + (kid != null ? ",\"alg\":\"hmac-sha256\",\"kid\":\"" + kid + "\"" : "")
        + ",\"ts\":\"2026-01-01T03:00:00Z\",\"type\":\"phase.changed\",\"incident\":null,\"actor\":\"alice\","
        + "\"data\":{\"from\":\"ASSIST\",\"reason\":\"operator override: approved rollout\",\"to\":\"AUTONOMOUS\","
        + "\"type\":\"certificate-expiry\"},\"prev\":\"" + hashOf(previous) + "\"}";
    return seal(body, mac);
  }

  /**
   * Renumbers the lines and recomputes every hash and back link, as if the edited lines had been written so; keeps
   * each line's MAC when {@code keepMacs} (it cannot make new ones). Lines without a recognisable hash stay as they
   * are.
   */
  static List<String> rechain(List<String> lines, boolean keepMacs) {
    List<String> out = new ArrayList<>();
    String prev = "0".repeat(64);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int mark = line.lastIndexOf(HASH_MARK);
      if (mark < 0) {
        out.add(line);
        continue;
      }
      String body = line.substring(0, mark) + "}";
      body = SEQ.matcher(body).replaceFirst("{\"seq\":" + (i + 1));
      int p = body.lastIndexOf("\"prev\":\"");
      if (p >= 0 && body.length() >= p + 8 + 64) {
        body = body.substring(0, p + 8) + prev + body.substring(p + 8 + 64);
      }
      String sealed = seal(body, keepMacs ? macOf(line) : null);
      out.add(sealed);
      prev = hashOf(sealed);
    }
    return out;
  }

  /** The head an attacker computes for {@code lines}: sequence and the last hash, no MAC. */
  static HashChainedAuditLog.Head plainHead(List<String> lines) {
    String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    return new HashChainedAuditLog.Head(lines.size(), HASH.matcher(last).find() ? hashOf(last) : "0".repeat(64));
  }

  static Path headFile(Path log) {
    return log.resolveSibling(log.getFileName() + ".head");
  }

  static void write(Path log, List<String> lines) throws IOException {
    Files.writeString(log, lines.isEmpty() ? "" : String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  static void writePlainHead(Path log, List<String> lines) throws IOException {
    HashChainedAuditLog.Head h = plainHead(lines);
    Files.writeString(headFile(log), h.sequence() + " " + h.hash() + "\n", StandardCharsets.UTF_8);
  }

  static List<String> read(Path log) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
    lines.removeIf(String::isEmpty);
    return lines;
  }
}
