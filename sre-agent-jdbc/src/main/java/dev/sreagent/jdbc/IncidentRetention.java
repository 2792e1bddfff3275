package dev.sreagent.jdbc;

import dev.sreagent.api.Require;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the incident table from growing without bound, as the in-memory store does: every active incident stays, and
 * of the ended ones the newest {@code maxEnded} (newest by when they were first saved, that is opened); older ended
 * incidents are deleted. Their ids are remembered (table {@code sre_incident_forgotten}, one short row each) so the
 * agent's start-up replay of the audit log, which re-saves every incident it finds, does not bring them back; their
 * whole history stays in the audit log, which is never touched (the chain still verifies).
 *
 * <pre>{@code
 * IncidentRetention retention = IncidentRetention.builder(db).setMaxEnded(10_000).build()
 *     .start(Duration.ofMinutes(10));
 * }</pre>
 *
 * <p>Each batch is one transaction that claims its rows with {@code FOR UPDATE SKIP LOCKED}, so several agents may
 * run it on one database. An ended incident saved again while it is being deleted (by an agent that has not
 * restarted) may come back once; the next run deletes it again.
 */
public final class IncidentRetention implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IncidentRetention.class);
  /** Ended incidents kept by default, as {@code InMemoryIncidentStore.DEFAULT_MAX_ENDED}. */
  public static final int DEFAULT_MAX_ENDED = 10_000;
  /** Rows deleted per transaction at most. */
  static final int BATCH = 1_000;

  private final Database db;
  private final long maxEnded;
  private final AtomicLong deleted = new AtomicLong();
  private final PeriodicJob job;

  private IncidentRetention(Builder b) {
    this.db = b.stores.database();
    this.job = new PeriodicJob("incident retention", db.clock, LOG, this::runOnce);
    this.maxEnded = b.maxEnded;
  }

  /** Retention of {@code stores}' incidents: by default the newest {@value #DEFAULT_MAX_ENDED} ended ones kept. */
  public static Builder builder(JdbcStores stores) {
    return new Builder(Objects.requireNonNull(stores, "stores"));
  }

  /**
   * Deletes the ended incidents beyond the newest {@code maxEnded} now.
   *
   * @return the incidents deleted
   * @throws JdbcStoreException when the database fails (what was committed stays deleted; the rest next time)
   */
  public long runOnce() {
    long n = 0;
    int batch;
    do {
      batch = db.inTransaction("deleting ended incidents beyond the newest " + maxEnded, c -> {
        long keepFrom;
        // the place of the oldest ended incident to keep: the maxEnded-th newest ended one
        try (PreparedStatement ps = c.prepareStatement("SELECT created_order FROM sre_incident WHERE terminal = TRUE"
            + " ORDER BY created_order DESC OFFSET ? ROWS FETCH FIRST 1 ROWS ONLY")) {
          ps.setLong(1, maxEnded - 1);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              return 0;
            }
            keepFrom = rs.getLong(1);
          }
        }
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM sre_incident WHERE terminal = TRUE"
            + " AND created_order < ? ORDER BY created_order FETCH FIRST " + BATCH + " ROWS ONLY"
            + " FOR UPDATE SKIP LOCKED")) {
          ps.setLong(1, keepFrom);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getString(1));
            }
          }
        }
        String now = db.clock.now().toString();
        try (PreparedStatement unmark = c.prepareStatement("DELETE FROM sre_incident_forgotten WHERE id = ?");
            PreparedStatement mark = c.prepareStatement("INSERT INTO sre_incident_forgotten (id, forgotten_at)"
                + " VALUES (?, ?)");
            PreparedStatement del = c.prepareStatement("DELETE FROM sre_incident WHERE id = ? AND terminal = TRUE")) {
          for (String id : ids) {
            unmark.setString(1, id);
            unmark.executeUpdate();
            mark.setString(1, id);
            mark.setString(2, now);
            mark.executeUpdate();
            del.setString(1, id);
            del.executeUpdate();
          }
        }
        return ids.size();
      });
      n += batch;
    } while (batch > 0 && running());
    deleted.addAndGet(n);
    if (n > 0) {
      LOG.info("incident retention: {} ended incidents deleted (beyond the newest {}; their history stays in the"
          + " audit log)", n, maxEnded);
    }
    return n;
  }

  /** Whether a started job is still running, or true for a direct {@link #runOnce()} call. */
  private boolean running() {
    return job.running();
  }

  /** Runs {@link #runOnce()} every {@code interval} on a daemon thread until {@link #close()}. */
  public IncidentRetention start(Duration interval) {
    job.start(interval);
    return this;
  }

  /** Incidents this job deleted since it was built. */
  public long deleted() {
    return deleted.get();
  }

  /** Stops the job (waits for its current run to end a batch). */
  @Override
  public void close() {
    job.close();
  }

  /** Builder of {@link IncidentRetention}. */
  public static final class Builder {
    private final JdbcStores stores;
    private long maxEnded = DEFAULT_MAX_ENDED;

    private Builder(JdbcStores stores) {
      this.stores = stores;
    }

    /** At most this many ended incidents are kept, the newest; default {@value IncidentRetention#DEFAULT_MAX_ENDED}. */
    public Builder setMaxEnded(long maxEnded) {
      this.maxEnded = Require.atLeast(maxEnded, 1, "maxEnded");
      return this;
    }

    /** The job; {@link IncidentRetention#runOnce()} or {@link IncidentRetention#start(Duration)} runs it. */
    public IncidentRetention build() {
      return new IncidentRetention(this);
    }
  }
}
