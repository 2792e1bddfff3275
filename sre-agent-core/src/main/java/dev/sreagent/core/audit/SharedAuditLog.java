package dev.sreagent.core.audit;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import dev.sreagent.api.Require;
import dev.sreagent.api.port.AuditLog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One agent's view of an audit chain that several agents append to (for example the JDBC store's
 * {@code JdbcAuditLog} on PostgreSQL, whose appends are serialised on one head row): one merged trail for all of them,
 * verified as a whole.
 *
 * <p>Every entry this view appends carries its writer's id in its data ({@value #WRITER}, inside the hashed text, so it
 * cannot be moved to another writer without breaking the chain). {@link #records()} and {@link #recordsAfter} answer
 * this writer's records only: the agent's start-up replay rebuilds its own incidents, ledger and phases from them,
 * exactly as from an audit file of its own, and never mistakes another agent's copy of an incident (every sharded agent
 * records the incidents it observes) for its own. {@link #recordsAbout} answers every writer's records of one
 * incident: an agent taking over an incident reads there how far its previous owner got (see the core's sharding
 * rule). {@link #verify()} verifies the whole chain. Agent-wide records (phases, freezes, the kill switch) are
 * replayed only by the agent that wrote them.
 *
 * <pre>{@code
 * JdbcStores db = JdbcStores.postgres(url, user, password);
 * SreAgent agent = SreAgent.builder().setAuditLog(SharedAuditLog.of(db.auditLog(), "agent-a"))...build();
 * }</pre>
 */
public final class SharedAuditLog implements AuditLog {
  /** The data key naming the agent that appended an entry. */
  public static final String WRITER = "writer";

  private final AuditLog chain;
  private final String writer;

  private SharedAuditLog(AuditLog chain, String writer) {
    this.chain = chain;
    this.writer = writer;
  }

  /**
   * Agent {@code writer}'s view of {@code chain}. Give every agent that shares the chain its own id (its agent id);
   * two agents with one id would replay each other's records.
   */
  public static SharedAuditLog of(AuditLog chain, String writer) {
    Objects.requireNonNull(chain, "chain");
    Require.notBlank(writer, "writer (the agent id)");
    if (chain instanceof SharedAuditLog s) {
      throw new IllegalArgumentException("chain is already the shared view of writer '" + s.writer
          + "'; give SharedAuditLog.of the underlying log");
    }
    return new SharedAuditLog(chain, writer);
  }

  /** The id this view writes under. */
  public String writer() {
    return writer;
  }

  /** The whole chain, every writer's records. */
  public AuditLog chain() {
    return chain;
  }

  /** The writer of {@code r}, or null for a record appended without a shared view. */
  public static @Nullable String writerOf(AuditRecord r) {
    return r.entry().data().get(WRITER);
  }

  @Override
  public AuditRecord append(AuditEntry entry) {
    Objects.requireNonNull(entry, "entry");
    String given = entry.data().get(WRITER);
    if (given != null && !given.equals(writer)) {
      throw new IllegalArgumentException("entry '" + entry.type() + "' names writer '" + given + "' but is appended"
          + " through the view of '" + writer + "'");
    }
    Map<String, String> data = new LinkedHashMap<>(entry.data());
    data.put(WRITER, writer);
    return chain.append(new AuditEntry(entry.timestamp(), entry.type(), entry.incidentId(), entry.actor(), data));
  }

  /** This writer's records, in chain order. */
  @Override
  public List<AuditRecord> records() {
    return mine(chain.records());
  }

  /** This writer's records after {@code afterSequence} (a sequence number of the whole chain), in order. */
  @Override
  public List<AuditRecord> recordsAfter(long afterSequence) {
    return mine(chain.recordsAfter(afterSequence));
  }

  /** Every writer's records of incident {@code incidentId}, in chain order. */
  @Override
  public List<AuditRecord> recordsAbout(String incidentId) {
    return chain.recordsAbout(incidentId);
  }

  /** Verifies the whole chain, every writer's records. */
  @Override
  public AuditVerification verify() {
    return chain.verify();
  }

  /** Leaves the chain open: whoever opened it closes it (several views share it). */
  @Override
  public void close() {}

  private List<AuditRecord> mine(List<AuditRecord> records) {
    return records.stream().filter(r -> writer.equals(writerOf(r))).toList();
  }

  @Override
  public String toString() {
    return "SharedAuditLog[" + writer + " on " + chain + "]";
  }
}
