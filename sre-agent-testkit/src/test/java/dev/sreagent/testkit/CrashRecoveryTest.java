package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.core.audit.AuditKey;
import dev.sreagent.core.audit.AuditTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent is killed mid-incident and restarted from its keyed audit log; no action ever runs twice, and a crash
 * between an audit append and the head update is recovered with an audited record.
 */
class CrashRecoveryTest {
  /** A key in a file of its own, as a deployment keeps it. */
  private static AuditKey keyIn(Path dir) throws IOException {
    Path file = dir.resolve("audit.key");
    Files.writeString(file, "Y3Jhc2gtcmVjb3Zlcnkgc2VjcmV0IG9mIDMyIGJ5dGVz\n");
    return AuditKey.fromFile(file);
  }

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
  void crashWhileVerifyingResumesWithoutRepeatingTheAction(@TempDir Path dir) throws IOException {
    try (SimulationHarness h = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS)
        .setAuditFile(dir.resolve("audit.jsonl")).setAuditKey(keyIn(dir)).build()) {
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
  void crashInTheMiddleOfAnActionIsReconciledNotRepeated(@TempDir Path dir) throws IOException {
    AtomicBoolean crashNext = new AtomicBoolean(true);
    SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS)
        .setAuditFile(dir.resolve("audit.jsonl")).setAuditKey(keyIn(dir));
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

  @Test
  void aCrashBetweenAnAuditAppendAndTheHeadUpdateIsRecoveredAndAudited(@TempDir Path dir) throws IOException {
    Path audit = dir.resolve("audit.jsonl");
    Path head = dir.resolve("audit.jsonl.head");
    Path before = dir.resolve("head-before-the-append");
    try (SimulationHarness h = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS).setAuditFile(audit)
        .setAuditKey(keyIn(dir)).build()) {
      h.runFor(Scenarios.WARM_UP);
      h.inject(new Fault.BadDeploy("cart", 0.15, Duration.ZERO));
      untilState(h, IncidentState.VERIFYING, Duration.ofMinutes(30));
      // one record is appended and the process dies before the head covers it
      Files.copy(head, before);
      h.agent().setPhase(IncidentType.CERTIFICATE_EXPIRY, Phase.ASSIST, "alice", "certificates need a human");
      Files.copy(before, head, StandardCopyOption.REPLACE_EXISTING);

      var restarted = h.crashAndRestartAgent();
      List<AuditRecord> records = restarted.auditLog().records();
      assertThat(records).filteredOn(r -> r.entry().type().equals(AuditTypes.AUDIT_TAIL_RECOVERED)).singleElement()
          .satisfies(r -> assertThat(r.entry().data().get("recovered")).contains("phase.changed").contains("alice"));
      assertThat(restarted.phase(IncidentType.CERTIFICATE_EXPIRY)).isEqualTo(Phase.ASSIST);
      assertThat(restarted.incidents().get(0).state()).isEqualTo(IncidentState.VERIFYING);
      h.runFor(Duration.ofMinutes(20));
      assertThat(h.agent().incidents().get(0).state()).isEqualTo(IncidentState.RESOLVED);
      assertThat(h.cluster().executor().deliveries().values()).allMatch(n -> n == 1);
      assertThat(h.agent().auditLog().verify().intact()).isTrue();
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
