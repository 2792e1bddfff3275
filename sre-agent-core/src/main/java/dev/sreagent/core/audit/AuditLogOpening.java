package dev.sreagent.core.audit;

import dev.sreagent.core.audit.HashChainedAuditLog.Head;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening an existing {@link HashChainedAuditLog} file up to the point where the log takes its records over: refuses
 * a missing log whose head says it held records; reads the file and assesses it with its head and key
 * ({@link AuditAssessment}); refuses a broken log, one keyed otherwise than the agent, or records the head does not
 * cover that no operator accepted, each with the way forward; and drops a torn last line left by a crash. Auditing a
 * recovered crash tail or an accepted tail is left to the log, which appends the record.
 */
final class AuditLogOpening {
  /** The log's own logger: what opening logs is logged as the log's. */
  private static final Logger LOG = LoggerFactory.getLogger(HashChainedAuditLog.class);

  private AuditLogOpening() {}

  /** The complete records of a log that may open, and the verdict on them. */
  record Admitted(List<String> lines, AuditAssessment assessment) {}

  /** Refuses to start a new log {@code f} over a head that says the log held records. */
  static void checkMissing(Path f, @Nullable Head head) {
    if (head != null && head.sequence() != 0) {
      throw new IllegalStateException("audit log " + f + " is missing, but its head " + AuditHeadFile.of(f)
          + (head.sequence() < 0 ? " exists (unreadable)" : " says it held " + head.sequence() + " record(s)")
          + ": the log was deleted or moved. Restore it from a backup, or move the head aside too to start a new"
          + " log.");
    }
  }

  /**
   * Reads and assesses the existing log {@code f}.
   *
   * @throws IllegalStateException when it is broken, keyed otherwise than {@code key}, or has records {@code head}
   *     does not cover and no {@code operator} (with a {@code reason}) accepted them
   */
  static Admitted admit(Path f, @Nullable Head head, @Nullable AuditKey key, @Nullable String operator,
      @Nullable String reason) throws IOException {
    AuditLogFile disk = AuditLogFile.read(f);
    AuditAssessment a = AuditAssessment.assess(disk.lines(), head, key);
    switch (a.kind()) {
      case BROKEN -> throw new IllegalStateException("audit log " + f + " is broken at record "
          + a.verification().firstBadSequence() + ": " + a.verification().problem() + ". Restore it (and its head "
          + AuditHeadFile.of(f).getFileName() + ") from a backup, or move both aside to start a new chain.");
      case KEY -> throw new IllegalStateException("audit log " + f + ": " + a.verification().problem());
      case UNCOVERED -> {
        if (operator == null || reason == null) {
          throw new IllegalStateException("audit log " + f + ": " + a.verification().problem() + ". "
              + waysForward(key));
        }
      }
      default -> { }
    }
    if (!disk.torn().isEmpty()) {
      LOG.warn("audit log {}: dropping a torn last line left by a crash ({} chars, never acknowledged)", f,
          disk.torn().length());
      disk.dropTorn(f);
    }
    return new Admitted(disk.lines(), a);
  }

  private static String waysForward(@Nullable AuditKey key) {
    String accept = "Check the record(s), then either accept them explicitly (acceptUnverifiedTail(operator, reason)"
        + " on HashChainedAuditLog.builder(), acceptUnverifiedAuditTail(operator, reason) on SreAgent.builder(), or"
        + " sre-agent run --accept-audit-tail REASON; the acceptance is itself audited), or restore the log and its"
        + " head from a backup.";
    return key != null ? accept : accept + " Keyed logs recover a crash between an append and the head update by"
        + " themselves, because only the key's holder can write a record whose MAC verifies: for the future, move this"
        + " log aside and configure an audit key (setAuditKey, audit.key-file or audit.key-env).";
  }
}
