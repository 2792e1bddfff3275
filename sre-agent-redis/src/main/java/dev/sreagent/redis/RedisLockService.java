package dev.sreagent.redis;

import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.LockService;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locks on one Redis server: a key per target set with {@code NX PX ttl}, and a fencing token per target from a
 * counter, both in one Lua script.
 *
 * <p><b>What it guarantees</b>, on one Redis server that keeps running:
 *
 * <ul>
 *   <li><b>At most one holder per target</b>: the acquire script sets {@code sre-agent:lock:{target}} only when it does
 *       not exist, with a millisecond expiry that Redis enforces; the value is {@code <token>:<owner>}.
 *   <li><b>Fencing tokens grow</b>: in the same script, the token is {@code INCR sre-agent:fence:{target}}, raised to
 *       at least the Redis server's own time in milliseconds ({@code TIME}). The counter never expires; the floor keeps
 *       tokens growing even when the counter is lost (a restart without persistence, a failover to a replica that had
 *       not received it), as long as the Redis host's clock does not step back past the earlier grants.
 *   <li><b>Safe release and renewal</b>: both are compare-and-act scripts on the whole value {@code <token>:<owner>}:
 *       a stale holder can neither delete nor extend its successor's lock.
 *   <li><b>Not silently believed held</b>: {@link #renew} answers empty when the key is gone (expired, released, or
 *       lost with a Redis restart) or holds another token, and when Redis does not answer within the command timeout
 *       (commands are rejected, not queued, while the connection is down).
 * </ul>
 *
 * <p><b>What it does not promise.</b> Redis replication is asynchronous: after a failover (Sentinel, Cluster) the new
 * primary may not have the lock key, so a second agent can take a lock the first still believes it holds. A restart
 * without persistence does the same. Expiry is counted by the Redis host's clock: a clock jump forward there ends
 * leases early. And no lock service can stop a holder that was paused (GC, a stopped VM) past its lease from waking
 * up and acting. This adapter does not implement Redlock, which does not close these gaps either.
 *
 * <p><b>Why it is safe anyway where the resource checks the token.</b> Every one of these failures ends with two
 * holders whose tokens differ, the later one greater. A resource that records the greatest token it has seen for a
 * target and refuses a smaller one (the Kubernetes executors record it on the object) applies the newer holder's
 * writes and refuses the older one's: the lock gives efficiency (usually one agent works), the token gives
 * correctness. Where the resource cannot check a token, prefer the etcd adapter (a consensus store) to Redis.
 *
 * <p>{@link Lock#expiresAt()} is the caller's clock read <em>before</em> the request plus the ttl, so the holder
 * believes its lease ends no later than Redis does. Failures: {@link #tryAcquire} throws
 * {@link IllegalStateException} naming the server and the fix when Redis does not answer (the agent contains it and
 * treats the target as locked); {@link #renew} answers empty; {@link #release} logs and leaves the key to expire.
 *
 * <pre>{@code
 * try (RedisLockService locks = RedisLockService.builder("redis://127.0.0.1:6379").build()) {
 *   SreAgent agent = SreAgent.builder().setLocks(locks)...build();
 * }
 * }</pre>
 */
public final class RedisLockService implements LockService, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisLockService.class);

  /** KEYS: lock, fence; ARGV: owner, ttl ms. Returns {token, ""} when taken, {0, holder} when held. */
  static final String ACQUIRE = """
      local held = redis.call('GET', KEYS[1])
      if held then return {0, held} end
      local t = redis.call('INCR', KEYS[2])
      local now = redis.call('TIME')
      local floor = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
      if t < floor then
        t = floor
        redis.call('SET', KEYS[2], string.format('%d', t))
      end
      redis.call('SET', KEYS[1], string.format('%d', t) .. ':' .. ARGV[1], 'NX', 'PX', ARGV[2])
      return {t, ''}
      """;

  /** KEYS: lock; ARGV: token:owner. */
  static final String RELEASE = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
      return 0
      """;

  /** KEYS: lock; ARGV: token:owner, ttl ms. */
  static final String RENEW = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
      return 0
      """;

  private static final String CONFIGURED_BY = "RedisLockService.builder(uri)";
  private final RedisEndpoint endpoint;
  private final Clock clock;
  private final String keyPrefix;
  private final Duration commandTimeout;
  private final RedisClient client;
  private @Nullable StatefulRedisConnection<String, String> connection;

  private RedisLockService(Builder b) {
    this.endpoint = b.endpoint;
    this.clock = b.clock;
    this.keyPrefix = b.keyPrefix;
    this.commandTimeout = b.commandTimeout;
    this.client = endpoint.client(commandTimeout);
  }

  /**
   * A builder for a lock service on the Redis server at {@code uri}, e.g. {@code redis://127.0.0.1:6379} or
   * {@code rediss://:password@host:6380/0}.
   *
   * @throws IllegalArgumentException naming the bad URI when it is not a Redis URI
   */
  public static Builder builder(String uri) {
    return new Builder(uri);
  }

  /** The Redis key holding the lock of {@code target}. */
  public String keyOf(String target) {
    return keyPrefix + "lock:{" + target + "}";
  }

  /** The Redis key counting the fencing tokens of {@code target}; it never expires. */
  public String fenceKeyOf(String target) {
    return keyPrefix + "fence:{" + target + "}";
  }

  @Override
  public Optional<Lock> tryAcquire(String target, String owner, Duration ttl) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(owner, "owner");
    long ms = ttlMillis(ttl);
    Instant start = clock.now();
    List<Object> reply = run(ACQUIRE, ScriptOutputType.MULTI, "take the lock on " + target, new String[] {keyOf(target), fenceKeyOf(target)},
        owner, Long.toString(ms));
    long token = (Long) reply.get(0);
    if (token == 0) {
      LOG.debug("{} is held: {}", target, reply.get(1));
      return Optional.empty();
    }
    return Optional.of(new Lock(target, owner, token, start.plusMillis(ms)));
  }

  @Override
  public void release(Lock lock) {
    try {
      run(RELEASE, ScriptOutputType.INTEGER, "release the lock on " + lock.target(), new String[] {keyOf(lock.target())}, value(lock));
    } catch (RuntimeException e) {
      LOG.warn("could not release {} (token {}); it expires by itself: {}", lock.target(), lock.fencingToken(),
          e.getMessage());
    }
  }

  @Override
  public Optional<Lock> renew(Lock lock, Duration ttl) {
    long ms = ttlMillis(ttl);
    try {
      Instant start = clock.now();
      Long extended = run(RENEW, ScriptOutputType.INTEGER, "renew the lock on " + lock.target(), new String[] {keyOf(lock.target())},
          value(lock), Long.toString(ms));
      if (extended == null || extended != 1L) {
        return Optional.empty();
      }
      return Optional.of(new Lock(lock.target(), lock.owner(), lock.fencingToken(), start.plusMillis(ms)));
    } catch (RuntimeException e) {
      LOG.warn("the lock on {} (token {}) could not be renewed, so it counts as lost: {}", lock.target(),
          lock.fencingToken(), e.getMessage());
      return Optional.empty();
    }
  }

  /** Closes the connection and the client. */
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
    return "RedisLockService[" + endpoint.shown + ", keys " + keyPrefix + "lock:{<target>}]";
  }

  private static String value(Lock lock) {
    return lock.fencingToken() + ":" + lock.owner();
  }

  private <T> T run(String script, ScriptOutputType type, String what, String[] keys, String... args) {
    RedisCommands<String, String> redis = commands(what);
    try {
      try {
        return redis.evalsha(redis.digest(script), type, keys, args);
      } catch (RedisNoScriptException e) {
        // first use, or Redis restarted and forgot its scripts: send the body (Redis caches it again)
        return redis.eval(script, type, keys, args);
      }
    } catch (RedisException e) {
      throw unavailable(what, e);
    }
  }

  private synchronized RedisCommands<String, String> commands(String what) {
    if (connection == null) {
      connection = endpoint.connect(client, what, CONFIGURED_BY);
    }
    return connection.sync();
  }

  private IllegalStateException unavailable(String what, RuntimeException e) {
    return endpoint.unavailable(what, e, CONFIGURED_BY);
  }

  private static long ttlMillis(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.toMillis() < 1) {
      throw new IllegalArgumentException("ttl must be at least 1 ms, but was " + ttl);
    }
    return ttl.toMillis();
  }

  /** Configures a {@link RedisLockService}. */
  public static final class Builder {
    /** The prefix of the lock and fence keys unless set. */
    public static final String DEFAULT_KEY_PREFIX = "sre-agent:";
    /** How long one command may take before the lock counts as unavailable. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private final RedisEndpoint endpoint;
    private Clock clock = Clock.system();
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;

    private Builder(String uri) {
      this.endpoint = RedisEndpoint.parse(uri);
    }

    /** The clock {@link Lock#expiresAt()} is read from; the system clock by default. */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The prefix of the keys; {@link #DEFAULT_KEY_PREFIX} by default. Agents that share locks share it. */
    public Builder setKeyPrefix(String keyPrefix) {
      Objects.requireNonNull(keyPrefix, "keyPrefix");
      this.keyPrefix = keyPrefix;
      return this;
    }

    /** How long one command may take; {@link #DEFAULT_COMMAND_TIMEOUT} by default. */
    public Builder setCommandTimeout(Duration commandTimeout) {
      Objects.requireNonNull(commandTimeout, "commandTimeout");
      if (commandTimeout.isNegative() || commandTimeout.isZero()) {
        throw new IllegalArgumentException("commandTimeout must be positive, but was " + commandTimeout);
      }
      this.commandTimeout = commandTimeout;
      return this;
    }

    /** A lock service; it connects at its first request. */
    public RedisLockService build() {
      return new RedisLockService(this);
    }
  }
}
