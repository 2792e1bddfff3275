package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Lock;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.LockService;
import dev.sreagent.api.port.RemediationPlanner;
import dev.sreagent.core.audit.AuditTypes;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.guardrail.GuardrailLimits;
import dev.sreagent.core.guardrail.ScopeException;
import dev.sreagent.core.reasoning.CatalogPlanner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial tests of the promises the README makes about actions on the agent's pool ("How the loop works" step 6,
 * "Safety" / "Execution"): lock, kill switch, freezes, lease renewal, crash, close, time limits, full bulkhead.
 *
 * <p>Every executor is wrapped in a {@link Probe} placed inside the agent's time limiter, so it sees every call that
 * really reaches the platform (also calls the agent has given up waiting for) and how many run at once per target.
 */
class ActionsOffTheLoopAdversarialTest {
  private static final Duration TEN_MINUTES = Duration.ofMinutes(10);
  private static final String PAYMENTS_CERT = "renew-certificate:payments-mtls";

  // ------------------------------------------------------------------ helpers

  /** Counts the calls that reach the platform, per target, and how many run at once. */
  static final class Probe implements ActionExecutor {
    final ActionExecutor delegate;
    final VirtualClock clock;
    final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    final Map<String, Integer> maxInFlight = new ConcurrentHashMap<>();
    final Map<String, Integer> calls = new ConcurrentHashMap<>();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final java.util.concurrent.atomic.AtomicInteger all = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger maxAll = new java.util.concurrent.atomic.AtomicInteger();

    Probe(ActionExecutor delegate, VirtualClock clock) {
      this.delegate = delegate;
      this.clock = clock;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public boolean supports(Action action) {
      return delegate.supports(action);
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext ctx) {
      String t = action.target();
      int n = inFlight.merge(t, 1, Integer::sum);
      maxInFlight.merge(t, n, Math::max);
      calls.merge(t, 1, Integer::sum);
      maxAll.accumulateAndGet(all.incrementAndGet(), Math::max);
      log.add(clock.now() + " start " + action.canonical() + " key " + ctx.idempotencyKey().substring(0, 8)
          + " token " + ctx.fencingToken() + " on " + Thread.currentThread().getName() + " (in flight: " + n + ")");
      ActionResult r = null;
      try {
        r = delegate.execute(action, ctx);
        return r;
      } finally {
        inFlight.merge(t, -1, Integer::sum);
        all.decrementAndGet();
        log.add(clock.now() + " end   " + action.canonical() + " key " + ctx.idempotencyKey().substring(0, 8)
            + " -> " + (r == null ? "threw" : r.status() + " " + r.message()));
      }
    }

    @Override
    public Optional<ActionResult> reconcile(String idempotencyKey) {
      return delegate.reconcile(idempotencyKey);
    }

    int max(String target) {
      return maxInFlight.getOrDefault(target, 0);
    }

    /** The most calls on any targets at once. */
    int maxInFlight() {
      return maxAll.get();
    }

    int calls(String target) {
      return calls.getOrDefault(target, 0);
    }

    int now(String target) {
      return inFlight.getOrDefault(target, 0);
    }
  }

  /**
   * Takes {@code duration} of simulated time like {@link SlowExecutor}, but ignores interrupts (a platform call that
   * cannot be stopped once sent), then acts. {@link #stop()} makes pending calls return without acting.
   */
  static final class Obstinate implements ActionExecutor {
    final ActionExecutor delegate;
    final VirtualClock clock;
    final Duration duration;
    final AtomicInteger interruptsIgnored = new AtomicInteger();
    final AtomicInteger waiting = new AtomicInteger();
    volatile boolean stopped;

    Obstinate(ActionExecutor delegate, VirtualClock clock, Duration duration) {
      this.delegate = delegate;
      this.clock = clock;
      this.duration = duration;
    }

    @Override
    public String name() {
      return "obstinate-" + delegate.name();
    }

    @Override
    public boolean supports(Action action) {
      return delegate.supports(action);
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext ctx) {
      Instant until = clock.now().plus(duration);
      boolean interrupted = false;
      waiting.incrementAndGet();
      try {
        while (true) {
          try {
            clock.awaitUntil(until);
            break;
          } catch (InterruptedException e) {
            interruptsIgnored.incrementAndGet();
            interrupted = true;
          }
        }
      } finally {
        waiting.decrementAndGet();
      }
      try {
        if (stopped) {
          return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED, "test over", clock.now());
        }
        return delegate.execute(action, ctx);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public Optional<ActionResult> reconcile(String idempotencyKey) {
      return delegate.reconcile(idempotencyKey);
    }

    void stop() {
      stopped = true;
    }
  }

  private static Optional<Incident> incidentOf(SimulationHarness h, String root) {
    return h.agent().incidents().stream().filter(i -> root.equals(i.rootService())).findFirst();
  }

  private static Function<Action, Duration> slowOn(String target, Duration d) {
    return a -> a.target().equals(target) ? d : Duration.ZERO;
  }

  /** A harness whose executor is {@code Probe(SlowExecutor(cluster, duration))}. */
  private static SimulationHarness.Builder slow(int threads, Function<Action, Duration> duration,
      AtomicReference<Probe> probe, AtomicReference<SlowExecutor> slow) {
    return SimulationHarness.builder().setSeed(10).setActionThreads(threads).setExecutorWrapper(e -> {
      SlowExecutor s = new SlowExecutor(e, e.clock(), duration);
      slow.set(s);
      Probe p = new Probe(s, e.clock());
      probe.set(p);
      return p;
    });
  }

  private static List<String> messages(SimulationHarness h, String type) {
    return h.records(type).stream().map(r -> r.entry().incidentId() + " " + r.entry().data().get("status") + " "
        + r.entry().data().get("message")).toList();
  }

  private static String timeline(SimulationHarness h, Probe p) {
    StringBuilder sb = new StringBuilder("\nprobe:\n");
    synchronized (p.log) {
      p.log.forEach(l -> sb.append("  ").append(l).append('\n'));
    }
    sb.append("attempt-failed: ").append(messages(h, AuditTypes.ACTION_ATTEMPT_FAILED)).append('\n');
    sb.append("completed: ").append(messages(h, AuditTypes.ACTION_COMPLETED)).append('\n');
    sb.append("incidents: ").append(h.agent().incidents().stream().map(i -> i.id() + " " + i.rootService() + " "
        + i.state() + " " + i.outcome()).toList()).append('\n');
    sb.append("violations: ").append(h.oracle().violations()).append('\n');
    return sb.toString();
  }

  // ------------------------------------------------------------------ 1. same target, two incidents

  /**
   * Two incidents whose plans act on the same target (a shared mTLS certificate, allowed to the second incident by a
   * named scope exception). The first action takes 10 min; the cooldown (5 min, the hard floor) has passed when the
   * second is decided, so only the runner's "busy" check stands between them. Promise: never two actions of the
   * agent on one target at once; nothing applied twice; oracle clean.
   */
  @Test
  void twoIncidentsOnTheSameTargetNeverRunAtOnce() {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    RemediationPlanner catalog = new CatalogPlanner();
    RemediationPlanner planner = (inc, topo) -> inc.rootService().equals("ads")
        && inc.type().equals(IncidentType.CERTIFICATE_EXPIRY)
        ? new RemediationPlan(inc.id(), List.of(new Action.RenewCertificate("payments", "payments-mtls")),
            "ads terminates on the shared payments mTLS certificate")
        : catalog.plan(inc, topo);
    try (SimulationHarness h = slow(2, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow)
        .setAgentCustomizer(ab -> ab.setPlanner(planner).setGuardrailLimits(GuardrailLimits.defaults()
            .withCooldown(Duration.ofMinutes(5))
            .withScopeException(new ScopeException("shared-mtls", "renew-certificate", "payments"))))
        .build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, TEN_MINUTES)).isTrue();
      h.runFor(Duration.ofMinutes(5).plusSeconds(15));
      h.inject(new Fault.ExpiringCertificate("ads", Duration.ofDays(8)));
      boolean adsWaiting = h.runUntil(x -> incidentOf(x, "ads").filter(i -> i.state() == IncidentState.REMEDIATING)
          .isPresent(), Duration.ofMinutes(4));
      h.runFor(Duration.ofMinutes(40));
      Probe p = probe.get();
      String why = timeline(h, p);

      SoftAssertions s = new SoftAssertions();
      s.assertThat(adsWaiting).as("ads' plan on the shared target was decided while payments' ran" + why).isTrue();
      s.assertThat(p.max(PAYMENTS_CERT)).as("calls at once on " + PAYMENTS_CERT + why).isLessThanOrEqualTo(1);
      s.assertThat(h.cluster().executor().deliveries().values()).as("no key delivered twice" + why)
          .allMatch(n -> n == 1);
      s.assertThat(h.oracle().violations()).as("oracle" + why).isEmpty();
      s.assertThat(h.agent().incidents()).extracting(Incident::state).as("every incident ended" + why)
          .allMatch(st -> st == IncidentState.RESOLVED || st == IncidentState.ESCALATED);
      s.assertAll();
    }
  }

  // ------------------------------------------------------------------ 2/3. longer than the executor's time limit

  /**
   * The executor's time limit (200 ms of real time) is shorter than the action (10 simulated min, which the harness
   * steps slowly: 25 ms of real time per 15 s step). The interrupt-honouring executor is cut off each time. Promise:
   * TIMED_OUT is reconciled before each retry, nothing is applied twice, no two calls run on the target at once, the
   * budget ends in an escalation; oracle clean.
   */
  @Test
  void anActionLongerThanTheTimeLimitIsCutOffRetriedAndGivenUpCleanly() {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    try (SimulationHarness h = slow(2, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow)
        .setExecutorPolicy(ExecutorPolicy.defaults().withTimeout(Duration.ofMillis(200)))
        .setStepListener(x -> pause(25)).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      h.runFor(Duration.ofMinutes(25));
      Probe p = probe.get();
      String why = timeline(h, p);

      SoftAssertions s = new SoftAssertions();
      s.assertThat(h.records(AuditTypes.ACTION_STARTED)).as("three attempts" + why).hasSize(3);
      s.assertThat(messages(h, AuditTypes.ACTION_ATTEMPT_FAILED)).as(why)
          .allMatch(m -> m.contains("TIMED_OUT"));
      s.assertThat(p.max(PAYMENTS_CERT)).as("calls at once on the target" + why).isLessThanOrEqualTo(1);
      s.assertThat(slow.get().completed()).as("no call got through" + why).isZero();
      s.assertThat(h.cluster().executor().appliedActions()).as(why).isEmpty();
      s.assertThat(incidentOf(h, "payments").orElseThrow().state()).as(why).isEqualTo(IncidentState.ESCALATED);
      s.assertThat(h.oracle().violations()).as(why).isEmpty();
      s.assertAll();
    }
  }

  /**
   * As above, with an executor that cannot be stopped once called (it ignores the interrupt of the time limiter).
   * Promise (README, Execution): "a second action of the same agent never starts on a target with one in flight";
   * and an attempt that took effect is counted, not forgotten.
   */
  @Test
  void aTimedOutCallThatKeepsRunningIsNotJoinedByASecondCallOnTheSameTarget() {
    AtomicReference<Obstinate> ob = new AtomicReference<>();
    AtomicReference<Probe> probe = new AtomicReference<>();
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).setActionThreads(2)
        .setExecutorPolicy(ExecutorPolicy.defaults().withTimeout(Duration.ofMillis(200)))
        .setStepListener(x -> pause(25))
        .setExecutorWrapper(e -> {
          Obstinate o = new Obstinate(e, e.clock(), TEN_MINUTES);
          ob.set(o);
          Probe p = new Probe(o, e.clock());
          probe.set(p);
          return p;
        }).build()) {
      try {
        h.runFor(Duration.ofMinutes(30));
        h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
        h.runFor(Duration.ofMinutes(25));
        Probe p = probe.get();
        String why = timeline(h, p);
        String key = incidentOf(h, "payments").orElseThrow().plan().idempotencyKey(0);
        boolean tookEffect = h.cluster().executor().applied().containsKey(key);
        boolean agentCountsIt = h.records(AuditTypes.ACTION_COMPLETED).stream()
            .anyMatch(r -> key.equals(r.entry().data().get("idempotencyKey"))
                && "SUCCEEDED".equals(r.entry().data().get("status")))
            || h.records(AuditTypes.ACTION_RECONCILED).stream()
            .anyMatch(r -> key.equals(r.entry().data().get("idempotencyKey")));

        SoftAssertions s = new SoftAssertions();
        s.assertThat(p.max(PAYMENTS_CERT)).as("calls at once on " + PAYMENTS_CERT + why).isLessThanOrEqualTo(1);
        s.assertThat(h.cluster().executor().appliedActions()).as("applied at most once" + why).hasSizeLessThan(2);
        s.assertThat(!tookEffect || agentCountsIt)
            .as("the renewal took effect (" + tookEffect + "): the agent records it as done" + why).isTrue();
        s.assertThat(h.oracle().violations()).as(why).isEmpty();
        s.assertAll();
      } finally {
        ob.get().stop();
        h.clock().advance(Duration.ofDays(1));
      }
    }
  }

  // ------------------------------------------------------------------ 4. kill switch races the hand-over

  /**
   * The kill switch is engaged (from another thread, in real life) after the safety decision and before the action
   * is handed to the pool: here from inside the lock service's tryAcquire, the last call before the hand-over.
   * Promise: "the kill switch interrupts running actions at once"; nothing takes effect while it is engaged.
   */
  @Test
  void aKillSwitchEngagedBetweenTheDecisionAndTheHandOverStillStopsTheAction() {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    AtomicReference<SimulationHarness> self = new AtomicReference<>();
    AtomicBoolean armed = new AtomicBoolean();
    try (SimulationHarness h = slow(2, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow)
        .setLockWrapper(real -> new LockService() {
          @Override
          public Optional<Lock> tryAcquire(String target, String owner, Duration ttl) {
            Optional<Lock> l = real.tryAcquire(target, owner, ttl);
            if (l.isPresent() && armed.getAndSet(false)) {
              self.get().agent().killSwitch().engage("incident commander, from the chat bot thread");
            }
            return l;
          }

          @Override
          public void release(Lock lock) {
            real.release(lock);
          }

          @Override
          public Optional<Lock> renew(Lock lock, Duration ttl) {
            return real.renew(lock, ttl);
          }
        }).build()) {
      self.set(h);
      h.runFor(Duration.ofMinutes(30));
      armed.set(true);
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      h.runFor(Duration.ofMinutes(30));
      Probe p = probe.get();
      String why = timeline(h, p) + "kill switch: " + h.agent().killSwitch().reason() + "\n";

      SoftAssertions s = new SoftAssertions();
      s.assertThat(armed.get()).as("the kill switch was engaged during the hand-over").isFalse();
      s.assertThat(h.agent().killSwitch().engaged()).isTrue();
      s.assertThat(h.cluster().executor().appliedActions()).as("nothing took effect under the kill switch" + why)
          .isEmpty();
      s.assertThat(h.oracle().violations()).as("oracle" + why).isEmpty();
      s.assertAll();
    }
  }

  // ------------------------------------------------------------------ 5. engaged and released between two ticks

  /**
   * The kill switch is engaged and released between two ticks while the action runs. Promise: the running action is
   * interrupted at once; it is retried (re-checked) once released and takes effect once; the state changes of the
   * kill switch are audited.
   */
  @Test
  void aKillSwitchEngagedAndReleasedWhileTheActionRunsCancelsItAndItIsRetriedOnce() {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    try (SimulationHarness h = slow(2, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, TEN_MINUTES)).isTrue();
      h.runFor(Duration.ofMinutes(2));
      h.agent().killSwitch().engage("oops, wrong button");
      h.agent().killSwitch().release();
      h.runFor(Duration.ofMinutes(40));
      Probe p = probe.get();
      String why = timeline(h, p);

      SoftAssertions s = new SoftAssertions();
      s.assertThat(slow.get().interrupted()).as("interrupted at once" + why).isEqualTo(1);
      s.assertThat(h.records(AuditTypes.ACTION_STARTED)).as("retried once released" + why).hasSize(2);
      s.assertThat(h.cluster().executor().appliedActions()).as("took effect once" + why).hasSize(1);
      s.assertThat(p.max(PAYMENTS_CERT)).as(why).isLessThanOrEqualTo(1);
      s.assertThat(incidentOf(h, "payments").orElseThrow().state()).as(why).isEqualTo(IncidentState.RESOLVED);
      s.assertThat(h.oracle().violations()).as(why).isEmpty();
      s.assertThat(h.records(AuditTypes.KILL_SWITCH))
          .as("the engagement that cancelled a running action is audited (README: the kill switch's state changes"
              + " are audited at the next tick); attempt-failed says: "
              + messages(h, AuditTypes.ACTION_ATTEMPT_FAILED)).isNotEmpty();
      s.assertAll();
    }
  }

  // ------------------------------------------------------------------ 6. queued action behind a running one

  /**
   * One pool thread: payments' 10-minute action runs, ads' action is queued behind it. The kill switch fires.
   * Promise: the running one is interrupted; the queued one never reaches the platform (not after the first ends,
   * not ever while engaged); nothing takes effect; oracle clean.
   */
  @Test
  void aQueuedActionBehindARunningOneNeverStartsOnceTheKillSwitchFires() {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    try (SimulationHarness h = slow(1, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, TEN_MINUTES)).isTrue();
      h.inject(new Fault.ExpiringCertificate("ads", Duration.ofDays(8)));
      boolean queued = h.runUntil(x -> x.records(AuditTypes.ACTION_STARTED).size() == 2, Duration.ofMinutes(5));
      int adsCallsBefore = probe.get().calls("renew-certificate:ads-tls");
      h.apply(ClusterEvent.engageKillSwitch("hands off"));
      h.runFor(Duration.ofMinutes(30));
      Probe p = probe.get();
      String why = timeline(h, p);

      SoftAssertions s = new SoftAssertions();
      s.assertThat(queued).as("ads' action was handed over while payments' ran" + why).isTrue();
      s.assertThat(adsCallsBefore).as("ads' action was queued, not running, on the single thread" + why).isZero();
      s.assertThat(p.calls("renew-certificate:ads-tls")).as("the queued action never started" + why).isZero();
      s.assertThat(slow.get().interrupted()).as(why).isEqualTo(1);
      s.assertThat(h.cluster().executor().appliedActions()).as(why).isEmpty();
      s.assertThat(h.records(AuditTypes.ACTION_STARTED)).as("nothing further started" + why).hasSize(2);
      s.assertThat(h.agent().incidents()).extracting(Incident::state).as(why)
          .containsOnly(IncidentState.ESCALATED);
      s.assertThat(h.oracle().violations()).as(why).isEmpty();
      s.assertAll();
    }
  }

  /**
   * The harness with one action thread and a second action queued behind a running one: a step should still take
   * little real time (SimulationHarness.settle waits for every running action to land or park on the clock; a queued
   * one does neither).
   */
  @Test
  void aQueuedActionDoesNotStallEveryStepOfTheHarness() {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    try (SimulationHarness h = slow(1, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, TEN_MINUTES)).isTrue();
      h.inject(new Fault.ExpiringCertificate("ads", Duration.ofDays(8)));
      assertThat(h.runUntil(x -> x.records(AuditTypes.ACTION_STARTED).size() == 2, Duration.ofMinutes(5)))
          .isTrue();
      long t0 = System.nanoTime();
      h.runFor(SimulationHarness.DEFAULT_STEP);
      Duration step = Duration.ofNanos(System.nanoTime() - t0);
      h.apply(ClusterEvent.engageKillSwitch("end of test")); // frees the thread so that close is quick
      h.runFor(Duration.ofMinutes(1));
      assertThat(step).as("real time of one 15 s step with an action queued on the pool").isLessThan(
          Duration.ofSeconds(2));
    }
  }

  // ------------------------------------------------------------------ 7. full bulkhead

  /**
   * Two pool threads but an executor bulkhead of one call: ads' action is handed over while payments' runs. Promise:
   * UNAVAILABLE means never attempted; nothing lost (the incident is not dropped silently), nothing applied twice;
   * payments' action unaffected; oracle clean.
   */
  @Test
  void aFullBulkheadMakesTheNextActionWaitNothingIsLostOrDoubled() {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    try (SimulationHarness h = slow(2, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow)
        .setExecutorPolicy(ExecutorPolicy.defaults().withMaxConcurrentCalls(1)).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, TEN_MINUTES)).isTrue();
      h.inject(new Fault.ExpiringCertificate("ads", Duration.ofDays(8)));
      h.runFor(Duration.ofMinutes(40));
      Probe p = probe.get();
      String why = timeline(h, p);
      Incident ads = incidentOf(h, "ads").orElseThrow();

      SoftAssertions s = new SoftAssertions();
      // the agent counts its calls per executor and waits for room instead of being refused by the bulkhead: ads'
      // renewal runs once payments' has landed, never beside it
      s.assertThat(p.maxInFlight()).as("never more calls at once than the bulkhead admits" + why).isEqualTo(1);
      s.assertThat(p.calls("renew-certificate:ads-tls")).as("ads' renewal ran once" + why).isEqualTo(1);
      s.assertThat(ads.state()).as(why).isEqualTo(IncidentState.RESOLVED);
      s.assertThat(h.records(AuditTypes.ACTION_COMPLETED)).as("nothing answered UNAVAILABLE" + why)
          .noneMatch(r -> "UNAVAILABLE".equals(r.entry().data().get("status")));
      s.assertThat(incidentOf(h, "payments").orElseThrow().state()).as(why).isEqualTo(IncidentState.RESOLVED);
      s.assertThat(h.cluster().executor().deliveries().values()).as(why).allMatch(n -> n == 1);
      s.assertThat(h.oracle().violations()).as(why).isEmpty();
      s.assertAll();
      System.out.println("[bulkhead] ads: " + ads.state() + " - " + ads.outcome());
    }
  }

  // ------------------------------------------------------------------ 8/9. crash while an action runs

  /**
   * The process dies while the action runs and the call it made never lands (it hangs forever on the platform side).
   * Promise: the restarted agent reconciles (nothing landed), tries again under the same key, the action takes
   * effect once; oracle clean.
   */
  @Test
  void aCrashWhileAnActionRunsWhoseCallNeverLandsIsRetriedOnce(@TempDir Path dir) {
    AtomicBoolean over = new AtomicBoolean();
    AtomicInteger builds = new AtomicInteger();
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicInteger hung = new AtomicInteger();
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).setActionThreads(2)
        .setAuditFile(dir.resolve("audit.jsonl"))
        .setExecutorWrapper(e -> {
          ActionExecutor inner;
          if (builds.incrementAndGet() == 1) {
            inner = new ActionExecutor() {
              @Override
              public String name() {
                return "hanging";
              }

              @Override
              public boolean supports(Action action) {
                return e.supports(action);
              }

              @Override
              public ActionResult execute(Action action, ExecutionContext ctx) {
                hung.incrementAndGet();
                // parked on the virtual clock (so the harness does not wait for it) until the test is over
                Instant far = e.clock().now().plus(Duration.ofDays(365));
                while (!over.get()) {
                  try {
                    e.clock().awaitUntil(far);
                  } catch (InterruptedException ex) {
                    // a call already sent: the platform does not care
                  }
                }
                return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED, "test over",
                    e.clock().now());
              }

              @Override
              public Optional<ActionResult> reconcile(String key) {
                return e.reconcile(key);
              }
            };
          } else {
            inner = new SlowExecutor(e, e.clock(), Duration.ofMinutes(2));
          }
          Probe p = new Probe(inner, e.clock());
          probe.set(p);
          return p;
        })
        .setExecutorPolicy(ExecutorPolicy.defaults().withTimeout(Duration.ofHours(1))).build()) {
      try {
        h.runFor(Duration.ofMinutes(30));
        h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
        assertThat(h.runUntil(x -> hung.get() == 1, TEN_MINUTES)).isTrue();
        h.runFor(Duration.ofMinutes(3));
        h.crashAndRestartAgent();
        h.runFor(Duration.ofMinutes(30));
        Probe p = probe.get();
        String why = timeline(h, p);

        SoftAssertions s = new SoftAssertions();
        s.assertThat(h.cluster().executor().appliedActions()).as("took effect once" + why).hasSize(1);
        s.assertThat(h.agent().incidents()).singleElement().as(why)
            .satisfies(i -> assertThat(i.state()).isEqualTo(IncidentState.RESOLVED));
        s.assertThat(h.oracle().violations()).as(why).isEmpty();
        s.assertAll();
      } finally {
        over.set(true);
        h.clock().advance(Duration.ofDays(400));
      }
    }
  }

  /**
   * The process dies while a 10-minute call is under way; the restarted agent's retry (2 min) lands first, and the
   * call from before the crash lands late, after it. Promise: applied once (same key), oracle clean, resolved.
   */
  @Test
  void aCrashWhoseOldCallLandsLateAfterTheRetryTakesEffectOnce(@TempDir Path dir) {
    AtomicInteger builds = new AtomicInteger();
    List<SlowExecutor> slows = Collections.synchronizedList(new ArrayList<>());
    AtomicReference<Probe> probe = new AtomicReference<>();
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).setActionThreads(2)
        .setAuditFile(dir.resolve("audit.jsonl"))
        .setExecutorWrapper(e -> {
          SlowExecutor s = new SlowExecutor(e, e.clock(), builds.incrementAndGet() == 1 ? TEN_MINUTES
              : Duration.ofMinutes(2));
          slows.add(s);
          Probe p = new Probe(s, e.clock());
          probe.set(p);
          return p;
        }).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slows.get(0).running() == 1, TEN_MINUTES)).isTrue();
      h.runFor(Duration.ofMinutes(3));
      h.crashAndRestartAgent();
      h.runFor(Duration.ofMinutes(30));
      String why = timeline(h, probe.get());
      String key = h.agent().incidents().get(0).plan().idempotencyKey(0);

      SoftAssertions s = new SoftAssertions();
      s.assertThat(slows.get(0).completed()).as("the old call landed" + why).isEqualTo(1);
      s.assertThat(slows.get(1).completed()).as("the retry landed" + why).isEqualTo(1);
      s.assertThat(h.cluster().executor().deliveries()).as(why).containsEntry(key, 2);
      s.assertThat(h.cluster().executor().appliedActions()).as("took effect once" + why).hasSize(1);
      s.assertThat(h.agent().incidents()).singleElement().as(why)
          .satisfies(i -> assertThat(i.state()).isEqualTo(IncidentState.RESOLVED));
      s.assertThat(h.oracle().violations()).as(why).isEmpty();
      s.assertAll();
    }
  }

  // ------------------------------------------------------------------ 10. close while an action runs

  /**
   * The agent is closed while an action runs. Promise: the running call is stopped, the agent's action and executor
   * threads end, nothing is applied after close even when (simulated) time goes on.
   */
  @Test
  void closingTheAgentWhileAnActionRunsStopsItAndLeavesNoThreads() throws InterruptedException {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    SimulationHarness h = slow(2, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow).build();
    h.runFor(Duration.ofMinutes(30));
    h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
    assertThat(h.runUntil(x -> slow.get().running() == 1, TEN_MINUTES)).isTrue();
    h.runFor(Duration.ofMinutes(2));
    h.agent().close();
    h.clock().advance(Duration.ofMinutes(20));
    List<Thread> mine = List.of();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      mine = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
          .filter(t -> t.getName().startsWith("sre-agent-action-") || t.getName().startsWith("sre-agent-executor-"))
          .filter(Thread::isAlive).toList();
      if (mine.isEmpty()) {
        break;
      }
      Thread.sleep(50);
    }
    SoftAssertions s = new SoftAssertions();
    s.assertThat(slow.get().interrupted()).as("the running call was interrupted").isEqualTo(1);
    s.assertThat(slow.get().completed()).isZero();
    s.assertThat(h.cluster().executor().appliedActions()).as("nothing applied after close").isEmpty();
    s.assertThat(mine).extracting(Thread::getName).as("agent threads alive 5 s after close").isEmpty();
    s.assertAll();
  }

  // ------------------------------------------------------------------ 11. renew throws

  /**
   * The lock service's renew throws (its backend is down) while a 10-minute action runs; a second incident (ads)
   * arrives meanwhile. Promise: a plug-in failure is contained, never thrown into the loop (LoopContext.contained);
   * a lease that cannot be renewed cancels the action it guarded (README); other incidents go on.
   */
  @Test
  void aLockServiceWhoseRenewThrowsNeitherBreaksTheLoopNorLeavesTheActionUnguarded() {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    AtomicInteger renewCalls = new AtomicInteger();
    try (SimulationHarness h = slow(2, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow)
        .setLockWrapper(real -> new LockService() {
          @Override
          public Optional<Lock> tryAcquire(String target, String owner, Duration ttl) {
            return real.tryAcquire(target, owner, ttl);
          }

          @Override
          public void release(Lock lock) {
            real.release(lock);
          }

          @Override
          public Optional<Lock> renew(Lock lock, Duration ttl) {
            renewCalls.incrementAndGet();
            throw new IllegalStateException("lock backend unavailable");
          }
        }).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, TEN_MINUTES)).isTrue();
      Instant started = h.clock().now();
      h.inject(new Fault.ExpiringCertificate("ads", Duration.ofDays(8)));
      List<String> tickFailures = new ArrayList<>();
      Instant adsResolvedAt = null;
      Instant takenOverAt = null;
      for (int i = 0; i < 40 * 4; i++) {
        try {
          h.runFor(SimulationHarness.DEFAULT_STEP);
        } catch (RuntimeException e) {
          if (tickFailures.isEmpty()) {
            StringBuilder trace = new StringBuilder(h.clock().now() + " " + e);
            for (StackTraceElement el : e.getStackTrace()) {
              if (el.getClassName().startsWith("dev.sreagent.core")) {
                trace.append("\n      at ").append(el);
              }
            }
            tickFailures.add(trace.toString());
          } else if (tickFailures.size() < 3) {
            tickFailures.add(h.clock().now() + " " + e);
          } else if (tickFailures.size() == 3) {
            tickFailures.add("...");
          }
        }
        if (adsResolvedAt == null && incidentOf(h, "ads").filter(x -> x.state() == IncidentState.RESOLVED)
            .isPresent()) {
          adsResolvedAt = h.clock().now();
        }
        if (takenOverAt == null && slow.get().running() == 1) {
          Optional<Lock> other = h.locks().tryAcquire(PAYMENTS_CERT, "other-agent", Duration.ofSeconds(1));
          if (other.isPresent()) {
            takenOverAt = h.clock().now();
            h.locks().release(other.get());
          }
        }
      }
      String why = timeline(h, probe.get()) + "renew calls: " + renewCalls.get() + "\ntick failures: "
          + tickFailures + "\nads resolved at " + adsResolvedAt + " (payments' action started " + started + ")\nanother agent could take " + PAYMENTS_CERT
          + " while the action still ran at " + takenOverAt + "\n";

      SoftAssertions s = new SoftAssertions();
      s.assertThat(tickFailures).as("ticks that threw" + why).isEmpty();
      s.assertThat(adsResolvedAt).as("ads resolved while payments' action ran" + why).isNotNull();
      if (adsResolvedAt != null) {
        s.assertThat(adsResolvedAt).as(why).isBefore(started.plus(TEN_MINUTES));
      }
      s.assertThat(slow.get().interrupted()).as("each attempt whose lease could not be renewed was cancelled" + why)
          .isEqualTo(probe.get().calls(PAYMENTS_CERT)).isPositive();
      s.assertThat(h.cluster().executor().appliedActions()).as("nothing ran without its lease" + why)
          .noneMatch(a -> a.action().target().equals(PAYMENTS_CERT));
      s.assertThat(incidentOf(h, "payments").orElseThrow().state()).as("given up and escalated" + why)
          .isEqualTo(IncidentState.ESCALATED);
      s.assertThat(takenOverAt).as("the target's lock could be taken by another agent while the action ran" + why)
          .isNull();
      s.assertThat(h.oracle().violations()).as(why).isEmpty();
      s.assertAll();
    }
  }

  // ------------------------------------------------------------------ 12. freeze declared and ended

  /**
   * A change freeze is declared while the action runs (a tick sees it) and ended two minutes later. Promise (README):
   * the running action is cancelled at the next tick; its retry is re-checked and, the freeze being in force then,
   * refused and escalated; nothing takes effect during the freeze, nothing after it either (escalated), no second
   * call on the target; oracle clean.
   */
  @Test
  void aFreezeDeclaredWhileTheActionRunsCancelsItAndTheRetryIsRefusedAndEscalated() {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    try (SimulationHarness h = slow(2, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, TEN_MINUTES)).isTrue();
      h.runFor(Duration.ofMinutes(1));
      h.agent().declareFreeze("hotfix", Duration.ofHours(1), "op", "hotfix rollout");
      h.runFor(Duration.ofMinutes(2));
      int interruptedDuringFreeze = slow.get().interrupted();
      h.agent().endFreeze("hotfix", "op");
      h.runFor(Duration.ofMinutes(40));
      Probe p = probe.get();
      String why = timeline(h, p);
      Incident inc = incidentOf(h, "payments").orElseThrow();

      SoftAssertions s = new SoftAssertions();
      s.assertThat(interruptedDuringFreeze).as("cancelled at the next tick" + why).isEqualTo(1);
      s.assertThat(messages(h, AuditTypes.ACTION_ATTEMPT_FAILED)).as(why).singleElement()
          .satisfies(m -> assertThat(m).contains("cancelled (change freeze 'hotfix' began)"));
      s.assertThat(h.records(AuditTypes.ACTION_STARTED)).as("no attempt during the freeze" + why).hasSize(1);
      s.assertThat(inc.state()).as(why).isEqualTo(IncidentState.ESCALATED);
      s.assertThat(inc.outcomeReason()).as(why).contains("refused at its re-check").contains("change freeze 'hotfix'");
      s.assertThat(h.cluster().executor().appliedActions()).as(why).isEmpty();
      s.assertThat(p.max(PAYMENTS_CERT)).as(why).isLessThanOrEqualTo(1);
      s.assertThat(h.oracle().violations()).as(why).isEmpty();
      s.assertAll();
    }
  }

  /** A freeze declared and ended between two ticks while the action runs: unseen; nothing takes effect during it. */
  @Test
  void aFreezeDeclaredAndEndedBetweenTwoTicksChangesNothingAndNothingLandsInIt() {
    AtomicReference<Probe> probe = new AtomicReference<>();
    AtomicReference<SlowExecutor> slow = new AtomicReference<>();
    try (SimulationHarness h = slow(2, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> slow.get().running() == 1, TEN_MINUTES)).isTrue();
      h.runFor(Duration.ofMinutes(1));
      h.agent().declareFreeze("blip", Duration.ofHours(1), "op", "blip");
      h.agent().endFreeze("blip", "op");
      h.runFor(Duration.ofMinutes(40));
      String why = timeline(h, probe.get());

      SoftAssertions s = new SoftAssertions();
      s.assertThat(h.cluster().executor().appliedActions()).as(why).hasSize(1);
      s.assertThat(incidentOf(h, "payments").orElseThrow().state()).as(why).isEqualTo(IncidentState.RESOLVED);
      s.assertThat(h.oracle().violations()).as(why).isEmpty();
      s.assertThat(h.records(AuditTypes.FREEZE_DECLARED)).hasSize(1);
      s.assertThat(h.records(AuditTypes.FREEZE_ENDED)).hasSize(1);
      s.assertAll();
    }
  }

  // ------------------------------------------------------------------ 13. interrupt-ignoring executor + kill switch

  /**
   * The executor ignores interrupts; the kill switch fires while its 10-minute call runs; a second incident arrives.
   * Promise: the loop stays responsive (each step quick in real time, the second incident handled), nothing further
   * starts while engaged. Also recorded (stdout): whether the call that could not be stopped took effect, and whether
   * the target's lock was still held while it ran.
   */
  @Test
  void anExecutorThatIgnoresTheInterruptDoesNotStallTheLoopAndNothingFurtherStarts() {
    AtomicReference<Obstinate> ob = new AtomicReference<>();
    AtomicReference<Probe> probe = new AtomicReference<>();
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).setActionThreads(2)
        .setExecutorWrapper(e -> {
          Obstinate o = new Obstinate(e, e.clock(), TEN_MINUTES);
          ob.set(o);
          Probe p = new Probe(o, e.clock());
          probe.set(p);
          return p;
        }).build()) {
      try {
        h.runFor(Duration.ofMinutes(30));
        h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
        assertThat(h.runUntil(x -> ob.get().waiting.get() == 1, TEN_MINUTES)).isTrue();
        h.runFor(Duration.ofMinutes(2));
        h.apply(ClusterEvent.engageKillSwitch("stop everything"));
        int startsAtEngage = h.records(AuditTypes.ACTION_STARTED).size();
        h.inject(new Fault.ExpiringCertificate("ads", Duration.ofDays(8)));
        long worstStepNanos = 0;
        boolean lockFreeWhileCallRan = false;
        for (int i = 0; i < 4 * 20; i++) {
          long t0 = System.nanoTime();
          h.runFor(SimulationHarness.DEFAULT_STEP);
          worstStepNanos = Math.max(worstStepNanos, System.nanoTime() - t0);
          if (ob.get().waiting.get() > 0 && !lockFreeWhileCallRan) {
            Optional<Lock> other = h.locks().tryAcquire(PAYMENTS_CERT, "other-agent", Duration.ofSeconds(1));
            if (other.isPresent()) {
              lockFreeWhileCallRan = true;
              h.locks().release(other.get());
            }
          }
        }
        Probe p = probe.get();
        String why = timeline(h, p);

        SoftAssertions s = new SoftAssertions();
        s.assertThat(ob.get().interruptsIgnored.get()).as("the call was interrupted (and ignored it)" + why)
            .isGreaterThanOrEqualTo(1);
        s.assertThat(Duration.ofNanos(worstStepNanos)).as("worst real time of a step" + why)
            .isLessThan(Duration.ofSeconds(2));
        s.assertThat(h.records(AuditTypes.ACTION_STARTED)).as("nothing further started" + why)
            .hasSize(startsAtEngage);
        s.assertThat(incidentOf(h, "ads")).as("the second incident was handled" + why)
            .hasValueSatisfying(i -> assertThat(i.state()).isEqualTo(IncidentState.ESCALATED));
        s.assertAll();
        System.out.println("[obstinate+kill] applied=" + h.cluster().executor().appliedActions().size()
            + " violations=" + h.oracle().violations() + " lockFreeWhileCallRan=" + lockFreeWhileCallRan
            + " completed=" + messages(h, AuditTypes.ACTION_COMPLETED) + " reconciled="
            + messages(h, AuditTypes.ACTION_RECONCILED) + " payments=" + incidentOf(h, "payments").map(
                i -> i.state() + " " + i.outcome()).orElse("?"));
      } finally {
        ob.get().stop();
        h.clock().advance(Duration.ofDays(1));
      }
    }
  }

  // ------------------------------------------------------------------ 14. another hour

  /**
   * The same fault at another hour (Saturday 23:40 UTC start; the action spans midnight) and at 03:00, with actions
   * on the pool. Promise: resolved, applied once, oracle clean, lock released.
   */
  @Test
  void theSameFaultAtOtherHoursWithActionsOnThePool() {
    for (String start : List.of("2026-03-07T23:40:00Z", "2026-03-04T02:30:00Z")) {
      AtomicReference<Probe> probe = new AtomicReference<>();
      AtomicReference<SlowExecutor> slow = new AtomicReference<>();
      try (SimulationHarness h = slow(2, slowOn(PAYMENTS_CERT, TEN_MINUTES), probe, slow)
          .setStart(Instant.parse(start)).build()) {
        h.runFor(Duration.ofMinutes(30));
        h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
        h.runFor(Duration.ofMinutes(40));
        String why = " (start " + start + ")" + timeline(h, probe.get());

        SoftAssertions s = new SoftAssertions();
        s.assertThat(slow.get().completed()).as(why).isEqualTo(1);
        s.assertThat(h.cluster().executor().appliedActions()).as(why).hasSize(1);
        s.assertThat(h.agent().incidents()).extracting(Incident::state).as(why)
            .containsExactly(IncidentState.RESOLVED);
        s.assertThat(h.oracle().violations()).as(why).isEmpty();
        s.assertThat(h.locks().tryAcquire(PAYMENTS_CERT, "other-agent", Duration.ofMinutes(1))).as(why)
            .isPresent();
        s.assertAll();
      }
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
