package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Lock;
import dev.sreagent.core.audit.AuditTypes;
import dev.sreagent.core.lock.InMemoryLockService;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue #12, defect 1: the kill switch, change freezes and lock refusals were checked when a plan was decided, but a
 * retry after a failed attempt (or after "target locked, retry next tick") went straight back to execution. Every
 * attempt that does not directly follow its decision is now decided again.
 */
class GuardrailsAtEveryAttemptTest {
  private static final Duration TEN_DAYS = Duration.ofDays(10);

  /** Seed 10, AUTONOMOUS, the first executor call fails, payments' certificate expires in 10 days. */
  private static SimulationHarness failingOnce() {
    return SimulationHarness.builder().setSeed(10)
        .setExecutorWrapper(e -> FlakyExecutor.failingFirst(e, 1))
        .build();
  }

  private static void untilTheFirstAttemptFailed(SimulationHarness h) {
    h.runFor(Duration.ofMinutes(30));
    h.inject(new Fault.ExpiringCertificate("payments", TEN_DAYS));
    assertThat(h.runUntil(x -> !x.records(AuditTypes.ACTION_ATTEMPT_FAILED).isEmpty(), Duration.ofMinutes(30)))
        .as("the first attempt failed").isTrue();
  }

  private static void assertNothingRenewedAndEscalated(SimulationHarness h, String because) {
    assertThat(h.oracle().violations()).as("the oracle saw no violation").isEmpty();
    assertThat(h.cluster().executor().appliedActions()).as("nothing took effect").isEmpty();
    assertThat(h.records(AuditTypes.ACTION_STARTED)).as("only the failed first attempt started").hasSize(1);
    Duration left = h.cluster().snapshot().certificateOf("payments").orElseThrow().remainingAt(h.clock().now());
    assertThat(left).as("the certificate was not renewed").isLessThan(TEN_DAYS);
    Incident inc = h.agent().incidents().get(0);
    assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
    assertThat(inc.outcome()).isEqualTo(dev.sreagent.api.model.IncidentOutcome.REFUSED_AT_RECHECK);
    assertThat(inc.outcomeReason()).contains("refused at its re-check").contains(because);
  }

  @Test
  void theKillSwitchStopsTheRetry() {
    try (SimulationHarness h = failingOnce()) {
      untilTheFirstAttemptFailed(h);
      h.apply(ClusterEvent.engageKillSwitch("incident commander: hands off"));
      h.runFor(Duration.ofMinutes(30));
      assertNothingRenewedAndEscalated(h, "kill switch engaged: incident commander: hands off");
      assertThat(h.records(AuditTypes.KILL_SWITCH)).singleElement()
          .satisfies(r -> assertThat(r.entry().data()).containsEntry("engaged", "true"));
    }
  }

  @Test
  void aFreezeThatBeginsBetweenAttemptsStopsTheRetry() {
    try (SimulationHarness h = failingOnce()) {
      untilTheFirstAttemptFailed(h);
      h.apply(ClusterEvent.freeze("release-window", Duration.ofHours(2)));
      h.runFor(Duration.ofMinutes(30));
      assertNothingRenewedAndEscalated(h, "change freeze 'release-window'");
      assertThat(h.records(AuditTypes.FREEZE_DECLARED)).hasSize(1);
    }
  }

  @Test
  void aTargetLockedByAnotherAgentIsDecidedAgainBeforeTheNextTry() {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).build()) {
      h.runFor(Duration.ofMinutes(30));
      Lock theirs = h.locks().tryAcquire("renew-certificate:payments-mtls", "other-agent", Duration.ofMinutes(5))
          .orElseThrow();
      h.inject(new Fault.ExpiringCertificate("payments", TEN_DAYS));
      assertThat(h.runUntil(x -> !x.agent().incidents().isEmpty()
          && x.agent().incidents().get(0).state() == IncidentState.REMEDIATING, Duration.ofMinutes(30)))
          .as("decided EXECUTE, then found the target locked").isTrue();
      h.runFor(Duration.ofMinutes(1));
      h.apply(ClusterEvent.engageKillSwitch("stop"));
      h.locks().release(theirs);
      h.runFor(Duration.ofMinutes(30));
      assertThat(h.records(AuditTypes.ACTION_STARTED)).as("no attempt after the lock came free").isEmpty();
      assertThat(h.cluster().executor().appliedActions()).isEmpty();
      Incident inc = h.agent().incidents().get(0);
      assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(inc.outcome()).isEqualTo(dev.sreagent.api.model.IncidentOutcome.REFUSED_AT_RECHECK);
      assertThat(inc.outcomeReason()).contains("refused at its re-check").contains("kill switch engaged: stop");
    }
  }

  @Test
  void aTargetThatStaysLockedIsEscalatedAfterTwiceTheLease() {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.locks().tryAcquire("renew-certificate:payments-mtls", "other-agent", Duration.ofHours(2)).orElseThrow();
      h.inject(new Fault.ExpiringCertificate("payments", TEN_DAYS));
      h.runFor(Duration.ofMinutes(30));
      assertThat(h.records(AuditTypes.ACTION_STARTED)).isEmpty();
      Incident inc = h.agent().incidents().get(0);
      assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(inc.outcome()).isEqualTo(dev.sreagent.api.model.IncidentOutcome.ACTION_FAILED);
      assertThat(inc.outcomeReason()).contains("locked by another agent").contains("twice the lock lease of 300 s");
    }
  }

  @Test
  void anApprovedPlanKeepsItsApprovalAcrossRetries() {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).setPhase(dev.sreagent.api.model.Phase.ASSIST)
        .setExecutorWrapper(e -> FlakyExecutor.failingFirst(e, 1)).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", TEN_DAYS));
      h.runFor(Duration.ofMinutes(40));
      assertThat(h.records(AuditTypes.APPROVAL_GRANTED)).hasSize(1);
      assertThat(h.records(AuditTypes.ACTION_STARTED)).hasSize(2);
      assertThat(h.cluster().executor().appliedActions()).singleElement()
          .satisfies(a -> assertThat(a.action().canonical()).isEqualTo("renew-certificate(payments;payments-mtls)"));
      assertThat(h.agent().incidents().get(0).state()).isEqualTo(IncidentState.RESOLVED);
      assertThat(h.oracle().violations()).isEmpty();
    }
  }

  @Test
  void anEngagedKillSwitchSurvivesARestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).setAuditFile(dir.resolve("audit.jsonl"))
        .setExecutorWrapper(e -> FlakyExecutor.failingFirst(e, 1)).build()) {
      untilTheFirstAttemptFailed(h);
      h.apply(ClusterEvent.engageKillSwitch("hands off"));
      h.runFor(Duration.ofSeconds(15)); // the agent notices and audits it
      h.crashAndRestartAgent();
      assertThat(h.agent().killSwitch().reason()).isEqualTo("hands off");
      h.runFor(Duration.ofMinutes(30));
      assertNothingRenewedAndEscalated(h, "kill switch engaged: hands off");
    }
  }

  @Test
  void anActionThatLandedWhileTheLastAttemptReportedFailureIsCountedByTheCaps() {
    // one attempt only, and the executor lies: the renewal takes effect but is reported FAILED
    dev.sreagent.core.execution.ExecutorPolicy once = dev.sreagent.core.execution.ExecutorPolicy.defaults()
        .withMaxAttempts(1).withCircuitBreaker(50f, 10, 100, Duration.ofMinutes(5));
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).setExecutorPolicy(once)
        .setExecutorWrapper(e -> new dev.sreagent.api.port.ActionExecutor() {
          @Override
          public String name() {
            return "liar";
          }

          @Override
          public boolean supports(dev.sreagent.api.model.Action action) {
            return e.supports(action);
          }

          @Override
          public dev.sreagent.api.model.ActionResult execute(dev.sreagent.api.model.Action action,
              dev.sreagent.api.model.ExecutionContext ctx) {
            var real = e.execute(action, ctx);
            return new dev.sreagent.api.model.ActionResult(ctx.idempotencyKey(),
                dev.sreagent.api.model.ActionResult.Status.FAILED, "lie: " + real.message(), real.at());
          }

          @Override
          public java.util.Optional<dev.sreagent.api.model.ActionResult> reconcile(String key) {
            return e.reconcile(key);
          }
        }).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", TEN_DAYS));
      h.runFor(Duration.ofMinutes(3));
      h.inject(new Fault.ExpiringCertificate("payments", TEN_DAYS)); // renewed, then the same fault again
      h.runFor(Duration.ofMinutes(10));
      assertThat(h.cluster().changesApplied()).as("renewed once: the second renewal is within the cooldown of a"
          + " renewal that did land").isEqualTo(1);
      assertThat(h.records(AuditTypes.ACTION_RECONCILED)).hasSize(1);
      assertThat(h.agent().incidents().get(0).state()).isNotEqualTo(IncidentState.ESCALATED);
    }
  }
}
