package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.core.audit.AuditTypes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent is killed mid-incident and restarted from its audit log; no action ever runs twice. */
class CrashRecoveryTest {
  private static void untilState(SimulationHarness h, IncidentState state, Duration max) {
    Duration step = Duration.ofSeconds(15);
    for (Duration t = Duration.ZERO; t.compareTo(max) < 0; t = t.plus(step)) {
      h.runFor(step);
      if (h.agent().incidents().stream().anyMatch(i -> i.state() == state)) {
        return;
      }
    }
    throw new AssertionError("no incident reached " + state + " within " + max + ": " + h.agent().incidents());
  }

  @Test
  void crashWhileVerifyingResumesWithoutRepeatingTheAction(@TempDir Path dir) {
    try (SimulationHarness h = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS)
        .setAuditFile(dir.resolve("audit.jsonl")).build()) {
      h.runFor(Scenarios.WARM_UP);
      h.inject(new Fault.BadDeploy("cart", 0.15, Duration.ZERO));
      untilState(h, IncidentState.VERIFYING, Duration.ofMinutes(30));
      long executedBefore = h.cluster().executor().applied().size();
      assertThat(executedBefore).isEqualTo(1);

      var restarted = h.crashAndRestartAgent();
      Incident resumed = restarted.incidents().get(0);
      assertThat(resumed.state()).isEqualTo(IncidentState.VERIFYING);
      h.runFor(Duration.ofMinutes(20));

      assertThat(h.agent().incidents().get(0).state()).isEqualTo(IncidentState.RESOLVED);
      assertThat(h.cluster().executor().deliveries().values()).allMatch(n -> n == 1);
      assertThat(h.cluster().executor().applied()).hasSize(1);
      assertThat(h.cluster().oracle().violations()).isEmpty();
      assertThat(h.agent().auditLog().verify().intact()).isTrue();
    }
  }

  @Test
  void crashInTheMiddleOfAnActionIsReconciledNotRepeated(@TempDir Path dir) {
    AtomicBoolean crashNext = new AtomicBoolean(true);
    SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS)
        .setAuditFile(dir.resolve("audit.jsonl"));
    try (SimulationHarness h = b.build()) {
      // swap in an executor that applies the action and then kills the process before the agent can record the
      // result: "action.started" is in the audit log, "action.completed" is not
      CrashingExecutor crashing = new CrashingExecutor(h.cluster().executor(), crashNext);
      var agentWithCrash = h.crashAndRestartAgentWith(crashing);
      h.runFor(Scenarios.WARM_UP);
      h.inject(new Fault.BadDeploy("cart", 0.15, Duration.ZERO));
      try {
        untilState(h, IncidentState.RESOLVED, Duration.ofMinutes(30));
      } catch (ProcessDeath expected) {
        // the simulated process died mid-action
      }
      assertThat(agentWithCrash.auditLog().records()).anyMatch(r -> r.entry().type()
          .equals(AuditTypes.ACTION_STARTED));
      assertThat(agentWithCrash.auditLog().records()).noneMatch(r -> r.entry().type()
          .equals(AuditTypes.ACTION_COMPLETED));

      h.crashAndRestartAgent();
      h.runFor(Duration.ofMinutes(20));
      assertThat(h.agent().auditLog().records()).anyMatch(r -> r.entry().type()
          .equals(AuditTypes.ACTION_RECONCILED));
      assertThat(h.agent().incidents().get(0).state()).isEqualTo(IncidentState.RESOLVED);
      assertThat(h.cluster().executor().deliveries().values()).allMatch(n -> n == 1);
      assertThat(h.cluster().oracle().violations()).isEmpty();
    }
  }

  /** Thrown to simulate the process dying; an Error, so the agent's containment of plug-in failures lets it out. */
  static final class ProcessDeath extends Error {
    private static final long serialVersionUID = 1L;

    ProcessDeath() {
      super("simulated process death");
    }
  }

  /** Delegates to the real executor, then "dies" before the agent can record the result. */
  static final class CrashingExecutor implements ActionExecutor {
    private final SimulatedExecutor delegate;
    private final AtomicBoolean crashNext;

    CrashingExecutor(SimulatedExecutor delegate, AtomicBoolean crashNext) {
      this.delegate = delegate;
      this.crashNext = crashNext;
    }

    @Override
    public String name() {
      return "crashing";
    }

    @Override
    public boolean supports(Action action) {
      return delegate.supports(action);
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext context) {
      ActionResult r = delegate.execute(action, context);
      if (crashNext.getAndSet(false)) {
        throw new ProcessDeath();
      }
      return r;
    }

    @Override
    public Optional<ActionResult> reconcile(String key) {
      return delegate.reconcile(key);
    }
  }
}
