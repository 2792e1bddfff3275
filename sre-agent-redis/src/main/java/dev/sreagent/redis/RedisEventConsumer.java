package dev.sreagent.redis;

import dev.sreagent.api.Require;
import dev.sreagent.api.port.Clock;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of a consumer group on a {@link RedisEventBus}'s stream. Each round ({@link #poll()}) reads new entries
 * for this consumer ({@code XREADGROUP GROUP g c COUNT n BLOCK ms STREAMS s >}), hands each to the handler and
 * acknowledges it ({@code XACK}) once the handler returned. Every {@code reclaimEvery} it takes over the entries of its
 * group that have been pending longer than {@code reclaimIdle} ({@link #reclaim()}, {@code XAUTOCLAIM}): those of a
 * consumer that died or hung, and those whose handler threw. At its first round it handles what a previous process
 * with the same consumer name left pending. The group (and the stream) are created when missing, reading from the
 * oldest retained entry, so a new group, or one recreated after Redis lost its data, reads the whole retained stream.
 *
 * <p><b>De-duplication</b> ({@link Builder#setDeduplication}): before the handler runs, the consumer marks the event's
 * key in Redis ({@code SET <prefix>dedup:{<group>}:<key> in-flight NX PX <reclaimIdle>}); after it returns, marks it
 * done for the window. An entry whose key is done is acknowledged without handling (a duplicate: another agent
 * published the same notification, or a relay republished the event); one whose key is in flight on another consumer
 * stays pending and is looked at again after the reclaim idle time (so if that consumer dies, its mark expires and
 * this one handles the event). A handler that throws clears its mark. Limits: a consumer that dies after its handler
 * took effect and before the done mark leaves the event to be handled again (at least once, not exactly once); a
 * handler that runs longer than {@code reclaimIdle} can be overtaken by a reclaiming consumer, as a lock's holder past
 * its lease; and the window bounds how long keys are remembered.
 *
 * <p>An entry whose handler keeps throwing stays pending and is retried at every reclaim (there is no dead-letter
 * stream yet). Entries that are not events (missing fields) are acknowledged and counted as skipped. Use from one
 * thread at a time: either {@link #start()} the consumer's own thread, or call {@link #poll()} and {@link #reclaim()}.
 */
public final class RedisEventConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisEventConsumer.class);
  private static final String DONE = "done";

  private final RedisEventBus bus;
  private final String stream;
  private final String group;
  private final String name;
  private final StreamEventHandler handler;
  private final int batchSize;
  private final Duration block;
  private final Duration reclaimIdle;
  private final Duration reclaimEvery;
  private final @Nullable Duration dedupWindow;
  private final Function<StreamEvent, String> dedupKey;
  private final Clock clock;
  private final AtomicLong handled = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong reclaimed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong deferred = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private @Nullable StatefulRedisConnection<String, String> connection;
  private boolean groupReady;
  private boolean ownPendingDone;
  private volatile boolean running;
  private @Nullable Thread thread;

  private RedisEventConsumer(Builder b) {
    this.bus = b.bus;
    this.stream = b.bus.stream();
    this.group = b.group;
    this.name = b.consumer;
    this.handler = b.handler;
    this.batchSize = b.batchSize;
    this.block = b.block;
    this.reclaimIdle = b.reclaimIdle;
    this.reclaimEvery = b.reclaimEvery;
    this.dedupWindow = b.dedupWindow;
    this.dedupKey = b.dedupKey;
    this.clock = b.clock;
  }

  /** The consumer group. */
  public String group() {
    return group;
  }

  /** This consumer's name in its group. */
  public String name() {
    return name;
  }

  /**
   * One round: at the first, what this consumer name left pending; then the new entries (waiting up to the block time
   * for some). Returns the number of entries acknowledged (handled, or skipped as duplicates).
   *
   * @throws IllegalStateException naming the server and the fix when Redis does not answer
   */
  public synchronized int poll() {
    try {
      ensureGroup();
      int acked = 0;
      if (!ownPendingDone) {
        acked += ownPending();
        ownPendingDone = true;
      }
      List<StreamMessage<String, String>> read;
      try {
        read = read(XReadArgs.Builder.block(block).count(batchSize), StreamOffset.lastConsumed(stream));
      } catch (RedisCommandExecutionException e) {
        if (!noGroup(e)) {
          throw e;
        }
        groupReady = false; // Redis lost the group (a restart without persistence): create it at the next round
        return acked;
      }
      for (StreamMessage<String, String> m : read) {
        acked += deliver(m) ? 1 : 0;
      }
      return acked;
    } catch (RedisException e) {
      throw bus.unavailable("read group " + group + " of " + stream, e);
    }
  }

  /**
   * Takes over the group's entries pending longer than the reclaim idle time ({@code XAUTOCLAIM}, the whole pending
   * list in batches) and handles them. Returns the number acknowledged.
   *
   * @throws IllegalStateException naming the server and the fix when Redis does not answer
   */
  public synchronized int reclaim() {
    try {
      ensureGroup();
      int acked = 0;
      String cursor = "0-0";
      do {
        ClaimedMessages<String, String> claimed;
        try {
          claimed = redis().xautoclaim(stream, new XAutoClaimArgs<String>().consumer(Consumer.from(group, name))
              .minIdleTime(reclaimIdle).startId(cursor).count(batchSize));
        } catch (RedisCommandExecutionException e) {
          if (!noGroup(e)) {
            throw e;
          }
          groupReady = false;
          return acked;
        }
        for (StreamMessage<String, String> m : claimed.getMessages()) {
          reclaimed.incrementAndGet();
          acked += deliver(m) ? 1 : 0;
        }
        cursor = claimed.getId();
      } while (cursor != null && !"0-0".equals(cursor));
      return acked;
    } catch (RedisException e) {
      throw bus.unavailable("reclaim pending entries of group " + group + " of " + stream, e);
    }
  }

  /** Starts the consumer's own thread: {@link #poll()} in a loop, {@link #reclaim()} every reclaim interval. */
  public synchronized RedisEventConsumer start() {
    if (thread != null) {
      throw new IllegalStateException("consumer " + name + " of group " + group + " is already started");
    }
    running = true;
    Thread t = new Thread(this::loop, "redis-events-" + group + "-" + name);
    t.setDaemon(true);
    thread = t;
    t.start();
    return this;
  }

  /** Events handed to the handler that returned (and were acknowledged). */
  public long handled() {
    return handled.get();
  }

  /** Entries acknowledged without handling because their de-duplication key was done. */
  public long duplicates() {
    return duplicates.get();
  }

  /** Entries taken over by {@link #reclaim()}. */
  public long reclaimed() {
    return reclaimed.get();
  }

  /** Handler calls that threw (their entries stay pending). */
  public long failed() {
    return failed.get();
  }

  /** Entries left pending because their de-duplication key was in flight on another consumer. */
  public long deferred() {
    return deferred.get();
  }

  /** Entries acknowledged without handling because they were not events (fields missing). */
  public long skipped() {
    return skipped.get();
  }

  /** Stops the thread (within the block time) and closes the connection; pending entries stay for others. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    if (t != null) {
      try {
        t.join(block.plus(bus.commandTimeout()).toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (connection != null) {
        connection.close();
        connection = null;
      }
    }
  }

  @Override
  public String toString() {
    return "RedisEventConsumer[" + stream + ", group " + group + ", consumer " + name + "]";
  }

  private void loop() {
    Instant nextReclaim = clock.now();
    long errors = 0;
    while (running) {
      try {
        poll();
        if (!clock.now().isBefore(nextReclaim)) {
          reclaim();
          nextReclaim = clock.now().plus(reclaimEvery);
        }
        errors = 0;
      } catch (RuntimeException e) {
        if (errors++ == 0) {
          LOG.warn("{}: {}; retrying", this, e.getMessage());
        } else {
          LOG.debug("{}: {}", this, e.getMessage());
        }
        try {
          clock.sleep(Duration.ofMillis(Math.min(2000, 100 * errors)));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private int ownPending() {
    int acked = 0;
    String from = "0";
    while (true) {
      List<StreamMessage<String, String>> mine = read(XReadArgs.Builder.count(batchSize), StreamOffset.from(stream, from));
      if (mine.isEmpty()) {
        return acked;
      }
      for (StreamMessage<String, String> m : mine) {
        acked += deliver(m) ? 1 : 0;
        from = m.getId();
      }
    }
  }

  @SuppressWarnings("unchecked") // one offset through Lettuce's generic varargs
  private List<StreamMessage<String, String>> read(XReadArgs args, StreamOffset<String> offset) {
    return redis().xreadgroup(Consumer.from(group, name), args, offset);
  }

  /** Handles one entry; true when it was acknowledged. */
  private boolean deliver(StreamMessage<String, String> m) {
    RedisCommands<String, String> redis = redis();
    StreamEvent event = StreamEvent.fromFields(m.getBody());
    if (event == null) {
      redis.xack(stream, group, m.getId());
      skipped.incrementAndGet();
      LOG.debug("{}: entry {} is not an event (or was trimmed); acknowledged", this, m.getId());
      return true;
    }
    String key = null;
    String mark = null;
    if (dedupWindow != null) {
      key = bus.keyPrefix() + "dedup:{" + group + "}:" + dedupKey.apply(event);
      mark = "in-flight:" + name + ":" + m.getId();
      String set = redis.set(key, mark, SetArgs.Builder.nx().px(reclaimIdle.toMillis()));
      if (set == null) {
        String held = redis.get(key);
        if (DONE.equals(held)) {
          redis.xack(stream, group, m.getId());
          duplicates.incrementAndGet();
          return true;
        }
        if (!mark.equals(held)) {
          deferred.incrementAndGet(); // in flight elsewhere (or just expired): look again after the idle time
          return false;
        }
      }
    }
    try {
      handler.handle(event);
    } catch (Exception e) {
      failed.incrementAndGet();
      LOG.warn("{}: handler failed on {} (entry {}); it stays pending and is retried after {}", this, event.eventId(),
          m.getId(), reclaimIdle, e);
      if (key != null) {
        redis.eval(RedisLockService.RELEASE, ScriptOutputType.INTEGER, new String[] {key}, mark);
      }
      return false;
    }
    if (key != null) {
      redis.set(key, DONE, SetArgs.Builder.px(dedupWindow.toMillis()));
    }
    redis.xack(stream, group, m.getId());
    handled.incrementAndGet();
    return true;
  }

  private void ensureGroup() {
    if (groupReady) {
      return;
    }
    try {
      redis().xgroupCreate(StreamOffset.from(stream, "0"), group, XGroupCreateArgs.Builder.mkstream());
    } catch (RedisBusyException e) {
      // BUSYGROUP: it exists
    } catch (RedisCommandExecutionException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
        throw e;
      }
    }
    groupReady = true;
  }

  private static boolean noGroup(RedisCommandExecutionException e) {
    return e.getMessage() != null && e.getMessage().startsWith("NOGROUP");
  }

  private RedisCommands<String, String> redis() {
    if (connection == null) {
      connection = bus.connect("connect consumer " + name + " of group " + group);
    }
    return connection.sync();
  }

  /** Configures a {@link RedisEventConsumer}; from {@link RedisEventBus#consumer}. */
  public static final class Builder {
    /** Entries read (or reclaimed) per request unless set. */
    public static final int DEFAULT_BATCH_SIZE = 100;
    /** How long a read waits for new entries unless set. */
    public static final Duration DEFAULT_BLOCK = Duration.ofMillis(500);
    /** How long an entry must have been pending before another consumer takes it over, unless set. */
    public static final Duration DEFAULT_RECLAIM_IDLE = Duration.ofSeconds(30);
    /** How often the consumer's thread reclaims, unless set. */
    public static final Duration DEFAULT_RECLAIM_EVERY = Duration.ofSeconds(5);

    private final RedisEventBus bus;
    private final String group;
    private final String consumer;
    private final StreamEventHandler handler;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Duration block = DEFAULT_BLOCK;
    private Duration reclaimIdle = DEFAULT_RECLAIM_IDLE;
    private Duration reclaimEvery = DEFAULT_RECLAIM_EVERY;
    private @Nullable Duration dedupWindow;
    private Function<StreamEvent, String> dedupKey = StreamEvent::eventId;
    private Clock clock = Clock.system();

    Builder(RedisEventBus bus, String group, String consumer, StreamEventHandler handler) {
      this.bus = bus;
      this.group = group;
      this.consumer = consumer;
      this.handler = handler;
    }

    /** Entries per read or reclaim request; {@link #DEFAULT_BATCH_SIZE} by default. */
    public Builder setBatchSize(int batchSize) {
      this.batchSize = Require.within(batchSize, 1, 10_000, "batchSize");
      return this;
    }

    /** How long a read waits for new entries; {@link #DEFAULT_BLOCK} by default; shorter than the command timeout. */
    public Builder setBlock(Duration block) {
      this.block = Require.positive(block, "block");
      return this;
    }

    /**
     * How long an entry must have been pending (delivered, not acknowledged) before a consumer takes it over;
     * {@link #DEFAULT_RECLAIM_IDLE} by default. Longer than the slowest handler call, or a live consumer's entry is
     * handled twice. Also the lifetime of a de-duplication in-flight mark.
     */
    public Builder setReclaimIdle(Duration reclaimIdle) {
      this.reclaimIdle = Require.positive(reclaimIdle, "reclaimIdle");
      return this;
    }

    /** How often the consumer's thread reclaims; {@link #DEFAULT_RECLAIM_EVERY} by default. */
    public Builder setReclaimEvery(Duration reclaimEvery) {
      this.reclaimEvery = Require.positive(reclaimEvery, "reclaimEvery");
      return this;
    }

    /**
     * Hands each key to the handler once per {@code window} in this group, whichever consumer or agent sees it:
     * {@code StreamEvent::eventId} absorbs republished events, {@code StreamEvent::notificationKey} also folds the same
     * notification (incident and kind) published by several agents. Off by default.
     */
    public Builder setDeduplication(Duration window, Function<StreamEvent, String> key) {
      if (dedupWindow != null) {
        throw new IllegalStateException("deduplication was already set (window " + dedupWindow + ")");
      }
      this.dedupWindow = Require.positive(window, "window");
      this.dedupKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /** The clock the consumer's thread schedules reclaims and back-off by; the system clock by default. */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * A consumer; it connects at its first round.
     *
     * @throws IllegalArgumentException when the block time is not shorter than the bus's command timeout
     */
    public RedisEventConsumer build() {
      if (block.compareTo(bus.commandTimeout()) >= 0) {
        throw new IllegalArgumentException("block must be shorter than the bus's command timeout ("
            + bus.commandTimeout() + "), but was " + block + ": set a shorter block or a longer"
            + " RedisEventBus.Builder.setCommandTimeout");
      }
      return new RedisEventConsumer(this);
    }
  }
}
