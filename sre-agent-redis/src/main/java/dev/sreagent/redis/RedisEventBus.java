package dev.sreagent.redis;

import dev.sreagent.api.Require;
import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.port.Notifier;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event bus on one Redis stream: agents publish incident events ({@code XADD ... MAXLEN ~ n}), consumer groups read
 * them ({@code XREADGROUP}), acknowledge each after its handler returned ({@code XACK}), and take over the entries a
 * dead consumer left pending ({@code XAUTOCLAIM}); see {@link RedisEventConsumer}.
 *
 * <p><b>Guarantees</b>, on one Redis server that keeps its data:
 *
 * <ul>
 *   <li><b>At least once per consumer group</b>: an entry stays pending in its group until a handler returned for it;
 *       a consumer that dies (or whose handler throws) leaves it pending, and any consumer of the group reclaims it once
 *       it has been idle longer than the reclaim idle time. So an event can be handled twice (the handler finished, the
 *       {@code XACK} did not), never silently dropped by the group.
 *   <li><b>Order</b>: entries are ordered per stream by their ids (the order Redis received them). A group's consumers
 *       share the entries, so across consumers, and for reclaimed entries, handling order is not publication order.
 *   <li><b>Notifications once across agents</b>: with {@link RedisEventConsumer.Builder#setDeduplication} the group
 *       hands one {@link StreamEvent#notificationKey()} (or event id) to its handler once per window, however many
 *       agents published it.
 * </ul>
 *
 * <p><b>Limits.</b> The stream is bounded: {@code MAXLEN ~ n} lets Redis trim the oldest entries once there are about
 * {@code n} (approximately: a little more may stay), <em>whether or not every group has read them</em>. A consumer
 * group that lags more than {@code n} entries behind loses the oldest (they are counted as trimmed, never handed to
 * the handler); size {@code n} for the longest outage of a consumer you want to survive. Redis without persistence
 * ({@code --save "" --appendonly no}) forgets the stream, the groups and the pending lists when it restarts: events
 * published and not yet handled are lost, and consumers recreate their group at the next read. Replication is
 * asynchronous: a failover can lose the last entries. Where an event must not be lost, keep it in the JDBC outbox
 * (the system of record) and let its relay publish here; the bus is the transport, not the store.
 *
 * <pre>{@code
 * try (RedisEventBus bus = RedisEventBus.builder("redis://127.0.0.1:6379").setMaxLength(100_000).build()) {
 *   SreAgent agent = SreAgent.builder().addNotifier(bus.notifier()) ... .build();
 *   RedisEventConsumer pager = bus.consumer("pager", "agent-a", event -> page(event))
 *       .setDeduplication(Duration.ofMinutes(10), StreamEvent::notificationKey).build();
 *   pager.start();
 * }
 * }</pre>
 *
 * <p>Thread-safe. Publishing shares one connection; each consumer has its own (its blocking reads hold it).
 */
public final class RedisEventBus implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisEventBus.class);

  private static final String CONFIGURED_BY = "RedisEventBus.builder(uri)";
  private final RedisEndpoint endpoint;
  private final String stream;
  private final String keyPrefix;
  private final long maxLength;
  private final Duration commandTimeout;
  private final RedisClient client;
  private final AtomicLong notifyFailures = new AtomicLong();
  private @Nullable StatefulRedisConnection<String, String> connection;

  private RedisEventBus(Builder b) {
    this.endpoint = b.endpoint;
    this.stream = b.stream;
    this.keyPrefix = b.keyPrefix;
    this.maxLength = b.maxLength;
    this.commandTimeout = b.commandTimeout;
    this.client = endpoint.client(b.commandTimeout);
  }

  /**
   * A builder for a bus on the Redis server at {@code uri}, e.g. {@code redis://127.0.0.1:6379} or
   * {@code rediss://:password@host:6380/0}.
   *
   * @throws IllegalArgumentException naming the bad URI and an example of a good one
   */
  public static Builder builder(String uri) {
    return new Builder(uri);
  }

  /** The stream's key. */
  public String stream() {
    return stream;
  }

  /** The approximate bound on the stream's length ({@code MAXLEN ~}). */
  public long maxLength() {
    return maxLength;
  }

  /**
   * Appends {@code event} to the stream ({@code XADD <stream> MAXLEN ~ <maxLength> * id .. type .. incident ..
   * payload ..}) and returns the entry id Redis gave it.
   *
   * @throws IllegalStateException naming the server and the fix when Redis does not answer
   */
  public String publish(StreamEvent event) {
    Objects.requireNonNull(event, "event");
    try {
      return commands("publish " + event.eventId()).xadd(stream, XAddArgs.Builder.maxlen(maxLength).approximateTrimming(),
          event.fields());
    } catch (RedisException e) {
      throw unavailable("publish " + event.eventId(), e);
    }
  }

  /** The number of entries in the stream now ({@code XLEN}). */
  public long length() {
    try {
      return commands("read the stream length").xlen(stream);
    } catch (RedisException e) {
      throw unavailable("read the stream length", e);
    }
  }

  /**
   * A notifier that publishes each incident event ({@link StreamEvent#of(IncidentEvent)}). It never throws into the
   * agent's loop: when Redis does not answer, the event is dropped, counted ({@link #notifyFailures()}) and logged.
   * For events that must not be lost, publish from the JDBC outbox's relay instead.
   */
  public Notifier notifier() {
    return event -> {
      try {
        publish(StreamEvent.of(event));
      } catch (RuntimeException e) {
        long n = notifyFailures.incrementAndGet();
        if (n == 1 || LOG.isDebugEnabled()) {
          LOG.warn("incident event {} of {} not published to the Redis stream ({} so far): {}", event.kind(),
              event.incident().id(), n, e.getMessage());
        }
      }
    };
  }

  /** Incident events the {@link #notifier()} could not publish. */
  public long notifyFailures() {
    return notifyFailures.get();
  }

  /**
   * A builder for a consumer in consumer group {@code group} (created, with the stream, at its first read) named
   * {@code consumer}: give each process its own, stable name (a restarted process with the same name first handles
   * what it left pending).
   */
  public RedisEventConsumer.Builder consumer(String group, String consumer, StreamEventHandler handler) {
    return new RedisEventConsumer.Builder(this, Require.notBlank(group, "group"), Require.notBlank(consumer, "consumer"),
        Objects.requireNonNull(handler, "handler"));
  }

  /** Closes the connections and the client; consumers built from this bus stop working. */
  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @Override
  public String toString() {
    return "RedisEventBus[" + endpoint.shown + ", stream " + stream + ", maxlen ~" + maxLength + "]";
  }

  String keyPrefix() {
    return keyPrefix;
  }

  Duration commandTimeout() {
    return commandTimeout;
  }

  /** A new connection of its own (for a consumer's blocking reads). */
  StatefulRedisConnection<String, String> connect(String what) {
    return endpoint.connect(client, what, CONFIGURED_BY);
  }

  private synchronized RedisCommands<String, String> commands(String what) {
    if (connection == null) {
      connection = connect(what);
    }
    return connection.sync();
  }

  IllegalStateException unavailable(String what, RuntimeException e) {
    return endpoint.unavailable(what, e, CONFIGURED_BY);
  }

  /** Configures a {@link RedisEventBus}. */
  public static final class Builder {
    /** The stream's key unless set. */
    public static final String DEFAULT_STREAM = "sre-agent:events";
    /** The prefix of the de-duplication keys unless set. */
    public static final String DEFAULT_KEY_PREFIX = "sre-agent:";
    /** The approximate bound on the stream's length unless set. */
    public static final long DEFAULT_MAX_LENGTH = 100_000;
    /** How long one command may take. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private final RedisEndpoint endpoint;
    private String stream = DEFAULT_STREAM;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private long maxLength = DEFAULT_MAX_LENGTH;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;

    private Builder(String uri) {
      this.endpoint = RedisEndpoint.parse(uri);
    }

    /** The stream's key; {@link #DEFAULT_STREAM} by default. Agents that exchange events share it. */
    public Builder setStream(String stream) {
      this.stream = Require.notBlank(stream, "stream");
      return this;
    }

    /** The prefix of the de-duplication keys; {@link #DEFAULT_KEY_PREFIX} by default. */
    public Builder setKeyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    /**
     * About how many entries the stream keeps ({@code MAXLEN ~}); {@link #DEFAULT_MAX_LENGTH} by default. Older entries
     * are trimmed whether or not every group read them: size it for the longest consumer outage to survive.
     */
    public Builder setMaxLength(long maxLength) {
      this.maxLength = Require.atLeast(maxLength, 1L, "maxLength");
      return this;
    }

    /** How long one command may take; {@link #DEFAULT_COMMAND_TIMEOUT} by default. */
    public Builder setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = Require.positive(commandTimeout, "commandTimeout");
      return this;
    }

    /** A bus; it connects at its first request. */
    public RedisEventBus build() {
      return new RedisEventBus(this);
    }
  }
}
