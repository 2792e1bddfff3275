package dev.sreagent.jdbc;

import dev.sreagent.api.Require;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the outbox from growing without bound: deletes <em>published</em> outbox rows published more than
 * {@code maxAge} ago (by the store's clock), and published rows beyond the newest {@code maxRows} published ones.
 * Rows not yet published are never deleted (the relay still owes them), and neither are the audit records: the
 * outbox only carries copies of them, and the audit chain stays whole and verifiable. A deleted event can no longer
 * be redelivered, so keep {@code maxAge} longer than any consumer's de-duplication window needs.
 *
 * <pre>{@code
 * OutboxRetention retention = OutboxRetention.builder(db).setMaxAge(Duration.ofDays(7)).setMaxRows(1_000_000)
 *     .build().start(Duration.ofMinutes(10));
 * }</pre>
 *
 * <p>Each run is one transaction per rule; deletes are batched by id ranges, so a run over a large backlog does not
 * hold one huge transaction. Several agents may run it on one database: the deletes are idempotent.
 */
public final class OutboxRetention implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRetention.class);
  /** Rows deleted per transaction at most. */
  static final int BATCH = 10_000;

  private final Database db;
  private final Duration maxAge;
  private final long maxRows;
  private final AtomicLong deleted = new AtomicLong();
  private final PeriodicJob job;

  private OutboxRetention(Builder b) {
    this.db = b.stores.database();
    this.job = new PeriodicJob("outbox retention", db.clock, LOG, this::runOnce);
    this.maxAge = b.maxAge;
    this.maxRows = b.maxRows;
  }

  /** Retention of {@code stores}' outbox: by default published rows older than 7 days, and beyond 1,000,000. */
  public static Builder builder(JdbcStores stores) {
    return new Builder(Objects.requireNonNull(stores, "stores"));
  }

  /**
   * Deletes what the rules allow now.
   *
   * @return the rows deleted
   * @throws JdbcStoreException when the database fails (what was committed stays deleted; the rest next time)
   */
  public long runOnce() {
    long n = 0;
    OffsetDateTime cutoff = db.clock.now().minus(maxAge).atOffset(ZoneOffset.UTC);
    int batch;
    do {
      batch = db.inTransaction("deleting published outbox rows older than " + maxAge, c -> {
        long upTo;
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM sre_outbox WHERE published_at IS NOT NULL"
            + " AND published_at < ? ORDER BY id FETCH FIRST " + BATCH + " ROWS ONLY")) {
          ps.setObject(1, cutoff);
          upTo = lastId(ps);
        }
        if (upTo < 0) {
          return 0;
        }
        try (PreparedStatement del = c.prepareStatement("DELETE FROM sre_outbox WHERE id <= ?"
            + " AND published_at IS NOT NULL AND published_at < ?")) {
          del.setLong(1, upTo);
          del.setObject(2, cutoff);
          return del.executeUpdate();
        }
      });
      n += batch;
    } while (batch > 0 && running());
    do {
      batch = db.inTransaction("deleting published outbox rows beyond the newest " + maxRows, c -> {
        long keepFrom;
        // the id of the oldest published row to keep: the maxRows-th newest published row
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM sre_outbox WHERE published_at IS NOT NULL"
            + " ORDER BY id DESC OFFSET ? ROWS FETCH FIRST 1 ROWS ONLY")) {
          ps.setLong(1, maxRows - 1);
          keepFrom = lastId(ps);
        }
        if (keepFrom < 0) {
          return 0;
        }
        try (PreparedStatement del = c.prepareStatement("DELETE FROM sre_outbox WHERE id IN (SELECT id FROM"
            + " sre_outbox WHERE id < ? AND published_at IS NOT NULL ORDER BY id FETCH FIRST " + BATCH
            + " ROWS ONLY)")) {
          del.setLong(1, keepFrom);
          return del.executeUpdate();
        }
      });
      n += batch;
    } while (batch > 0 && running());
    deleted.addAndGet(n);
    if (n > 0) {
      LOG.info("outbox retention: {} published rows deleted (older than {} or beyond the newest {})", n, maxAge,
          maxRows);
    }
    return n;
  }

  /** Whether a started job is still running, or true for a direct {@link #runOnce()} call. */
  private boolean running() {
    return job.running();
  }

  private static long lastId(PreparedStatement ps) throws java.sql.SQLException {
    long last = -1;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        last = rs.getLong(1);
      }
    }
    return last;
  }

  /** Runs {@link #runOnce()} every {@code interval} on a daemon thread until {@link #close()}. */
  public OutboxRetention start(Duration interval) {
    job.start(interval);
    return this;
  }

  /** Rows this job deleted since it was built. */
  public long deleted() {
    return deleted.get();
  }

  /** Stops the job (waits for its current run to end a batch). */
  @Override
  public void close() {
    job.close();
  }

  /** Builder of {@link OutboxRetention}. */
  public static final class Builder {
    private final JdbcStores stores;
    private Duration maxAge = Duration.ofDays(7);
    private long maxRows = 1_000_000;

    private Builder(JdbcStores stores) {
      this.stores = stores;
    }

    /** Published rows older than this (by their publication time) are deleted; default 7 days. */
    public Builder setMaxAge(Duration maxAge) {
      this.maxAge = Require.positive(maxAge, "maxAge");
      return this;
    }

    /** At most this many published rows are kept, the newest; default 1,000,000. */
    public Builder setMaxRows(long maxRows) {
      this.maxRows = Require.atLeast(maxRows, 1, "maxRows");
      return this;
    }

    /** The job; {@link OutboxRetention#runOnce()} or {@link OutboxRetention#start(Duration)} runs it. */
    public OutboxRetention build() {
      return new OutboxRetention(this);
    }
  }
}
