package dev.sreagent.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.testkit.contract.LockBench;
import org.junit.jupiter.api.Test;

/**
 * The lock bench against a real etcd: {@code mvn -B -Pit verify -pl sre-agent-etcd -Dit.test=EtcdLockBenchIT
 * -Detcd.endpoints=http://127.0.0.1:2379 [-Dbench.rounds=1000 -Dbench.trials=5]}, or {@link #main} with the endpoint.
 */
class EtcdLockBenchIT {
  @Test
  void acquireAndReleaseLatency() throws Exception {
    try (EtcdServer etcd = EtcdServer.shared()) {
      LockBench.Result r = bench(etcd.endpoint());
      assertThat(r.acquireP50()).isPositive();
    }
  }

  static LockBench.Result bench(String endpoint) {
    try (EtcdLockService locks = EtcdLockService.builder(endpoint)
        .setKeyPrefix("/sre-agent-bench/" + System.nanoTime() + "/").build()) {
      return LockBench.run("etcd", locks, Integer.getInteger("bench.rounds", 1000),
          Integer.getInteger("bench.trials", 5), System.out);
    }
  }

  public static void main(String[] args) {
    bench(args.length > 0 ? args[0] : "http://127.0.0.1:2379");
  }
}
