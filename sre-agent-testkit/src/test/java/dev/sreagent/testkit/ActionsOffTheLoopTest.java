package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.LockService;
import dev.sreagent.core.audit.AuditTypes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #13: actions run on the agent's pool, not on the loop's thread. An action that takes ten simulated minutes
 * (a rolling restart waiting for readiness) no longer stops the loop: another incident is detected, decided and
 * remediated meanwhile; the action's lock is renewed while it runs; the kill switch and a lost lock cancel it.
 */
class ActionsOffTheLoopTest {
  private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

  private final AtomicReference<SlowExecutor> slow = new AtomicReference<>();

  private SimulationHarness.Builder slowActions() {
    return SimulationHarness.builder().setSeed(10).setActionThreads(2)
        .setExecutorWrapper(e -> {
          SlowExecutor s = new SlowExecutor(e, e.clock(), TEN_MINUTES);
          slow.set(s);
          return s;
        });
  }

  private static Optional<Incident> incidentOf(SimulationHarness h, String root) {
    return h.agent().incidents().stream().filter(i -> root.equals(i.rootService())).findFirst();
  }

  @Test
  void anotherIncidentIsDetectedRemediatedAndVerifiedWhileALongActionRuns() {
    // payments' renewal takes ten simulated minutes; any other action lands at once
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).setActionThreads(2)
        .setExecutorWrapper(e -> {
          SlowExecutor s = new SlowExecutor(e, e.clock(),
              a -> a.service().equals("payments") ? TEN_MINUTES : Duration.ZERO);
          slow.set(s);
          return s;
        }).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, Duration.ofMinutes(10)))
          .as("the first action started on the pool").isTrue();
      Instant firstStarted = h.clock().now();
      String firstTarget = targetOf(h, "payments");
      h.inject(new Fault.ExpiringCertificate("ads", Duration.ofDays(8)));

      // while the first action runs, the loop goes on: the second incident is opened, remediated and verified
      List<IncidentState> adsStates = new ArrayList<>();
      boolean resolved = h.runUntil(x -> {
        incidentOf(x, "ads").ifPresent(i -> adsStates.add(i.state()));
        return incidentOf(x, "ads").filter(i -> i.state() == IncidentState.RESOLVED).isPresent();
      }, TEN_MINUTES);
      assertThat(resolved).as("ads' incident resolved within the ten minutes of payments' action").isTrue();
      assertThat(adsStates).contains(IncidentState.INVESTIGATING, IncidentState.REMEDIATING,
          IncidentState.VERIFYING);
      assertThat(Duration.between(firstStarted, h.clock().now())).isLessThan(TEN_MINUTES);
      assertThat(slow.get().running()).as("payments' action still runs").isEqualTo(1);
      assertThat(incidentOf(h, "payments").orElseThrow().state()).isEqualTo(IncidentState.REMEDIATING);
      assertThat(h.cluster().executor().appliedActions()).extracting(a -> a.action().target())
          .containsExactly(targetOf(h, "ads"));
      // past the five-minute lease: still held (renewed), so no other agent can take payments' target
      assertThat(Duration.between(firstStarted, h.clock().now())).isGreaterThan(Duration.ofMinutes(5));
      assertThat(h.locks().tryAcquire(firstTarget, "other-agent", Duration.ofMinutes(1)))
          .as("the lease of the running action on %s was renewed", firstTarget).isEmpty();

      h.runFor(Duration.ofMinutes(40));
      assertThat(h.cluster().executor().appliedActions()).extracting(a -> a.action().target())
          .containsExactly(targetOf(h, "ads"), firstTarget);
      assertThat(h.agent().incidents()).extracting(Incident::state).containsOnly(IncidentState.RESOLVED);
      assertThat(h.oracle().violations()).isEmpty();
      assertThat(h.locks().tryAcquire(firstTarget, "other-agent", Duration.ofMinutes(1)))
          .as("released once the action landed").isPresent();
    }
  }

  @Test
  void theKillSwitchInterruptsARunningActionAndNothingElseStarts() {
    try (SimulationHarness h = slowActions().build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, Duration.ofMinutes(10))).isTrue();
      h.runFor(Duration.ofMinutes(2));
      h.apply(ClusterEvent.engageKillSwitch("incident commander: hands off"));
      h.runFor(Duration.ofMinutes(40));

      assertThat(slow.get().interrupted()).as("the running action was interrupted").isEqualTo(1);
      assertThat(slow.get().completed()).isZero();
      assertThat(h.cluster().executor().appliedActions()).as("nothing took effect").isEmpty();
      assertThat(h.records(AuditTypes.ACTION_STARTED)).as("no attempt after the kill switch").hasSize(1);
      Incident inc = h.agent().incidents().get(0);
      assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(inc.outcomeReason()).contains("kill switch engaged: incident commander: hands off");
      assertThat(h.records(AuditTypes.ACTION_ATTEMPT_FAILED)).singleElement()
          .satisfies(r -> assertThat(r.entry().data().get("message")).startsWith("cancelled (kill switch"));
      assertThat(h.oracle().violations()).isEmpty();
    }
  }

  @Test
  void aChangeFreezeThatBeginsWhileAnActionRunsCancelsIt() {
    try (SimulationHarness h = slowActions().build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, Duration.ofMinutes(10))).isTrue();
      h.runFor(Duration.ofMinutes(1));
      h.apply(ClusterEvent.freeze("release-window", Duration.ofHours(2)));
      h.runFor(Duration.ofMinutes(30));

      assertThat(slow.get().interrupted()).isEqualTo(1);
      assertThat(h.cluster().executor().appliedActions()).as("nothing took effect during the freeze").isEmpty();
      assertThat(h.records(AuditTypes.ACTION_STARTED)).hasSize(1);
      assertThat(h.records(AuditTypes.ACTION_ATTEMPT_FAILED)).singleElement()
          .satisfies(r -> assertThat(r.entry().data().get("message"))
              .startsWith("cancelled (change freeze 'release-window' began)"));
      assertThat(h.agent().incidents().get(0).state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(h.oracle().violations()).isEmpty();
    }
  }

  @Test
  void aLeaseThatCannotBeRenewedCancelsTheActionBeforeItRunsUnguarded() {
    try (SimulationHarness h = slowActions().setLockWrapper(ActionsOffTheLoopTest::withoutRenewal).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, Duration.ofMinutes(10))).isTrue();
      Instant started = h.clock().now();
      assertThat(h.runUntil(x -> slow.get().interrupted() == 1, Duration.ofMinutes(5)))
          .as("cancelled once half the lease had passed without a renewal").isTrue();
      assertThat(Duration.between(started, h.clock().now()))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(150)).isLessThan(Duration.ofMinutes(5));
      h.runFor(Duration.ofMinutes(30));
      assertThat(h.records(AuditTypes.ACTION_ATTEMPT_FAILED)).first()
          .satisfies(r -> assertThat(r.entry().data().get("message")).contains("could not be renewed"));
      assertThat(h.oracle().violations()).isEmpty();
    }
  }

  @Test
  void aCrashWhileAnActionRunsIsReconciledAndTheActionTakesEffectOnce(@TempDir Path dir) {
    try (SimulationHarness h = slowActions().setAuditFile(dir.resolve("audit.jsonl")).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, Duration.ofMinutes(10))).isTrue();
      SlowExecutor beforeTheCrash = slow.get();
      h.runFor(Duration.ofMinutes(3));
      // the process dies with the call under way; the call itself is not cancelled (it was sent): it lands later
      h.crashAndRestartAgent();
      h.runFor(Duration.ofMinutes(40));

      assertThat(beforeTheCrash.completed()).as("the call from before the crash landed").isEqualTo(1);
      assertThat(h.cluster().executor().applied()).as("the renewal took effect once").hasSize(1);
      assertThat(h.agent().incidents()).singleElement()
          .satisfies(i -> assertThat(i.state()).isEqualTo(IncidentState.RESOLVED));
      assertThat(h.oracle().violations()).isEmpty();
      Duration left = h.cluster().snapshot().certificateOf("payments").orElseThrow().remainingAt(h.clock().now());
      assertThat(left).isGreaterThan(Duration.ofDays(30));
    }
  }

  private static String targetOf(SimulationHarness h, String root) {
    return incidentOf(h, root).orElseThrow().plan().actions().get(0).target();
  }

  /** A lock service that cannot extend leases (the port's default). */
  private static LockService withoutRenewal(LockService real) {
    return new LockService() {
      @Override
      public Optional<Lock> tryAcquire(String target, String owner, Duration ttl) {
        return real.tryAcquire(target, owner, ttl);
      }

      @Override
      public void release(Lock lock) {
        real.release(lock);
      }
    };
  }
}
