package dev.sreagent.etcd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration errors and an unreachable etcd, without a server. */
class EtcdMembershipTest {
  @Test
  void badSettingsAreNamedWithTheFix() {
    assertThatThrownBy(() -> EtcdMembership.builder(" ", "http://127.0.0.1:2379"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("member id");
    assertThatThrownBy(() -> EtcdMembership.builder("a/b", "http://127.0.0.1:2379"))
        .hasMessageContaining("must not contain '/'").hasMessageContaining("'a/b'");
    assertThatThrownBy(() -> EtcdMembership.builder("a", "127.0.0.1:2379"))
        .hasMessageContaining("'127.0.0.1:2379'").hasMessageContaining("http://127.0.0.1:2379");
    assertThatThrownBy(() -> EtcdMembership.builder("a", "http://127.0.0.1:2379").setTtl(Duration.ofSeconds(1)))
        .hasMessage("ttl must be at least 2 s (etcd grants no shorter lease), but was PT1S");
  }

  @Test
  void anUnreachableEtcdFailsTheRegistrationNamingTheEndpoint() throws Exception {
    String endpoint = "http://127.0.0.1:" + EtcdServer.freePort(); // nothing listens there
    assertThatThrownBy(() -> EtcdMembership.builder("agent-a", endpoint).setRequestTimeout(Duration.ofMillis(300))
        .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("etcd at " + endpoint).hasMessageContaining("for member agent-a")
        .hasMessageContaining("Is etcd running");
  }
}
