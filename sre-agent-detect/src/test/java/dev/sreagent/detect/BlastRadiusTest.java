package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlastRadiusTest {
  private static final Instant T = Instant.EPOCH;

  private static ServiceInfo svc(String name) {
    return new ServiceInfo(name, "shop", 2, 4, 1, "r1", List.of(), List.of());
  }

  private static final Topology SHOP = new Topology(Map.of("frontend", svc("frontend"), "checkout",
      svc("checkout"), "payments", svc("payments"), "cart", svc("cart")), Set.of(
      new Topology.Dependency("frontend", "checkout"), new Topology.Dependency("checkout", "payments"),
      new Topology.Dependency("checkout", "cart")));

  private static Anomaly a(String service) {
    return new Anomaly(IncidentType.ERROR_RATE_SPIKE, service, service, "m", 0.1, 0.02, 0.6, Severity.SEV3, T, T,
        service);
  }

  @Test
  void reachingAnEntryPointOrSpreadingWideMakesItSev2() {
    Incident one = Incident.open("I", a("payments"), "payments", T);
    assertThat(BlastRadius.severity(one, SHOP)).isEqualTo(Severity.SEV3);
    Incident customerFacing = one.withAnomaly(a("frontend"), "payments", IncidentType.ERROR_RATE_SPIKE, T);
    assertThat(BlastRadius.severity(customerFacing, SHOP)).isEqualTo(Severity.SEV2);
    Incident wide = one.withAnomaly(a("checkout"), "payments", IncidentType.ERROR_RATE_SPIKE, T)
        .withAnomaly(a("cart"), "payments", IncidentType.ERROR_RATE_SPIKE, T);
    assertThat(BlastRadius.severity(wide, SHOP)).isEqualTo(Severity.SEV2);
    assertThat(BlastRadius.severity(customerFacing, Topology.empty())).as("no topology, no entry points")
        .isEqualTo(Severity.SEV3);
  }
}
