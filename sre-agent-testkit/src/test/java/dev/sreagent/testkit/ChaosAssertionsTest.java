package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fluent chaos assertions pass on what happened and fail, explaining, on what did not. */
class ChaosAssertionsTest {
  private static SimulationHarness rolledBack;

  @BeforeAll
  static void aBadDeployRolledBack() {
    rolledBack = SimulationHarness.builder().setSeed(3).setPhase(Phase.AUTONOMOUS).build();
    rolledBack.runFor(Duration.ofMinutes(40));
    rolledBack.inject(new Fault.BadDeploy("shipping", 0.2, Duration.ZERO));
    rolledBack.runFor(Duration.ofMinutes(30));
  }

  @AfterAll
  static void close() {
    rolledBack.close();
  }

  @Test
  void whatHappenedPasses() {
    ChaosAssertions.assertThat(rolledBack)
        .openedIncidents(1)
        .hasIncident(IncidentType.ERROR_RATE_SPIKE, "shipping")
        .everyIncidentIn(IncidentState.RESOLVED)
        .resolvedWithin(Duration.ofMinutes(20))
        .executed("rollback", "shipping")
        .didNotExecute("scale", "shipping")
        .everyIncidentRootedAt("shipping")
        .everyIncidentDiagnosed("bad deploy")
        .noIncidentDiagnosed("capacity loss")
        .violatedNoGuardrail()
        .auditIntact();
  }

  @Test
  void whatDidNotHappenFailsWithTheTimeline() {
    var a = ChaosAssertions.assertThat(rolledBack);
    assertThatThrownBy(a::executedNothing).isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected no action to take effect")
        .hasMessageContaining("rollback(shipping")
        .hasMessageContaining("error-rate-spike RESOLVED on shipping");
    assertThatThrownBy(a::openedNoIncident).hasMessageContaining("expected no incident");
    assertThatThrownBy(() -> a.resolvedWithin(Duration.ofSeconds(30))).hasMessageContaining("took PT");
    assertThatThrownBy(() -> a.hasIncident(IncidentType.HIGH_LATENCY, "shipping"))
        .hasMessageContaining("high-latency rooted at shipping");
    assertThatThrownBy(() -> a.executed("scale", "shipping")).hasMessageContaining("took effect: rollback(");
    assertThatThrownBy(() -> a.everyIncidentIn(IncidentState.ESCALATED)).hasMessageContaining("[ESCALATED]");
    assertThatThrownBy(() -> a.everyIncidentRootedAt("cart")).hasMessageContaining("every incident rooted at cart");
    assertThatThrownBy(() -> a.everyIncidentDiagnosed("capacity loss"))
        .hasMessageContaining("expected every incident diagnosed \"capacity loss...\"")
        .hasMessageContaining("diagnosed \"bad deploy");
    assertThatThrownBy(() -> a.noIncidentDiagnosed("bad deploy")).hasMessageContaining("no incident diagnosed");
  }

  @Test
  void aQuietRunHasNothingToResolve() {
    try (SimulationHarness quiet = SimulationHarness.builder().setSeed(3).build()) {
      quiet.runFor(Duration.ofMinutes(30));
      ChaosAssertions.assertThat(quiet).openedNoIncident().executedNothing().violatedNoGuardrail();
      assertThatThrownBy(() -> ChaosAssertions.assertThat(quiet).resolvedWithin(Duration.ofHours(1)))
          .hasMessageContaining("incidents (0): none");
      assertThatThrownBy(() -> ChaosAssertions.assertThat(quiet).everyIncidentRootedAt("cart"))
          .as("a promise about every incident is not kept by none").hasMessageContaining("incidents (0): none");
      assertThatThrownBy(() -> ChaosAssertions.assertThat(quiet).everyIncidentDiagnosed("bad deploy"))
          .hasMessageContaining("incidents (0): none");
    }
  }
}
