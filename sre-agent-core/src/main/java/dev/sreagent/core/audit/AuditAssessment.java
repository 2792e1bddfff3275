package dev.sreagent.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import dev.sreagent.core.audit.HashChainedAuditLog.Head;
import dev.sreagent.core.internal.Json;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The verdict on a {@link HashChainedAuditLog}'s lines and head, reached by {@link #assess}: after
 * {@link AuditChainCheck} found the chain intact, whether the head covers exactly the last record, and when it does
 * not, whether the records beyond it are a crash tail that opening recovers or an uncovered tail that only an
 * operator can accept. {@code uncovered} lists the records the head does not cover (or the last ones).
 */
record AuditAssessment(Kind kind, AuditVerification verification, String uncovered) {
  private static final int LISTED = 3;

  /** What opening the log does about it. */
  enum Kind {
    /** The chain verifies and the head covers its last record: opens. */
    INTACT,
    /** A record or the head was edited, cut or forged: refused. */
    BROKEN,
    /** Keyed otherwise than the agent (a key where it has none, none where it has one, another key): refused. */
    KEY,
    /** Records nothing vouches for (a missing or unreadable head, or one that lags): opens only when accepted. */
    UNCOVERED,
    /** One record beyond the head in a keyed log, left by a crash before the head update: recovered on open. */
    CRASH_TAIL
  }

  static AuditAssessment of(Kind kind, AuditVerification v) {
    return new AuditAssessment(kind, v, "");
  }

  static AuditAssessment broken(long records, long at, String problem) {
    return of(Kind.BROKEN, AuditVerification.broken(records, at, problem));
  }

  /** Checks the chain of {@code lines} (with {@code key}, every MAC) and whether {@code head} covers it. */
  static AuditAssessment assess(List<String> lines, @Nullable Head head, @Nullable AuditKey key) {
    AuditAssessment chain = AuditChainCheck.check(lines, key);
    if (chain.kind() != Kind.INTACT) {
      return chain;
    }
    int n = lines.size();
    if (head == null || head.sequence() < 0 || key != null && !key.verifies(AuditHeadFile.macText(head), head.mac())) {
      if (n == 0) {
        return of(Kind.INTACT, AuditVerification.ok(0));
      }
      String what = head == null ? "the head file is missing" : head.sequence() < 0 ? "the head file is unreadable"
          : head.mac() == null ? "the head has no MAC (it was written without the key)"
          : "the head's MAC does not verify with the key (it was written without the key)";
      String listed = summarize(lines, key != null ? n : 1, n);
      if (key != null) {
        return new AuditAssessment(Kind.UNCOVERED, AuditVerification.broken(n, n + 1L, what + ": the " + n
            + " record(s) verify with the key, but nothing shows whether record " + (n + 1) + " and later were cut"
            + " off the end (the log ends at " + listed + ")"), listed);
      }
      return new AuditAssessment(Kind.UNCOVERED, AuditVerification.broken(n, 1, what + ", so nothing vouches for the "
          + n + " record(s) from record 1 on: records may have been cut off the end, or forged ones appended ("
          + listed + ")"), listed);
    }
    if (key == null && head.mac() != null) {
      return of(Kind.KEY, AuditVerification.broken(n, 1, "the log is keyed (its head carries a MAC),"
          + " but no audit key is configured; configure the key it was written with (setAuditKey, audit.key-file or"
          + " audit.key-env) to open it"));
    }
    long s = head.sequence();
    if (s > n) {
      return broken(n, n + 1L, (s == n + 1 ? "record " + s + " is" : "record " + (n + 1) + " to " + s + " are")
          + " missing: the log ends at record " + n + " but the head says " + s
          + " (records cut off the end, or the head was edited)");
    }
    String covered = s == 0 ? AuditRecord.GENESIS : AuditLine.hashOf(lines.get((int) s - 1));
    if (!covered.equals(head.hash())) {
      return broken(n, Math.max(s, 1), "the head says record " + s + " has hash " + abbreviate(head.hash())
          + ", but it has " + abbreviate(covered) + " (the head or the log was rewritten)");
    }
    if (s == n) {
      return of(Kind.INTACT, AuditVerification.ok(n));
    }
    String listed = summarize(lines, (int) s + 1, n);
    if (key != null && s == n - 1) {
      return new AuditAssessment(Kind.CRASH_TAIL, AuditVerification.broken(n, s + 1, "the head lags 1 record behind ("
          + listed + "): a crash between the append and the head update; the record's MAC verifies, so opening the"
          + " log with the key recovers it"), listed);
    }
    String why = key != null ? "a crash leaves at most one record behind the head, so this is not a crash tail"
        : "without a key, a crash between an append and the head update looks the same as a forged append";
    return new AuditAssessment(Kind.UNCOVERED, AuditVerification.broken(n, s + 1, (n - s) + " record(s) not covered"
        + " by the head, which says " + s + " (" + listed + "); " + why), listed);
  }

  /** "4 phase.changed at 2026-... by alice" for records {@code from..to} (1-based), the last few when many. */
  private static String summarize(List<String> lines, int from, int to) {
    StringBuilder sb = new StringBuilder();
    int first = Math.max(from, to - LISTED + 1);
    if (first > from) {
      sb.append("record ").append(from).append(" to ").append(to).append(", the last ").append(LISTED).append(": ");
    }
    for (int i = first; i <= to; i++) {
      if (i > first) {
        sb.append("; ");
      }
      sb.append("record ").append(i);
      try {
        JsonNode node = Json.tree(lines.get(i - 1));
        sb.append(' ').append(node.path("type").asText()).append(" at ").append(node.path("ts").asText())
            .append(" by ").append(node.path("actor").asText());
      } catch (IOException e) {
        sb.append(" (unreadable)");
      }
    }
    return sb.toString();
  }

  private static String abbreviate(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) + "..." : hash;
  }
}
