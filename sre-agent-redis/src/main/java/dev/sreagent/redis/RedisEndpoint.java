package dev.sreagent.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Objects;

/**
 * The Redis server a lock service or an event bus talks to: its URI checked when configured, a client that rejects
 * commands while disconnected (instead of queueing them) and gives up on one after the command timeout, and the error
 * that names the server and the fix when it cannot be reached.
 */
final class RedisEndpoint {
  final RedisURI uri;
  /** {@code host:port}, for messages (never the password). */
  final String shown;

  private RedisEndpoint(RedisURI uri) {
    this.uri = uri;
    this.shown = uri.getHost() + ":" + uri.getPort();
  }

  /**
   * The endpoint of {@code uri}.
   *
   * @throws IllegalArgumentException naming the bad URI and an example of a good one
   */
  static RedisEndpoint parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    RedisURI parsed;
    try {
      parsed = RedisURI.create(uri.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Redis URI must look like redis://host:port (or rediss://, with"
          + " :password@ and /db when needed), such as redis://127.0.0.1:6379, but was '" + uri + "'", e);
    }
    if (parsed.getHost() == null || parsed.getHost().isBlank()) {
      throw new IllegalArgumentException("Redis URI must name a host, such as redis://127.0.0.1:6379, but was '"
          + uri + "'");
    }
    return new RedisEndpoint(parsed);
  }

  /** A client for this server whose commands time out after {@code commandTimeout}; it connects on first use. */
  RedisClient client(Duration commandTimeout) {
    RedisClient client = RedisClient.create(RedisURI.builder(uri).withTimeout(commandTimeout).build());
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .build());
    return client;
  }

  /** Connects {@code client}, or throws {@link #unavailable} for {@code what} naming {@code configuredBy}. */
  StatefulRedisConnection<String, String> connect(RedisClient client, String what, String configuredBy) {
    try {
      return client.connect();
    } catch (RedisException e) {
      throw unavailable(what, e, configuredBy);
    }
  }

  /** "Redis at host:port could not WHAT: ... Is redis-server running there ...? Set the server with BUILDER." */
  IllegalStateException unavailable(String what, RuntimeException e, String configuredBy) {
    return new IllegalStateException("Redis at " + shown + " could not " + what + ": " + e.getMessage() + ". Is"
        + " redis-server running there (and the password right)? Set the server with " + configuredBy + ".", e);
  }
}
