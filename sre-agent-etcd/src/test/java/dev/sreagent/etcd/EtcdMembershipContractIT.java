package dev.sreagent.etcd;

import dev.sreagent.api.shard.ShardMembership;
import dev.sreagent.testkit.contract.ShardMembershipContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link EtcdMembership} passes the membership contract against a real etcd: a killed member stops its keep-alive
 * without a goodbye, and the survivors see it gone when its 2 s lease runs out.
 */
class EtcdMembershipContractIT extends ShardMembershipContract {
  private static EtcdServer etcd;
  private final List<EtcdMembership> created = new ArrayList<>();
  private final String prefix = "/sre-agent-it/" + UUID.randomUUID() + "/";

  @BeforeAll
  static void startEtcd() throws Exception {
    etcd = EtcdServer.shared();
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    etcd.close();
  }

  @AfterEach
  void closeMembers() {
    created.forEach(EtcdMembership::close);
  }

  @Override
  protected ShardMembership join(String id) {
    EtcdMembership m = EtcdMembership.builder(id, etcd.endpoint()).setKeyPrefix(prefix).setTtl(Duration.ofSeconds(2))
        .build();
    created.add(m);
    return m;
  }

  @Override
  protected void kill(ShardMembership member) {
    ((EtcdMembership) member).crash();
  }

  @Override
  protected boolean eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }
}
