package dev.sreagent.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Lock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Configuration errors and an unreachable Redis, without a server. */
class RedisLockServiceTest {
  @Test
  void aBadUriIsNamedWithTheFix() {
    assertThatThrownBy(() -> RedisLockService.builder("http://127.0.0.1:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'http://127.0.0.1:6379'").hasMessageContaining("redis://127.0.0.1:6379");
    assertThatThrownBy(() -> RedisLockService.builder("redis://127.0.0.1:6379").setCommandTimeout(Duration.ZERO))
        .hasMessage("commandTimeout must be positive, but was PT0S");
  }

  @Test
  void anUnreachableRedisFailsAcquireWithTheServerAndLosesRenewals() throws Exception {
    int port = RedisServer.freePort(); // nothing listens there
    try (RedisLockService locks = RedisLockService.builder("redis://127.0.0.1:" + port)
        .setCommandTimeout(Duration.ofMillis(500)).build()) {
      assertThatThrownBy(() -> locks.tryAcquire("scale:cart", "agent-a", Duration.ofSeconds(5)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Redis at 127.0.0.1:" + port).hasMessageContaining("redis-server running");
      Lock believed = new Lock("scale:cart", "agent-a", 7, Instant.now().plusSeconds(5));
      assertThat(locks.renew(believed, Duration.ofSeconds(5))).as("a lease that cannot be confirmed is lost").isEmpty();
      locks.release(believed);
    }
  }
}
