package dev.sreagent.api.port;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import java.util.List;

/** Append-only, hash-chained record of everything the agent saw, decided and did. */
public interface AuditLog extends AutoCloseable {
  /** Appends {@code entry} and returns it chained. Durable when it returns. */
  AuditRecord append(AuditEntry entry);

  /** Every record, in order. */
  List<AuditRecord> records();

  /**
   * The records after sequence number {@code afterSequence}, in order: a reader that keeps up with the log reads
   * only what is new. The default filters {@link #records()}; implementations may do better.
   */
  default List<AuditRecord> recordsAfter(long afterSequence) {
    return records().stream().filter(r -> r.sequence() > afterSequence).toList();
  }

  /**
   * The records about incident {@code incidentId} (their entry's {@code incidentId}), in order. An agent taking over
   * an incident from another reads what that one recorded of it here. The default filters {@link #records()};
   * implementations with an index do better.
   */
  default List<AuditRecord> recordsAbout(String incidentId) {
    java.util.Objects.requireNonNull(incidentId, "incidentId");
    return records().stream().filter(r -> incidentId.equals(r.entry().incidentId())).toList();
  }

  /** Re-computes the chain and reports the first break, if any. */
  AuditVerification verify();

  @Override
  default void close() {}
}
