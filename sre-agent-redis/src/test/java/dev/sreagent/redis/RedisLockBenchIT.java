package dev.sreagent.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.testkit.contract.LockBench;
import org.junit.jupiter.api.Test;

/**
 * The lock bench against a real Redis: {@code mvn -B -Pit verify -pl sre-agent-redis -Dit.test=RedisLockBenchIT
 * -Dredis.uri=redis://127.0.0.1:6379 [-Dbench.rounds=1000 -Dbench.trials=5]}, or {@link #main} with the URI.
 */
class RedisLockBenchIT {
  @Test
  void acquireAndReleaseLatency() throws Exception {
    try (RedisServer redis = RedisServer.shared()) {
      LockBench.Result r = bench(redis.uri());
      assertThat(r.acquireP50()).isPositive();
    }
  }

  static LockBench.Result bench(String uri) {
    try (RedisLockService locks = RedisLockService.builder(uri)
        .setKeyPrefix("sre-agent-bench:" + System.nanoTime() + ":").build()) {
      return LockBench.run("redis", locks, Integer.getInteger("bench.rounds", 1000),
          Integer.getInteger("bench.trials", 5), System.out);
    }
  }

  public static void main(String[] args) {
    bench(args.length > 0 ? args[0] : "redis://127.0.0.1:6379");
  }
}
