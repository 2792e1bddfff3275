package dev.sreagent.core;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.LockService;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.execution.ResilientActionExecutor;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one action meets its executor, for the {@link Remediator}: the executor that supports it and whether it has room,
 * the target's lock (a lock service that throws is contained), the {@code action.started} record written before the
 * call, the call itself (an exception or a missing result becomes FAILED), reconciling a lost answer, and the
 * {@code action.completed} record after.
 */
final class ActionCalls {
  private final LoopContext ctx;
  private final ActionLedger ledger;
  private final List<ResilientActionExecutor> executors;
  private final LockService locks;
  private final ActionRunner runner;

  ActionCalls(LoopContext ctx, ActionLedger ledger, List<ResilientActionExecutor> executors, LockService locks,
      ActionRunner runner) {
    this.ctx = ctx;
    this.ledger = ledger;
    this.executors = List.copyOf(executors);
    this.locks = locks;
    this.runner = runner;
  }

  /**
   * Whether {@code executor}'s bulkhead would admit one more call (counted here, on the loop's thread, from the
   * actions in flight, so several started in one tick cannot overrun it) and the action pool has room.
   */
  boolean hasCapacity(ResilientActionExecutor executor) {
    int inFlight = 0;
    for (ActionRunner.InFlight f : runner.inFlight()) {
      if (!f.done() && executorFor(f.action).orElse(null) == executor) {
        inFlight++;
      }
    }
    return inFlight < executor.policy().maxConcurrentCalls() && runner.hasCapacity();
  }

  /** Takes the target's lock; a lock service that throws is contained and counts as the target being locked. */
  Optional<Lock> tryLock(String target) {
    try {
      return locks.tryAcquire(target, ctx.settings.agentId(), ctx.settings.lockTtl());
    } catch (RuntimeException e) {
      ctx.contained("lock service tryAcquire", e);
      return Optional.empty();
    }
  }

  /** Releases a lock; a lock service that throws is contained (the lease then runs out by itself). */
  void release(Lock lock) {
    try {
      locks.release(lock);
    } catch (RuntimeException e) {
      ctx.contained("lock service release", e);
    }
  }

  /** Records the final outcome of an action: audited, never run again, in the history when it took effect. */
  void complete(Incident inc, Action action, String key, ActionResult result, Instant at) {
    ctx.audit(new AuditEvent.ActionCompleted(inc, key, action, result.status(), result.message()));
    ledger.completed(new ExecutedAction(action, inc.id(), at, key),
        result.succeeded() || result.status() == ActionResult.Status.DRY_RUN);
  }

  Optional<ResilientActionExecutor> executorFor(Action action) {
    return executors.stream().filter(e -> {
      try {
        return e.supports(action);
      } catch (RuntimeException ex) {
        return false;
      }
    }).findFirst();
  }

  Optional<ActionResult> reconcileSafely(ActionExecutor e, String key) {
    try {
      return e.reconcile(key);
    } catch (RuntimeException ex) {
      ctx.contained("executor " + e.name() + " reconcile", ex);
      return Optional.empty();
    }
  }

  /**
   * Hands one action over to the runner, under its lock: audits {@code action.started} before. The lock is released
   * when the result is applied.
   */
  ActionRunner.InFlight start(Incident inc, Action action, String key, ActionExecutor executor, Lock lock,
      @Nullable String inverseOf, Instant now) {
    ExecutionContext ec = auditStart(inc, action, key, lock, inverseOf, now);
    return runner.start(key, inc.id(), action, lock, now, () -> invoke(executor, action, ec, now));
  }

  /** Runs one action on the loop's thread under its lock, audited before, the lock released after. */
  ActionResult call(Incident inc, Action action, String key, ActionExecutor executor, Lock lock,
      @Nullable String inverseOf, Instant now) {
    ExecutionContext ec = auditStart(inc, action, key, lock, inverseOf, now);
    try {
      return invoke(executor, action, ec, now);
    } finally {
      release(lock);
    }
  }

  ExecutionContext auditStart(Incident inc, Action action, String key, Lock lock,
      @Nullable String inverseOf, Instant now) {
    ledger.started.add(key);
    ledger.inDoubt.put(key, new ExecutedAction(action, inc.id(), now, key));
    ctx.audit(new AuditEvent.ActionStarted(inc, action, key, lock.fencingToken(),
        ledger.attempts.getOrDefault(key, 0) + 1, inverseOf));
    return new ExecutionContext(inc.id(), key, lock.fencingToken(), ctx.settings.dryRun());
  }

  /** Calls the executor; an exception or a missing result becomes FAILED. Runs on any thread. */
  ActionResult invoke(ActionExecutor executor, Action action, ExecutionContext ec, Instant now) {
    try {
      ActionResult r = executor.execute(action, ec);
      return r != null ? r : new ActionResult(ec.idempotencyKey(), ActionResult.Status.FAILED,
          "executor returned no result", now);
    } catch (RuntimeException e) {
      ctx.contained("executor " + executor.name(), e);
      return new ActionResult(ec.idempotencyKey(), ActionResult.Status.FAILED, "executor threw " + e, now);
    }
  }
}
