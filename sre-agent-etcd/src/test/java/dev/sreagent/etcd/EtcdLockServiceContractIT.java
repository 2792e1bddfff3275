package dev.sreagent.etcd;

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

/** {@link EtcdLockService} passes the lock contract against a real etcd, with 6 s leases that run out in real time. */
class EtcdLockServiceContractIT extends LockServiceContract {
  private static EtcdServer etcd;
  private final List<EtcdLockService> created = new ArrayList<>();

  @BeforeAll
  static void startEtcd() throws Exception {
    etcd = EtcdServer.shared();
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    etcd.close();
  }

  @AfterEach
  void closeClients() {
    created.forEach(EtcdLockService::close);
  }

  @Override
  protected LockService create(VirtualClock clock) {
    // a key prefix per test: the shared server keeps what earlier tests left
    EtcdLockService locks = EtcdLockService.builder(etcd.endpoint()).setClock(clock)
        .setKeyPrefix("/sre-agent-it/" + UUID.randomUUID() + "/").build();
    created.add(locks);
    return locks;
  }

  @Override
  protected Duration ttl() {
    return Duration.ofSeconds(6);
  }

  @Override
  protected Duration slack() {
    return Duration.ofMillis(1500); // etcd's leader looks for expired leases every 500 ms
  }

  @Override
  protected void elapse(VirtualClock clock, Duration d) throws InterruptedException {
    super.elapse(clock, d);
    Thread.sleep(d.toMillis());
  }
}
