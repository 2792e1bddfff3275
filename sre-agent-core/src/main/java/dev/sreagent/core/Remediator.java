package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.Lock;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.LockService;
import dev.sreagent.core.audit.AuditTypes;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.execution.ResilientActionExecutor;
import dev.sreagent.core.guardrail.SafetyGate;
import dev.sreagent.core.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
  private final List<ActionExecutor> executors;
  private final LockService locks;
  private final Learner learner;

  Remediator(LoopContext ctx, IncidentBook book, ActionLedger ledger, SafetyGate gate, List<ActionExecutor> executors,
      LockService locks, Learner learner) {
    this.ctx = ctx;
    this.book = book;
    this.ledger = ledger;
    this.gate = gate;
    this.executors = List.copyOf(executors);
    this.locks = locks;
    this.learner = learner;
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
      Instant retryAfter = ledger.retryAt.get(key);
      if (retryAfter != null && now.isBefore(retryAfter)) {
        return;
      }
      Optional<ActionExecutor> executor = executorFor(action);
      if (executor.isEmpty()) {
        book.escalate(inc, now, "no executor supports '" + action.kind() + "'; add an executor module (for example"
            + " sre-agent-k8s) or a custom ActionExecutor");
        return;
      }
      // an earlier attempt may have landed (crash, timeout, or a failure report that was wrong): ask first
      if (ledger.started.contains(key) && reconciled(inc, action, key, executor.get(), now)) {
        continue;
      }
      if (!decidedNow && !recheck(inc, plan, action, key, now)) {
        return;
      }
      decidedNow = false;
      Optional<Lock> lock = locks.tryAcquire(action.target(), ctx.settings.agentId(), ctx.settings.lockTtl());
      if (lock.isEmpty()) {
        Instant since = ledger.lockedSince.computeIfAbsent(key, k -> now);
        Duration waited = Duration.between(since, now);
        if (waited.compareTo(ctx.settings.lockTtl().multipliedBy(2)) > 0) {
          ledger.lockedSince.remove(key);
          book.escalate(inc, now, action.target() + " has been locked by another agent for " + waited.toSeconds()
              + " s (twice the lock lease of " + ctx.settings.lockTtl().toSeconds() + " s); " + action.canonical()
              + " not run");
          return;
        }
        LOG.info("{}: target {} is locked by another agent; re-checking and retrying next tick", inc.id(),
            action.target());
        return;
      }
      ledger.lockedSince.remove(key);
      ActionResult result = runAudited(inc, action, key, executor.get(), lock.get(), Map.of(), now);
      switch (result.status()) {
        case SUCCEEDED, DRY_RUN -> {
          complete(inc, action, key, result, now);
          ctx.counters.actionsExecuted.incrementAndGet();
          ctx.telemetry.action(action.kind(), "executed");
          ctx.emit(IncidentEvent.Kind.ACTION_EXECUTED, inc, action.canonical() + ": " + result.message(), now);
        }
        case FAILED, TIMED_OUT -> {
          ExecutorPolicy policy = policyOf(executor.get());
          int attempt = ledger.attempts.merge(key, 1, Integer::sum);
          if (attempt < policy.maxAttempts()) {
            Duration wait = policy.backoff(attempt, ledger.jitter.nextDouble());
            ledger.retryAt.put(key, now.plus(wait));
            ctx.audit(AuditTypes.ACTION_ATTEMPT_FAILED, inc, Map.of("idempotencyKey", key, "attempt",
                String.valueOf(attempt), "status", result.status().name(), "message", result.message(),
                "retryAt", now.plus(wait).toString()));
            ctx.emit(IncidentEvent.Kind.ACTION_FAILED, inc, String.format(Locale.ROOT,
                "%s attempt %d/%d %s: %s; retry in %d s after reconciling", action.canonical(), attempt,
                policy.maxAttempts(), result.status(), result.message(), wait.toSeconds()), now);
            return;
          }
          // the last attempt's answer may be wrong too (a lie, a timeout that landed): ask before giving up, so an
          // action that did take effect is counted by the caps rather than forgotten
          if (reconciled(inc, action, key, executor.get(), now)) {
            continue;
          }
          complete(inc, action, key, result, now);
          fail(inc, now, action, new ActionResult(key, result.status(), "gave up after " + attempt + " attempts: "
              + result.message(), now));
          return;
        }
        default -> {
          complete(inc, action, key, result, now);
          fail(inc, now, action, result);
          return;
        }
      }
    }
    Verifier.begin(ctx, book, inc, now, "all " + plan.actions().size() + " action(s) executed");
  }

  /**
   * Asks the executor whether {@code key} took effect; when it did, records it as executed.
   *
   * @return whether it took effect
   */
  private boolean reconciled(Incident inc, Action action, String key, ActionExecutor executor, Instant now) {
    Optional<ActionResult> prior = reconcileSafely(executor, key);
    if (prior.isEmpty() || !(prior.get().succeeded() || prior.get().status() == ActionResult.Status.DRY_RUN)) {
      return false;
    }
    ctx.audit(AuditTypes.ACTION_RECONCILED, inc, Map.of("idempotencyKey", key, "status",
        prior.get().status().name(), "message", prior.get().message()));
    complete(inc, action, key, prior.get(), prior.get().at());
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
    ctx.audit(AuditTypes.DECISION, inc, Map.of("outcome", d.outcome().name(), "phase", phase.name(), "reason",
        d.reason(), "planHash", plan.hash(), "verdicts", Json.write(d.verdicts()), "recheck",
        "attempt " + attempt + " of " + action.canonical(), "idempotencyKey", key));
    ctx.emit(IncidentEvent.Kind.DECIDED, inc, d.outcome() + " [" + phase + "] re-check before attempt " + attempt
        + " of " + action.canonical() + " - " + d.reason() + " | guardrails: " + Decider.summarize(d), now);
    ledger.retryAt.remove(key);
    ledger.lockedSince.remove(key);
    book.escalate(inc, now, "attempt " + attempt + " of " + action.canonical() + " refused at its re-check: "
        + d.reason());
    return false;
  }

  private static ExecutorPolicy policyOf(ActionExecutor e) {
    return e instanceof ResilientActionExecutor r ? r.policy() : ExecutorPolicy.defaults();
  }

  /** Records the final outcome of an action: audited, never run again, in the history when it took effect. */
  private void complete(Incident inc, Action action, String key, ActionResult result, Instant at) {
    ctx.audit(AuditTypes.ACTION_COMPLETED, inc, Map.of("idempotencyKey", key, "action", Json.write(action),
        "status", result.status().name(), "message", result.message()));
    ledger.completed(new ExecutedAction(action, inc.id(), at, key),
        result.succeeded() || result.status() == ActionResult.Status.DRY_RUN);
  }

  private void fail(Incident inc, Instant now, Action action, ActionResult result) {
    ctx.counters.actionsFailed.incrementAndGet();
    ctx.telemetry.action(action.kind(), "failed");
    ctx.emit(IncidentEvent.Kind.ACTION_FAILED, inc, action.canonical() + " failed: " + result.message(), now);
    learner.demote(inc.type(), inc.rootService(), "action " + action.kind() + " failed for " + inc.id());
    book.escalate(inc, now, "action " + action.canonical() + " failed: " + result.message());
  }

  private Optional<ActionExecutor> executorFor(Action action) {
    return executors.stream().filter(e -> {
      try {
        return e.supports(action);
      } catch (RuntimeException ex) {
        return false;
      }
    }).findFirst();
  }

  private Optional<ActionResult> reconcileSafely(ActionExecutor e, String key) {
    try {
      return e.reconcile(key);
    } catch (RuntimeException ex) {
      ctx.contained("executor " + e.name() + " reconcile", ex);
      return Optional.empty();
    }
  }

  /** Runs {@code inverse}, which undoes {@code original}, if the guardrails allow; returns what happened. */
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
    Optional<ActionExecutor> ex = executorFor(inverse);
    if (ex.isEmpty()) {
      return inverse.canonical() + " not possible: no executor supports it";
    }
    Optional<Lock> lock = locks.tryAcquire(inverse.target(), ctx.settings.agentId(), ctx.settings.lockTtl());
    if (lock.isEmpty()) {
      return inverse.canonical() + " not possible: " + inverse.target() + " is locked by another agent";
    }
    ActionResult r = runAudited(inc, inverse, key, ex.get(), lock.get(), Map.of("inverseOf", original.canonical()),
        now);
    complete(inc, inverse, key, r, now);
    return inverse.canonical() + " " + r.status();
  }

  /**
   * Runs one action under its lock: audits {@code action.started} before the call, releases the lock after it.
   * Executor exceptions become FAILED results.
   */
  private ActionResult runAudited(Incident inc, Action action, String key, ActionExecutor executor, Lock lock,
      Map<String, String> extra, Instant now) {
    ledger.started.add(key);
    ledger.inDoubt.put(key, new ExecutedAction(action, inc.id(), now, key));
    Map<String, String> started = new LinkedHashMap<>(extra);
    started.put("idempotencyKey", key);
    started.put("action", Json.write(action));
    started.put("fencingToken", String.valueOf(lock.fencingToken()));
    started.put("attempt", String.valueOf(ledger.attempts.getOrDefault(key, 0) + 1));
    ctx.audit(AuditTypes.ACTION_STARTED, inc, started);
    try {
      ActionResult r = executor.execute(action, new ExecutionContext(inc.id(), key, lock.fencingToken(),
          ctx.settings.dryRun()));
      return r != null ? r : new ActionResult(key, ActionResult.Status.FAILED, "executor returned no result", now);
    } catch (RuntimeException e) {
      ctx.contained("executor " + executor.name(), e);
      return new ActionResult(key, ActionResult.Status.FAILED, "executor threw " + e, now);
    } finally {
      locks.release(lock);
    }
  }
}
