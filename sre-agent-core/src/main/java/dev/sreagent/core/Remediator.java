package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Lock;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.LockService;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.execution.ResilientActionExecutor;
import dev.sreagent.core.guardrail.ChangeFreezes;
import dev.sreagent.core.guardrail.Freeze;
import dev.sreagent.core.guardrail.SafetyGate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remediation: runs a plan's actions in order, each under its target's lock with a fencing token and an idempotency
 * key, audited before and after; every attempt that does not directly follow its decision is decided again; an
 * attempt whose outcome is in doubt is reconciled before it is retried or given up; retries back off with jitter.
 * Also runs the inverse actions of an auto-rollback.
 */
final class Remediator {
  private static final Logger LOG = LoggerFactory.getLogger(SreAgent.class);

  private final LoopContext ctx;
  private final IncidentBook book;
  private final ActionLedger ledger;
  private final SafetyGate gate;
  private final LockService locks;
  private final Learner learner;
  private final ActionRunner runner;
  private final ChangeFreezes freezes;
  private final ActionCalls calls;

  Remediator(LoopContext ctx, IncidentBook book, ActionLedger ledger, SafetyGate gate,
      List<ResilientActionExecutor> executors, LockService locks, Learner learner, ActionRunner runner,
      ChangeFreezes freezes) {
    this.ctx = ctx;
    this.book = book;
    this.ledger = ledger;
    this.gate = gate;
    this.locks = locks;
    this.learner = learner;
    this.runner = runner;
    this.freezes = freezes;
    this.calls = new ActionCalls(ctx, ledger, executors, locks, runner);
  }

  /**
   * Runs the plan's actions that have not completed, in order, as far as they go now.
   *
   * @param justDecided true right after the safety decision (or an approval's re-check) in this tick; otherwise
   *     every guardrail is evaluated again before the attempt: a retry, a target that was locked, a remediation
   *     resumed after a restart never runs on a decision the world has moved past (kill switch, freezes, caps,
   *     phase, topology)
   */
  void execute(Incident inc, Instant now, boolean justDecided) {
    RemediationPlan plan = Objects.requireNonNull(inc.plan(), "plan");
    boolean decidedNow = justDecided;
    for (int i = 0; i < plan.actions().size(); i++) {
      Action action = plan.actions().get(i);
      String key = plan.idempotencyKey(i);
      if (ledger.completed.contains(key)) {
        continue;
      }
      ActionRunner.InFlight running = runner.get(key);
      if (running != null) {
        if (!running.done()) {
          watch(inc, running, now); // still running: the incident stays REMEDIATING, the loop goes on
          return;
        }
        if (!apply(inc, running, now)) {
          return;
        }
        continue;
      }
      Instant retryAfter = ledger.retryAt.get(key);
      if (retryAfter != null && now.isBefore(retryAfter)) {
        return;
      }
      Optional<ResilientActionExecutor> executor = calls.executorFor(action);
      if (executor.isEmpty()) {
        book.escalate(inc, IncidentOutcome.ACTION_FAILED, now, "no executor supports '" + action.kind() + "'; add an executor module (for example"
            + " sre-agent-k8s) or a custom ActionExecutor");
        return;
      }
      if (runner.busy(action.target()) || executor.get().busy(action.target())) {
        // another action of this agent, or an earlier call whose time limit ran out but which goes on: wait for it,
        // then ask what it did
        waitFor(inc, action, key, now, "a call of this agent is still under way on " + action.target());
        return;
      }
      if (!calls.hasCapacity(executor.get())) {
        waitFor(inc, action, key, now, "executor " + executor.get().name() + " or the agent's action threads are"
            + " all busy");
        return;
      }
      // an earlier attempt may have landed (crash, timeout, or a failure report that was wrong): ask first; a sharded
      // agent always asks, since the incident's previous owner may have run this key before it died (ShardGate)
      if ((ledger.started.contains(key) || ctx.shards != null) && reconciled(inc, action, key, executor.get(), now)) {
        continue;
      }
      int attempts = ledger.attempts.getOrDefault(key, 0);
      if (attempts >= executor.get().policy().maxAttempts()) {
        // the last attempt's call outlived its time limit; it has ended now without taking effect
        calls.complete(inc, action, key, new ActionResult(key, ActionResult.Status.FAILED, "no effect", now), now);
        fail(inc, now, action, new ActionResult(key, ActionResult.Status.FAILED, "gave up after " + attempts
            + " attempts; the last call ran on past its time limit and ended without taking effect", now));
        return;
      }
      if (!decidedNow && !recheck(inc, plan, action, key, now)) {
        return;
      }
      decidedNow = false;
      Optional<Lock> lock = calls.tryLock(action.target());
      if (lock.isEmpty()) {
        waitFor(inc, action, key, now, action.target() + " is locked by another agent");
        return;
      }
      ledger.lockedSince.remove(key);
      ActionRunner.InFlight handed = calls.start(inc, action, key, executor.get(), lock.get(), null, now);
      if (!handed.done() || !apply(inc, handed, now)) {
        return; // running on the agent's pool, or stopped here
      }
    }
    Verifier.begin(ctx, book, inc, now, "all " + plan.actions().size() + " action(s) executed");
  }

  /**
   * Applies the result of an action that has landed: completed, retried after a backoff, reconciled or given up.
   *
   * @return whether the plan goes on to its next action
   */
  private boolean apply(Incident inc, ActionRunner.InFlight landed, Instant now) {
    runner.finish(landed.key);
    calls.release(landed.lock);
    Action action = landed.action;
    String key = landed.key;
    ActionResult result = landed.result.join();
    if (landed.cancelled != null && !result.succeeded()) {
      result = new ActionResult(key, result.status(), "cancelled (" + landed.cancelled + "): " + result.message(),
          result.at());
    }
    ResilientActionExecutor executor = calls.executorFor(action).orElseThrow();
    switch (result.status()) {
      case SUCCEEDED, DRY_RUN -> {
        calls.complete(inc, action, key, result, now);
        ctx.counters.actionsExecuted.incrementAndGet();
        ctx.telemetry.action(action.kind(), "executed");
        ctx.emit(IncidentEvent.Kind.ACTION_EXECUTED, inc, action.canonical() + ": " + result.message(), now);
        return true;
      }
      case FAILED, TIMED_OUT -> {
        ExecutorPolicy policy = executor.policy();
        int attempt = ledger.attempts.merge(key, 1, Integer::sum);
        if (attempt < policy.maxAttempts()) {
          Duration wait = policy.backoff(attempt, ledger.jitter.nextDouble());
          ledger.retryAt.put(key, now.plus(wait));
          ctx.audit(new AuditEvent.ActionAttemptFailed(inc, key, attempt, result.status(), result.message(),
              now.plus(wait)));
          ctx.emit(IncidentEvent.Kind.ACTION_FAILED, inc, String.format(Locale.ROOT,
              "%s attempt %d/%d %s: %s; retry in %d s after reconciling", action.canonical(), attempt,
              policy.maxAttempts(), result.status(), result.message(), wait.toSeconds()), now);
          return false;
        }
        if (executor.busy(action.target())) {
          // the last call goes on past its time limit: wait for it to end, then reconcile (in execute) before giving
          // up, so what it does is recorded and counted by the caps
          ledger.retryAt.put(key, now);
          return false;
        }
        // the last attempt's answer may be wrong too (a lie, a timeout that landed): ask before giving up, so an
        // action that did take effect is counted by the caps rather than forgotten
        if (reconciled(inc, action, key, executor, now)) {
          return true;
        }
        calls.complete(inc, action, key, result, now);
        fail(inc, now, action, new ActionResult(key, result.status(), "gave up after " + attempt + " attempts: "
            + result.message(), now));
        return false;
      }
      default -> {
        calls.complete(inc, action, key, result, now);
        fail(inc, now, action, result);
        return false;
      }
    }
  }

  /**
   * Settles actions that landed for an incident that is no longer remediating (it cannot normally leave REMEDIATING
   * while an action runs; this keeps a lock or a busy target from outliving it if it does): the lock is released and
   * the outcome recorded.
   */
  void sweep(Instant now) {
    for (ActionRunner.InFlight f : runner.inFlight()) {
      if (!f.done()) {
        continue;
      }
      Optional<Incident> inc = ctx.store.find(f.incidentId);
      if (inc.isPresent() && inc.get().state() == IncidentState.REMEDIATING) {
        continue;
      }
      runner.finish(f.key);
      calls.release(f.lock);
      if (inc.isPresent()) {
        calls.complete(inc.get(), f.action, f.key, f.result.join(), now);
      }
      LOG.warn("{}: {} landed after its incident left REMEDIATING; recorded, lock released", f.incidentId,
          f.action.canonical());
    }
  }

  /**
   * Watches a running action once a tick: a change freeze that has begun cancels it (the kill switch does so at once,
   * from the thread that engages it); the lease of its lock is renewed once half of it has passed, and a lock that
   * cannot be renewed is lost (taken over, or the lock service cannot extend leases): the action it guarded is
   * cancelled.
   */
  private void watch(Incident inc, ActionRunner.InFlight running, Instant now) {
    if (running.cancelled != null) {
      return;
    }
    Optional<Freeze> freeze = freezes.inForce(now);
    if (freeze.isPresent()) {
      LOG.warn("{}: change freeze '{}' began while {} ran; cancelling it", inc.id(), freeze.get().name(),
          running.action.canonical());
      running.cancel("change freeze '" + freeze.get().name() + "' began");
      return;
    }
    Lock lock = running.lock;
    Duration ttl = ctx.settings.lockTtl();
    if (now.isBefore(lock.expiresAt().minus(ttl.dividedBy(2)))) {
      return;
    }
    Optional<Lock> renewed;
    try {
      renewed = locks.renew(lock, ttl);
    } catch (RuntimeException e) {
      ctx.contained("lock service renew", e);
      renewed = Optional.empty(); // a lease that cannot be confirmed is a lease lost
    }
    if (renewed.isPresent()) {
      running.lock = renewed.get();
      return;
    }
    String why = "the lock on " + lock.target() + " (token " + lock.fencingToken() + ") could not be renewed";
    LOG.warn("{}: {}; cancelling {}", inc.id(), why, running.action.canonical());
    running.cancel(why);
  }

  /**
   * Asks the executor whether {@code key} took effect; when it did, records it as executed.
   *
   * @return whether it took effect
   */
  private boolean reconciled(Incident inc, Action action, String key, ActionExecutor executor, Instant now) {
    Optional<ActionResult> prior = calls.reconcileSafely(executor, key);
    if (prior.isEmpty() || !(prior.get().succeeded() || prior.get().status() == ActionResult.Status.DRY_RUN)) {
      return false;
    }
    ctx.audit(new AuditEvent.ActionReconciled(inc, key, prior.get().status(), prior.get().message()));
    calls.complete(inc, action, key, prior.get(), prior.get().at());
    ctx.counters.actionsExecuted.incrementAndGet();
    ctx.emit(IncidentEvent.Kind.ACTION_EXECUTED, inc, action.canonical() + ": reconciled, it had taken effect: "
        + prior.get().message(), now);
    return true;
  }

  /**
   * Evaluates every guardrail again for {@code action} before an attempt that does not follow its decision directly.
   * When the answer is no longer EXECUTE, the refusal is audited as a decision and the incident escalated.
   *
   * @return whether the attempt may go ahead
   */
  private boolean recheck(Incident inc, RemediationPlan plan, Action action, String key, Instant now) {
    Phase phase = ctx.phases.phaseFor(inc.type(), inc.rootService());
    IncidentRecord record = book.peek(inc.id());
    boolean approved = record != null && plan.hash().equals(record.approvedPlanHash);
    SafetyDecision d = gate.recheck(inc, action, phase, ctx.currentTopology(), ledger.guardHistory(key), now,
        approved);
    if (d.outcome() == SafetyDecision.Outcome.EXECUTE) {
      return true;
    }
    int attempt = ledger.attempts.getOrDefault(key, 0) + 1;
    ctx.audit(new AuditEvent.Decided(inc, d.outcome(), phase, d.reason(), null, plan.hash(), d.verdicts(), null,
        "attempt " + attempt + " of " + action.canonical(), key));
    ctx.emit(IncidentEvent.Kind.DECIDED, inc, d.outcome() + " [" + phase + "] re-check before attempt " + attempt
        + " of " + action.canonical() + " - " + d.reason() + " | guardrails: " + Decider.summarize(d), now);
    ledger.retryAt.remove(key);
    ledger.lockedSince.remove(key);
    book.escalate(inc, IncidentOutcome.REFUSED_AT_RECHECK, now, "attempt " + attempt + " of " + action.canonical()
        + " refused at its re-check: " + d.reason());
    return false;
  }

  /**
   * Waits (until a later tick) for what keeps {@code action} from starting, re-checking the guardrails when it goes
   * ahead; after twice the lock lease of waiting the incident is escalated instead of waiting forever.
   */
  private void waitFor(Incident inc, Action action, String key, Instant now, String why) {
    Instant since = ledger.lockedSince.computeIfAbsent(key, k -> now);
    Duration waited = Duration.between(since, now);
    if (waited.compareTo(ctx.settings.lockTtl().multipliedBy(2)) > 0) {
      ledger.lockedSince.remove(key);
      book.escalate(inc, IncidentOutcome.ACTION_FAILED, now, why + ": waited " + waited.toSeconds() + " s (twice the lock lease of "
          + ctx.settings.lockTtl().toSeconds() + " s); " + action.canonical() + " not run");
      return;
    }
    LOG.info("{}: {}; re-checking and retrying next tick", inc.id(), why);
  }

  private void fail(Incident inc, Instant now, Action action, ActionResult result) {
    ctx.counters.actionsFailed.incrementAndGet();
    ctx.telemetry.action(action.kind(), "failed");
    ctx.emit(IncidentEvent.Kind.ACTION_FAILED, inc, action.canonical() + " failed: " + result.message(), now);
    learner.demote(inc.type(), inc.rootService(), "action " + action.kind() + " failed for " + inc.id());
    book.escalate(inc, IncidentOutcome.ACTION_FAILED, now, "action " + action.canonical() + " failed: "
        + result.message());
  }

  /**
   * Runs {@code inverse}, which undoes {@code original}, if the guardrails allow; returns what happened, with the
   * executor's message (where the inverse left things, for example the URL of a revert pull request a human must
   * merge: it ends up in the incident's outcome).
   */
  String runInverse(Incident inc, Action original, Action inverse, Instant now) {
    RemediationPlan undo = new RemediationPlan(inc.id(), List.of(inverse), "inverse of " + original.canonical());
    SafetyDecision check = gate.decide(inc, undo, Phase.AUTONOMOUS, ctx.currentTopology(), ledger.guardHistory(null),
        now, true);
    if (check.outcome() != SafetyDecision.Outcome.EXECUTE) {
      return inverse.canonical() + " refused: " + check.reason();
    }
    String key = undo.idempotencyKey(0);
    if (ledger.completed.contains(key)) {
      return inverse.canonical() + " already done";
    }
    Optional<ResilientActionExecutor> ex = calls.executorFor(inverse);
    if (ex.isEmpty()) {
      return inverse.canonical() + " not possible: no executor supports it";
    }
    if (runner.busy(inverse.target())) {
      return inverse.canonical() + " not possible now: another action of this agent is running on "
          + inverse.target();
    }
    Optional<Lock> lock = calls.tryLock(inverse.target());
    if (lock.isEmpty()) {
      return inverse.canonical() + " not possible: " + inverse.target() + " is locked by another agent";
    }
    // an inverse runs on the loop's thread, bounded by its executor's time limit: the verdict waits for it
    ActionResult r = calls.call(inc, inverse, key, ex.get(), lock.get(), original.canonical(), now);
    calls.complete(inc, inverse, key, r, now);
    return inverse.canonical() + " " + r.status() + ": " + r.message();
  }
}
