package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ActionExecutor;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An executor that answers only minutes after its change took effect — as the Kubernetes rollout wait or a GitOps
 * merge-and-sync wait does — starts verification with the signal already healthy. Noise a quarter above a healthy
 * 0.05% error ratio must not read as "the action made it worse": before the watched signal also had to cross the
 * threshold its detector fired at, such runs were rolled back (seen in the GitOps child-JVM crash test, two runs in
 * three).
 */
class LateCompletionVerificationTest {
  /** Rollbacks take effect at once; the answer comes this much (virtual) time later. */
  static final Duration LATE = Duration.ofMinutes(4);

  record LateAnswer(SimulatedExecutor simulated) implements ActionExecutor {
    @Override
    public String name() {
      return "late-answer";
    }

    @Override
    public boolean supports(Action action) {
      return simulated.supports(action);
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext context) {
      ActionResult r = simulated.execute(action, context);
      if (action instanceof Action.RollBack && r.succeeded()) {
        try {
          simulated.cluster().clock().sleep(LATE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new ActionResult(context.idempotencyKey(), ActionResult.Status.FAILED, "interrupted",
              simulated.cluster().clock().now());
        }
      }
      return r;
    }

    @Override
    public Optional<ActionResult> reconcile(String idempotencyKey) {
      return simulated.reconcile(idempotencyKey);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void aRollbackReportedAfterTheRecoveryResolves(long seed) {
    SimulationHarness.Builder b = SimulationHarness.builder().setSeed(seed).setPhase(Phase.AUTONOMOUS)
        .setActionThreads(2).setExecutorWrapper(LateAnswer::new);
    try (SimulationHarness h = b.build()) {
      h.runFor(Duration.ofMinutes(40));
      h.inject(new Fault.BadDeploy("cart", 0.3, Duration.ZERO));
      assertThat(h.runUntil(x -> x.agent().incidents().stream().anyMatch(i -> i.state().isTerminal()),
          Duration.ofMinutes(60))).isTrue();
      Incident cart = h.agent().incidents().stream().filter(i -> i.rootService().equals("cart")).findFirst()
          .orElseThrow();
      assertThat(cart.state()).as(cart.outcomeReason()).isEqualTo(IncidentState.RESOLVED);
      assertThat(h.cluster().currentRevision("cart")).isEqualTo("r2");
    }
  }
}
