package dev.sreagent.api.model;

import dev.sreagent.api.Require;
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
    Require.atLeast(sequence, 1L, "sequence");
    Objects.requireNonNull(entry, "entry");
    Require.notBlank(previousHash, "previousHash");
    Require.notBlank(hash, "hash");
  }
}
