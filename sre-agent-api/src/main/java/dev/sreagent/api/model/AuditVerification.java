package dev.sreagent.api.model;

import java.util.Objects;

/**
 * The result of checking an audit log's hash chain.
 *
 * @param intact true when no record was edited, deleted, inserted or reordered
 * @param records how many records were checked
 * @param firstBadSequence the first position where the chain breaks, or 0 when intact
 * @param problem what is wrong, or empty when intact
 */
public record AuditVerification(boolean intact, long records, long firstBadSequence, String problem) {
  public AuditVerification {
    Objects.requireNonNull(problem, "problem");
  }

  /** An intact chain of {@code records} records. */
  public static AuditVerification ok(long records) {
    return new AuditVerification(true, records, 0, "");
  }

  /** A broken chain. */
  public static AuditVerification broken(long records, long at, String problem) {
    return new AuditVerification(false, records, at, problem);
  }
}
