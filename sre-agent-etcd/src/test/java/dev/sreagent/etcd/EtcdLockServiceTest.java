package dev.sreagent.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Lock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Configuration errors and an unreachable etcd, without a server. */
class EtcdLockServiceTest {
  @Test
  void aBadEndpointIsNamedWithTheFix() {
    assertThatThrownBy(() -> EtcdLockService.builder("127.0.0.1:2379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'127.0.0.1:2379'").hasMessageContaining("http://127.0.0.1:2379");
    assertThatThrownBy(() -> EtcdLockService.builder())
        .hasMessageContaining("at least one client URL");
    assertThatThrownBy(() -> EtcdLockService.builder("http://127.0.0.1:2379").setRequestTimeout(Duration.ZERO))
        .hasMessage("requestTimeout must be at least 100 ms, but was PT0S");
  }

  @Test
  void anUnreachableEtcdFailsAcquireWithTheEndpointAndLosesRenewals() throws Exception {
    String endpoint = "http://127.0.0.1:" + EtcdServer.freePort(); // nothing listens there
    try (EtcdLockService locks = EtcdLockService.builder(endpoint).setRequestTimeout(Duration.ofMillis(500))
        .build()) {
      assertThatThrownBy(() -> locks.tryAcquire("scale:cart", "agent-a", Duration.ofSeconds(5)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("etcd at " + endpoint).hasMessageContaining("Is etcd running");
      Lock believed = new Lock("scale:cart", "agent-a", 7, Instant.now().plusSeconds(5));
      assertThat(locks.renew(believed, Duration.ofSeconds(5))).as("a lease that cannot be confirmed is lost").isEmpty();
      locks.release(believed); // logged, not thrown: the lease runs out by itself
    }
  }
}
