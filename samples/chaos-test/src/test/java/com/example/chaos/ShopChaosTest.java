package com.example.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.junit.SimulatedClusterTest;
import java.time.Duration;

/**
 * How a platform team writes chaos tests for its agent configuration: a simulated cluster, a fault, assertions on
 * what the agent did and on what the independent oracle saw.
 */
class ShopChaosTest {
  @SimulatedClusterTest(seed = 3, phase = Phase.AUTONOMOUS)
  void aBadDeployIsRolledBackWithoutBreakingAnyGuardrail(SimulationHarness h) {
    h.runFor(Duration.ofMinutes(40));                     // warm-up: baselines settle
    h.inject(new Fault.BadDeploy("shipping", 0.2, Duration.ZERO));
    h.runFor(Duration.ofMinutes(30));

    assertThat(h.agent().incidents()).singleElement().satisfies(i -> {
      assertThat(i.type()).isEqualTo(IncidentType.ERROR_RATE_SPIKE);
      assertThat(i.rootService()).isEqualTo("shipping");
      assertThat(i.state()).isEqualTo(IncidentState.RESOLVED);
    });
    assertThat(h.cluster().currentRevision("shipping")).isEqualTo("r2");
    assertThat(h.cluster().oracle().violations()).isEmpty();
    assertThat(h.agent().auditLog().verify().intact()).isTrue();
  }

  @SimulatedClusterTest(seed = 3, phase = Phase.ASSIST, onCallMinutes = -1)
  void withNobodyOnCallNothingRunsInAssist(SimulationHarness h) {
    h.runFor(Duration.ofMinutes(40));
    h.inject(new Fault.TrafficSurge(1.6));
    h.runFor(Duration.ofMinutes(60));

    assertThat(h.cluster().executor().applied()).isEmpty();
    assertThat(h.agent().incidents()).isNotEmpty()
        .allSatisfy(i -> assertThat(i.state()).isIn(IncidentState.ESCALATED, IncidentState.AWAITING_APPROVAL));
  }
}
