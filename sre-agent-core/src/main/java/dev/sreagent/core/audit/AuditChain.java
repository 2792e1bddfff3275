package dev.sreagent.core.audit;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import dev.sreagent.api.model.Incident;
import dev.sreagent.core.internal.Json;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The hash chain of {@link HashChainedAuditLog}, for audit logs kept elsewhere (a database, a stream): the same
 * record layout, the same hashes and MACs and the same verification, so a log written by another store verifies with
 * the same rules and its records read back exactly as the file log's do. An extension point other modules build on
 * (checked by the architecture tests); it holds no state.
 *
 * <p>A store keeps, per record, {@link Link#text()} (the exact characters hashed) in sequence order and one head
 * ({@link #head}); it never re-serialises a record from its parts.
 */
public final class AuditChain {
  private AuditChain() {}

  /**
   * A record as it is chained: its sequence number, the stored line (hashed content, hash and, keyed, MAC), and its
   * hash.
   *
   * @param record the record as {@link dev.sreagent.api.port.AuditLog#append} returns it
   * @param text the line to store, exactly
   */
  public record Link(AuditRecord record, String text) {
    public Link {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(text, "text");
    }

    /** The record's hash: the next record's previous hash. */
    public String hash() {
      return record.hash();
    }
  }

  /**
   * Chains {@code entry} as record {@code sequence} after the record whose hash is {@code previousHash}
   * ({@link AuditRecord#GENESIS} for the first), keyed with {@code key} when it is not null.
   */
  public static Link link(long sequence, AuditEntry entry, String previousHash, @Nullable AuditKey key) {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(previousHash, "previousHash");
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be at least 1, but was " + sequence);
    }
    AuditLine line = AuditLine.of(sequence, entry, previousHash, key);
    return new Link(new AuditRecord(sequence, entry, previousHash, line.hash()), line.text());
  }

  /** The record a stored line holds (as appended). */
  public static AuditRecord parse(String text) {
    return AuditLine.parse(text);
  }

  /** The head covering {@code sequence} records that end with {@code hash}, with its MAC when {@code key} is set. */
  public static HashChainedAuditLog.Head head(long sequence, String hash, @Nullable AuditKey key) {
    return AuditHeadFile.headFor(sequence, hash, key);
  }

  /**
   * Checks stored lines, in sequence order, against the stored head: the same rules as
   * {@link HashChainedAuditLog#verifyLines(List, HashChainedAuditLog.Head, AuditKey)}.
   */
  public static AuditVerification verify(List<String> lines, HashChainedAuditLog.@Nullable Head head,
      @Nullable AuditKey key) {
    return HashChainedAuditLog.verifyLines(lines, head, key);
  }

  /** {@code incident} as the JSON the audit log records it in (sealed actions tagged, times in ISO-8601). */
  public static String incidentJson(Incident incident) {
    return Json.write(Objects.requireNonNull(incident, "incident"));
  }

  /** The incident {@link #incidentJson} wrote (older snapshots migrated as the audit log's replay does). */
  public static Incident incidentFromJson(String json) {
    return AuditEvents.readIncident(json);
  }
}
