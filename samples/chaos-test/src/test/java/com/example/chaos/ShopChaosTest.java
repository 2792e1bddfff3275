package com.example.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.ChaosAssertions;
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

    ChaosAssertions.assertThat(h)                          // fluent, and a failure prints the timeline
        .openedIncidents(1)
        .hasIncident(IncidentType.ERROR_RATE_SPIKE, "shipping")
        .resolvedWithin(Duration.ofMinutes(15))
        .executed("rollback", "shipping")
        .violatedNoGuardrail()
        .auditIntact();
    assertThat(h.cluster().currentRevision("shipping")).isEqualTo("r2");
  }

  @SimulatedClusterTest(seed = 3, phase = Phase.ASSIST, onCallMinutes = -1)
  void withNobodyOnCallNothingRunsInAssist(SimulationHarness h) {
    h.runFor(Duration.ofMinutes(40));
    h.inject(new Fault.TrafficSurge(1.6));
    h.runFor(Duration.ofMinutes(60));

    assertThat(h.agent().incidents()).isNotEmpty();
    ChaosAssertions.assertThat(h).executedNothing()
        .everyIncidentIn(IncidentState.ESCALATED, IncidentState.AWAITING_APPROVAL);
  }
}
