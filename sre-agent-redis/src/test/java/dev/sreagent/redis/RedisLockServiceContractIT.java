package dev.sreagent.redis;

import dev.sreagent.api.port.LockService;
import dev.sreagent.testkit.VirtualClock;
import dev.sreagent.testkit.contract.LockServiceContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** {@link RedisLockService} passes the lock contract against a real Redis, with 2 s leases that run out in real time. */
class RedisLockServiceContractIT extends LockServiceContract {
  private static RedisServer redis;
  private final List<RedisLockService> created = new ArrayList<>();

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.shared();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @AfterEach
  void closeClients() {
    created.forEach(RedisLockService::close);
  }

  @Override
  protected LockService create(VirtualClock clock) {
    // a key prefix per test: the shared server keeps what earlier tests left
    RedisLockService locks = RedisLockService.builder(redis.uri()).setClock(clock)
        .setKeyPrefix("sre-agent-it:" + UUID.randomUUID() + ":").build();
    created.add(locks);
    return locks;
  }

  @Override
  protected Duration ttl() {
    return Duration.ofSeconds(2);
  }

  @Override
  protected Duration slack() {
    return Duration.ofMillis(400); // Redis expires a key the moment it is read past its end
  }

  @Override
  protected void elapse(VirtualClock clock, Duration d) throws InterruptedException {
    super.elapse(clock, d);
    Thread.sleep(d.toMillis());
  }
}
