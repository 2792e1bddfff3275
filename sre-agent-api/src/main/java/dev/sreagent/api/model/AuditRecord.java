package dev.sreagent.api.model;

import java.util.Objects;

/**
 * An appended audit entry with its place in the hash chain.
 *
 * @param sequence 1-based position
 * @param entry the entry
 * @param previousHash hash of the previous record (64 zeros for the first)
 * @param hash SHA-256 over this record's content and {@code previousHash}
 */
public record AuditRecord(long sequence, AuditEntry entry, String previousHash, String hash) {
  /** The previous hash of the first record. */
  public static final String GENESIS = "0".repeat(64);

  public AuditRecord {
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be >= 1, but was " + sequence);
    }
    Objects.requireNonNull(entry, "entry");
    Checks.notBlank(previousHash, "previousHash");
    Checks.notBlank(hash, "hash");
  }
}
