package dev.sreagent.core.audit;

import dev.sreagent.core.audit.HashChainedAuditLog.Head;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jspecify.annotations.Nullable;

/**
 * The sidecar {@code <file>.head} of a {@link HashChainedAuditLog}: one line {@code "<sequence> <hash>"}, followed in a
 * keyed log by the HMAC of {@code "sre-agent audit head <sequence> <hash>"}. It is replaced atomically (written beside
 * it, then moved over it); a head that does not have that shape reads as {@code -1 unreadable}.
 */
final class AuditHeadFile {
  private static final String HEAD_MAC_PREFIX = "sre-agent audit head ";

  private AuditHeadFile() {}

  /** What the head's MAC covers. */
  static String macText(Head head) {
    return HEAD_MAC_PREFIX + head.sequence() + " " + head.hash();
  }

  /** The head covering {@code sequence} records ending with {@code hash}, with its MAC when {@code key} is set. */
  static Head headFor(long sequence, String hash, @Nullable AuditKey key) {
    Head plain = new Head(sequence, hash);
    return key == null ? plain : new Head(sequence, hash, key.mac(macText(plain)));
  }

  /** The head file of the log {@code f}. */
  static Path of(Path f) {
    return f.resolveSibling(f.getFileName() + ".head");
  }

  /** The head of the log {@code f}, or null when it has no head file. */
  static @Nullable Head read(Path f) throws IOException {
    Path h = of(f);
    if (!Files.exists(h)) {
      return null;
    }
    String[] parts = Files.readString(h, StandardCharsets.UTF_8).trim().split(" ");
    if (parts.length != 2 && parts.length != 3) {
      return new Head(-1, "unreadable");
    }
    try {
      long seq = Long.parseLong(parts[0]);
      return seq < 0 ? new Head(-1, "unreadable") : new Head(seq, parts[1], parts.length == 3 ? parts[2] : null);
    } catch (NumberFormatException e) {
      return new Head(-1, "unreadable");
    }
  }

  /** Replaces the head of the log {@code f}. */
  static void write(Path f, Head head) throws IOException {
    Path h = of(f);
    Path tmp = h.resolveSibling(h.getFileName() + ".tmp");
    Files.writeString(tmp, describe(head) + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, h, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The head as its file holds it ("unreadable" for an unreadable one). */
  static String describe(Head head) {
    return head.sequence() < 0 ? "unreadable" : head.sequence() + " " + head.hash()
        + (head.mac() != null ? " " + head.mac() : "");
  }
}
