package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.core.audit.AuditTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerificationTest {
  /** Says yes to scaling and does nothing: the kind of executor failure only verification can catch. */
  static final class LyingScaler implements ActionExecutor {
    final List<Action> calls = new ArrayList<>();

    @Override
    public String name() {
      return "lying-scaler";
    }

    @Override
    public boolean supports(Action action) {
      return action instanceof Action.ScaleReplicas;
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext context) {
      calls.add(action);
      return new ActionResult(context.idempotencyKey(), ActionResult.Status.SUCCEEDED, "accepted",
          java.time.Instant.EPOCH);
    }
  }

  @Test
  void aRemediationThatDoesNotHelpEscalatesDemotesAndNeverUndoesAChangeThatDidNotHappen() {
    try (SimulationHarness h = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS).build()) {
      LyingScaler liar = new LyingScaler();
      var agent = h.crashAndRestartAgentWith(liar);
      h.runFor(Scenarios.WARM_UP);
      h.inject(new Fault.CapacityLoss("frontend", 0.55));
      h.runFor(Duration.ofMinutes(20));
      Incident inc = agent.incidents().get(0);
      assertThat(inc.type()).isEqualTo(IncidentType.HIGH_LATENCY);
      assertThat(inc.state()).isEqualTo(IncidentState.ROLLED_BACK);
      // the scale-out never happened, so its inverse would act on a state that does not exist: the guardrails
      // refuse it as stale instead of scaling the service below what it runs
      assertThat(inc.outcomeReason()).contains("not recovered").contains("auto-rollback")
          .contains("scale-in(frontend;6->4) refused").contains("stale");
      assertThat(liar.calls).extracting(a -> ((Action.ScaleReplicas) a).toReplicas()).containsExactly(6);
      assertThat(agent.phase(IncidentType.HIGH_LATENCY)).isEqualTo(Phase.ASSIST);
      assertThat(agent.phase(IncidentType.OOM_KILL)).isEqualTo(Phase.AUTONOMOUS);
      assertThat(agent.auditLog().records()).anyMatch(r -> r.entry().type().equals(AuditTypes.PHASE_CHANGED)
          && r.entry().data().get("reason").contains("automatic demotion"));
    }
  }

  @Test
  void noBlindRollbackWithoutARecentDeploy() {
    // no CPU metrics: the agent cannot tell saturation from a failing dependency or a configuration change
    try (SimulationHarness h = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS).setEmitUtilisation(false)
        .build()) {
      h.runFor(Scenarios.WARM_UP);
      // capacity so low that requests are dropped: an error spike with no deploy behind it
      h.inject(new Fault.CapacityLoss("payments", 0.15));
      h.runFor(Duration.ofMinutes(20));
      Incident inc = h.agent().incidents().get(0);
      assertThat(inc.rootService()).isEqualTo("payments");
      assertThat(inc.type()).isEqualTo(IncidentType.ERROR_RATE_SPIKE);
      assertThat(inc.diagnosis().top().cause()).startsWith("failing dependency or configuration of payments");
      assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(inc.outcome()).isEqualTo(dev.sreagent.api.model.IncidentOutcome.DENIED);
      assertThat(inc.outcomeReason()).contains("no action in the catalog fits");
      assertThat(h.cluster().executor().applied()).isEmpty();
    }
  }

  @Test
  void theSameErrorSpikeOnASaturatedServiceIsCapacityAndIsScaledOutNotRolledBack() {
    try (SimulationHarness h = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS).build()) {
      h.runFor(Scenarios.WARM_UP);
      h.inject(new Fault.CapacityLoss("payments", 0.15));
      h.runFor(Duration.ofMinutes(20));
      Incident inc = h.agent().incidents().get(0);
      assertThat(inc.rootService()).isEqualTo("payments");
      assertThat(inc.type()).isEqualTo(IncidentType.HIGH_LATENCY);
      assertThat(inc.anomalies()).anyMatch(a -> a.type().equals(IncidentType.ERROR_RATE_SPIKE));
      assertThat(inc.diagnosis().top().cause()).startsWith("saturation of payments");
      assertThat(h.cluster().executor().applied().values()).isNotEmpty()
          .allSatisfy(r -> assertThat(r.message()).startsWith("scaled payments to "));
      assertThat(h.agent().auditLog().records()).anyMatch(r -> r.entry().type().equals(AuditTypes.INCIDENT_UPDATED)
          && "error-rate-spike -> high-latency".equals(r.entry().data().get("retyped")));
    }
  }
}
