package dev.sreagent.jdbc;

import dev.sreagent.api.Require;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the transactional outbox: claims a batch of unpublished rows oldest first
 * ({@code FOR UPDATE SKIP LOCKED}), hands each to the {@link OutboxConsumer}, marks those it handed on as published
 * and commits, all in one transaction.
 *
 * <p><b>At least once.</b> A relay that dies mid-batch (process killed, connection lost) never commits its marks: the
 * rows stay unpublished and the next round (of this or another relay) publishes them again, so the consumer sees
 * some events twice and must de-duplicate by {@link OutboxEvent#eventId()} ({@link OutboxConsumer#deduplicating}).
 * Nothing committed to the outbox is lost: an event exists exactly when its audit record was committed.
 *
 * <p><b>Several relays.</b> A claimed row stays locked until the batch commits, and other relays skip locked rows, so
 * two relays never publish one row concurrently (PostgreSQL and H2 both). Order holds within a relay's batch; across
 * relays, batches interleave: a consumer that needs the global order sorts by {@link OutboxEvent#position()} or the
 * audit sequence.
 *
 * <p>Run it by calling {@link #relayOnce()} from your own scheduler, or {@link #start()} a daemon thread that polls.
 */
public final class OutboxRelay implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

  /** Rows claimed per transaction by default. */
  public static final int DEFAULT_BATCH_SIZE = 100;
  /** How long the polling thread waits when the outbox is empty, by default. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

  private final Database db;
  private final OutboxConsumer consumer;
  private final int batchSize;
  private final Duration pollInterval;
  private final String name;
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong consumerFailures = new AtomicLong();
  private volatile boolean running;
  private @Nullable Thread thread;

  private OutboxRelay(Builder b) {
    this.db = b.stores.database();
    this.consumer = b.consumer;
    this.batchSize = b.batchSize;
    this.pollInterval = b.pollInterval;
    this.name = b.name;
  }

  /** A relay of {@code stores}' outbox into {@code consumer}. */
  public static Builder builder(JdbcStores stores, OutboxConsumer consumer) {
    return new Builder(Objects.requireNonNull(stores, "stores"), Objects.requireNonNull(consumer, "consumer"));
  }

  /**
   * Publishes one batch and commits it.
   *
   * @return the number of events published (0 when the outbox had none unclaimed)
   * @throws JdbcStoreException when the database fails (nothing of the batch is marked; it comes again)
   */
  public int relayOnce() {
    return db.inTransaction("relaying the outbox (" + name + ")", c -> {
      List<OutboxEvent> batch = new ArrayList<>(batchSize);
      try (PreparedStatement ps = c.prepareStatement(db.dialect.claimOutbox())) {
        ps.setInt(1, batchSize);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long audit = rs.getLong(5);
            batch.add(new OutboxEvent(rs.getString(2), rs.getLong(1), rs.getString(3), rs.getString(4),
                rs.wasNull() ? 0 : audit, rs.getString(6), rs.getObject(7, OffsetDateTime.class).toInstant()));
          }
        }
      }
      List<Long> done = new ArrayList<>(batch.size());
      for (OutboxEvent e : batch) {
        try {
          consumer.publish(e);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        } catch (Exception ex) {
          consumerFailures.incrementAndGet();
          LOG.warn("outbox relay {}: the consumer failed on event {} ({}); it and {} after it come again next round",
              name, e.eventId(), ex.toString(), batch.size() - done.size() - 1);
          break;
        }
        done.add(e.position());
      }
      markPublished(c, done);
      return done.size();
    });
  }

  private void markPublished(java.sql.Connection c, List<Long> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE sre_outbox SET published_at = ? WHERE id = ?")) {
      OffsetDateTime now = db.clock.now().atOffset(ZoneOffset.UTC);
      for (long id : ids) {
        ps.setObject(1, now);
        ps.setLong(2, id);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    published.addAndGet(ids.size());
  }

  /** Starts a daemon thread that relays until {@link #close()}: batches back to back, a pause when idle or failing. */
  public synchronized OutboxRelay start() {
    if (thread != null) {
      throw new IllegalStateException("relay " + name + " was already started");
    }
    running = true;
    Thread t = new Thread(this::loop, "sre-agent-outbox-relay-" + name);
    t.setDaemon(true);
    thread = t;
    t.start();
    return this;
  }

  private void loop() {
    boolean failing = false;
    while (running) {
      int n = 0;
      try {
        n = relayOnce();
        if (failing) {
          LOG.info("outbox relay {}: the database is back", name);
          failing = false;
        }
      } catch (JdbcStoreException e) {
        if (!failing) {
          LOG.warn("outbox relay {}: {}; retrying every {}", name, e.getMessage(), pollInterval);
          failing = true;
        }
      } catch (RuntimeException e) {
        LOG.error("outbox relay {}: unexpected failure; retrying", name, e);
      }
      if (n == 0 && running) {
        try {
          db.clock.sleep(pollInterval);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Events this relay published (and committed as published). */
  public long published() {
    return published.get();
  }

  /** Times the consumer threw. */
  public long consumerFailures() {
    return consumerFailures.get();
  }

  /** Stops the polling thread (waits for its batch to end); a relay that was not started just returns. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(Math.max(1_000, pollInterval.toMillis() * 5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "OutboxRelay[" + name + ", " + db.url + "]";
  }

  /** Builder of {@link OutboxRelay}. */
  public static final class Builder {
    private final JdbcStores stores;
    private final OutboxConsumer consumer;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private String name = "relay";

    private Builder(JdbcStores stores, OutboxConsumer consumer) {
      this.stores = stores;
      this.consumer = consumer;
    }

    /** Rows per transaction (1 to 10,000); default {@value #DEFAULT_BATCH_SIZE}. */
    public Builder setBatchSize(int batchSize) {
      Require.atLeast(batchSize, 1, "batchSize");
      if (batchSize > 10_000) {
        throw new IllegalArgumentException("batchSize must be at most 10000, but was " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** The pause when the outbox is empty or the database fails (positive). */
    public Builder setPollInterval(Duration pollInterval) {
      this.pollInterval = Require.positive(pollInterval, "pollInterval");
      return this;
    }

    /** The relay's name, in its thread's name and its log lines. */
    public Builder setName(String name) {
      this.name = Require.notBlank(name, "name");
      return this;
    }

    public OutboxRelay build() {
      return new OutboxRelay(this);
    }
  }
}
