package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Phase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seven simulated days of daily traffic cycles, noise and routine deploys: no incident, no action. */
class QuietWeekTest {
  @Test
  void aQuietWeekWithRoutineDeploysRaisesNoIncident() {
    List<String> services = List.of("cart", "catalog", "checkout", "payments", "frontend", "shipping", "ads");
    try (SimulationHarness h = SimulationHarness.builder().setSeed(11).setPhase(Phase.AUTONOMOUS).build()) {
      for (int halfDay = 0; halfDay < 14; halfDay++) {
        h.runFor(Duration.ofHours(12));
        h.cluster().deployHealthy(services.get(halfDay % services.size()));
      }
      assertThat(h.agent().incidents()).isEmpty();
      assertThat(h.cluster().executor().applied()).isEmpty();
      assertThat(h.agent().stats().signalsAccepted()).isGreaterThan(2_000_000);
    }
  }
}
