package dev.sreagent.jdbc;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.core.audit.AuditChain;
import dev.sreagent.core.audit.AuditKey;
import dev.sreagent.core.audit.HashChainedAuditLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The hash-chained audit log in tables {@code sre_audit_record} and {@code sre_audit_head}, with the same record
 * layout, hashes (and, keyed, MACs) as {@link HashChainedAuditLog}, so it verifies by the same rules in SQL order.
 *
 * <p><b>One chain for every writer.</b> An append locks the head row ({@code SELECT ... FOR UPDATE}), chains the
 * record after the head, inserts it, inserts its {@linkplain OutboxEvent outbox event} and moves the head, all in one
 * transaction: appends from any number of connections, pools or agents are serialised and the chain never forks; the
 * event exists exactly when the record does. {@link #append} returns after the commit (durable as the database makes
 * commits durable).
 *
 * <p><b>Failures.</b> A transient failure (the database restarting, the connection lost) is retried within the
 * store's retry window, then {@link JdbcStoreException} is thrown and nothing was appended. When a commit's outcome is
 * unknown (the connection broke during the commit), the retry sees whether the head moved to the record's hash and
 * then returns the committed record instead of appending it twice.
 */
public final class JdbcAuditLog implements AuditLog {
  private static final String EVENT_PREFIX = "audit-";

  private final Database db;
  private final @Nullable AuditKey key;

  JdbcAuditLog(Database db, @Nullable AuditKey key) {
    this.db = db;
    this.key = key;
  }

  private record Head(long seq, String hash, @Nullable String mac) {}

  @Override
  public AuditRecord append(AuditEntry entry) {
    Objects.requireNonNull(entry, "entry");
    AuditChain.Link[] attempted = new AuditChain.Link[1];
    return db.inTransaction("appending audit record " + entry.type(), c -> {
      Head head = lockHead(c);
      AuditChain.Link tried = attempted[0];
      if (tried != null && tried.hash().equals(head.hash()) && tried.record().sequence() == head.seq()) {
        return tried.record(); // the earlier attempt's commit went through, only its answer was lost
      }
      AuditChain.Link link = AuditChain.link(head.seq() + 1, entry, head.hash(), key);
      attempted[0] = link;
      insertRecord(c, link);
      insertOutboxEvent(c, link);
      HashChainedAuditLog.Head next = AuditChain.head(link.record().sequence(), link.hash(), key);
      try (PreparedStatement ps = c.prepareStatement("UPDATE sre_audit_head SET seq = ?, hash = ?, mac = ?"
          + " WHERE id = 1")) {
        ps.setLong(1, next.sequence());
        ps.setString(2, next.hash());
        ps.setString(3, next.mac());
        ps.executeUpdate();
      }
      return link.record();
    });
  }

  private static Head lockHead(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash, mac FROM sre_audit_head WHERE id = 1 FOR UPDATE");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("the audit head row (sre_audit_head id 1) is missing: the schema was not migrated"
            + " or the row was deleted", "42S02");
      }
      return new Head(rs.getLong(1), rs.getString(2), rs.getString(3));
    }
  }

  private static void insertRecord(Connection c, AuditChain.Link link) throws SQLException {
    AuditRecord r = link.record();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO sre_audit_record"
        + " (seq, record_type, incident_id, recorded_at, hash, line) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, r.sequence());
      ps.setString(2, r.entry().type());
      ps.setString(3, r.entry().incidentId());
      ps.setString(4, r.entry().timestamp().toString());
      ps.setString(5, r.hash());
      ps.setString(6, link.text());
      ps.executeUpdate();
    }
  }

  private void insertOutboxEvent(Connection c, AuditChain.Link link) throws SQLException {
    AuditRecord r = link.record();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO sre_outbox"
        + " (event_id, event_type, incident_id, audit_seq, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, eventId(r));
      ps.setString(2, r.entry().type());
      ps.setString(3, r.entry().incidentId());
      ps.setLong(4, r.sequence());
      ps.setString(5, link.text());
      ps.setObject(6, db.clock.now().atOffset(ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }

  /** The outbox event id of a record: stable, unique per chain ({@code audit-<seq>-<first 16 hex of its hash>}). */
  public static String eventId(AuditRecord r) {
    return EVENT_PREFIX + r.sequence() + "-" + r.hash().substring(0, 16);
  }

  @Override
  public List<AuditRecord> records() {
    return recordsAfter(0);
  }

  /** A query: {@code WHERE seq > ? ORDER BY seq}. */
  @Override
  public List<AuditRecord> recordsAfter(long afterSequence) {
    return query("reading audit records after " + afterSequence,
        "SELECT line FROM sre_audit_record WHERE seq > ? ORDER BY seq", afterSequence);
  }

  /** A query on the index {@code (incident_id, seq)}: {@code WHERE incident_id = ? ORDER BY seq}. */
  @Override
  public List<AuditRecord> recordsAbout(String incidentId) {
    Objects.requireNonNull(incidentId, "incidentId");
    return query("reading the audit records of " + incidentId,
        "SELECT line FROM sre_audit_record WHERE incident_id = ? ORDER BY seq", incidentId);
  }

  private List<AuditRecord> query(String what, String sql, Object parameter) {
    return db.inTransaction(what, c -> {
      List<AuditRecord> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setObject(1, parameter);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(AuditChain.parse(rs.getString(1)));
          }
        }
      }
      return List.copyOf(out);
    });
  }

  /** The number of records (the head's sequence number). */
  public long size() {
    return db.inTransaction("reading the audit head", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM sre_audit_head WHERE id = 1");
          ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
  }

  /**
   * Re-computes the chain over the stored lines in sequence order, with one consistent snapshot of lines and head
   * (repeatable read): every hash, every link, in a keyed log every MAC, and the head covering exactly the last
   * record (a cut end or a deleted row is caught).
   */
  @Override
  public AuditVerification verify() {
    return db.inTransaction("verifying the audit log", c -> {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      List<String> lines = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT line FROM sre_audit_record ORDER BY seq");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          lines.add(rs.getString(1));
        }
      }
      HashChainedAuditLog.@Nullable Head head = null;
      try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash, mac FROM sre_audit_head WHERE id = 1");
          ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          long seq = rs.getLong(1);
          head = seq == 0 && rs.getString(3) == null ? AuditChain.head(0, rs.getString(2), key)
              : new HashChainedAuditLog.Head(seq, rs.getString(2), rs.getString(3));
        }
      }
      return AuditChain.verify(lines, head, key);
    });
  }

  @Override
  public String toString() {
    return "JdbcAuditLog[" + db.url + (key != null ? ", keyed " + key : "") + "]";
  }
}
