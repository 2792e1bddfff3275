package dev.sreagent.core.execution;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Wraps an executor with a Resilience4j bulkhead, circuit breaker (on the agent's clock, so simulated time opens
 * and closes it) and time limiter. Never throws: every outcome is an {@link ActionResult}:
 * <ul>
 *   <li>{@code UNAVAILABLE} — not attempted: the circuit is open or the bulkhead is full;
 *   <li>{@code TIMED_OUT} — no answer within the timeout: the outcome is unknown (the call may still land), so the
 *       agent reconciles before any retry;
 *   <li>{@code FAILED} — the executor threw or reported a failure; the circuit records it.
 * </ul>
 */
public final class ResilientActionExecutor implements ActionExecutor, AutoCloseable {
  private final ActionExecutor delegate;
  private final ExecutorPolicy policy;
  private final Clock clock;
  private final CircuitBreaker circuit;
  private final Bulkhead bulkhead;
  private final TimeLimiter limiter;
  private final ExecutorService pool;
  private volatile Instant openedAt = Instant.EPOCH;
  /** Calls under way per target, counted until they really end. */
  private final java.util.concurrent.ConcurrentHashMap<String, Integer> inner =
      new java.util.concurrent.ConcurrentHashMap<>();

  public ResilientActionExecutor(ActionExecutor delegate, ExecutorPolicy policy, Clock clock) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    String name = delegate.name();
    CircuitBreakerConfig cbConfig = CircuitBreakerConfig.custom()
        .failureRateThreshold(policy.failureRateThreshold())
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(policy.slidingWindowSize())
        .minimumNumberOfCalls(policy.minimumCalls())
        // the open-state wait runs on the agent's clock (see execute); Resilience4j's own timer must never fire
        .waitDurationInOpenState(Duration.ofDays(3650))
        .permittedNumberOfCallsInHalfOpenState(1)
        .build();
    this.circuit = CircuitBreaker.of("executor-" + name, cbConfig);
    circuit.getEventPublisher().onStateTransition(e -> {
      if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
        openedAt = clock.now();
      }
    });
    this.bulkhead = Bulkhead.of("executor-" + name, BulkheadConfig.custom()
        .maxConcurrentCalls(policy.maxConcurrentCalls()).maxWaitDuration(Duration.ZERO).build());
    this.limiter = TimeLimiter.of("executor-" + name, TimeLimiterConfig.custom()
        .timeoutDuration(policy.timeout()).cancelRunningFuture(true).build());
    this.pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "sre-agent-executor-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  /** The wrapped executor. */
  public ActionExecutor delegate() {
    return delegate;
  }

  /** The policy in force. */
  public ExecutorPolicy policy() {
    return policy;
  }

  /** The circuit state: CLOSED, OPEN, HALF_OPEN, ... */
  public String circuitState() {
    return circuit.getState().name();
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
    Instant start = clock.now();
    if (!bulkhead.tryAcquirePermission()) {
      return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.UNAVAILABLE, "executor " + name()
          + " is busy: bulkhead of " + policy.maxConcurrentCalls() + " concurrent calls is full", start);
    }
    try {
      if (circuit.getState() == CircuitBreaker.State.OPEN
          && !start.isBefore(openedAt.plus(policy.waitInOpenState()))) {
        circuit.transitionToHalfOpenState();
      }
      if (!circuit.tryAcquirePermission()) {
        return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.UNAVAILABLE, "circuit of executor "
            + name() + " is " + circuit.getState() + " after repeated failures; not attempted", start);
      }
      ActionResult result;
      AtomicReference<@Nullable Future<ActionResult>> call = new AtomicReference<>();
      try {
        result = limiter.executeFutureSupplier(() -> {
          Future<ActionResult> f = submit(action, ctx);
          call.set(f);
          return f;
        });
      } catch (TimeoutException e) {
        circuit.onError(elapsed(start), TimeUnit.MILLISECONDS, e);
        return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.TIMED_OUT, "no answer from " + name()
            + " within " + policy.timeout().toMillis() + " ms; outcome unknown, reconcile before retry", clock.now());
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        circuit.onError(elapsed(start), TimeUnit.MILLISECONDS, cause);
        return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED, "executor " + name() + " threw "
            + cause, clock.now());
      } catch (InterruptedException e) {
        // the agent cancelled the action (kill switch, lost lock): the interrupt is passed on to the executor's call
        Future<ActionResult> running = call.get();
        if (running != null) {
          running.cancel(true);
        }
        Thread.currentThread().interrupt();
        return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.TIMED_OUT, "call to " + name()
            + " interrupted; outcome unknown", clock.now());
      } catch (Exception e) {
        // the time limiter rethrows the executor's own exception
        circuit.onError(elapsed(start), TimeUnit.MILLISECONDS, e);
        return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED, "executor " + name() + " threw "
            + e, clock.now());
      }
      if (result == null) {
        circuit.onError(elapsed(start), TimeUnit.MILLISECONDS, new IllegalStateException("null result"));
        return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED, "executor " + name()
            + " returned no result", clock.now());
      }
      if (result.status() == ActionResult.Status.SUCCEEDED || result.status() == ActionResult.Status.DRY_RUN
          || result.status() == ActionResult.Status.REJECTED) {
        circuit.onSuccess(elapsed(start), TimeUnit.MILLISECONDS);
      } else {
        circuit.onError(elapsed(start), TimeUnit.MILLISECONDS, new IllegalStateException(result.message()));
      }
      return result;
    } finally {
      bulkhead.onComplete();
    }
  }

  /**
   * Runs the delegate's call on this wrapper's own thread (the time limiter waits for it), counting it against its
   * target from the moment it starts until it really ends — a call the time limiter gave up on may go on (an
   * executor that ignores interrupts, an API call already sent), and {@link #busy(String)} says so.
   */
  private Future<ActionResult> submit(Action action, ExecutionContext ctx) {
    java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();
    String target = action.target();
    java.util.concurrent.FutureTask<ActionResult> task = new java.util.concurrent.FutureTask<>(() -> {
      if (!claimed.compareAndSet(false, true)) {
        return null; // cancelled before it started: it never runs
      }
      try {
        return delegate.execute(action, ctx);
      } finally {
        inner.computeIfPresent(target, (k, n) -> n <= 1 ? null : n - 1);
      }
    }) {
      @Override
      protected void done() {
        if (isCancelled() && claimed.compareAndSet(false, true)) {
          inner.computeIfPresent(target, (k, n) -> n <= 1 ? null : n - 1); // cancelled before it ever ran
        }
      }
    };
    inner.merge(target, 1, Integer::sum);
    try {
      pool.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      inner.computeIfPresent(target, (k, n) -> n <= 1 ? null : n - 1);
      throw e;
    }
    return task;
  }

  /**
   * Whether a call of this executor on {@code target} is still under way, including one the time limiter stopped
   * waiting for: another action on the target must wait for it, and only then ask {@link #reconcile} what it did.
   */
  public boolean busy(String target) {
    return inner.containsKey(target);
  }

  /** Calls of this executor under way now, including any whose time limit ran out while they go on. */
  public int callsUnderWay() {
    int n = 0;
    for (int c : inner.values()) {
      n += c;
    }
    return n;
  }

  private long elapsed(Instant start) {
    return Math.max(0, Duration.between(start, clock.now()).toMillis());
  }

  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    try {
      return limiter.executeFutureSupplier(() -> pool.submit(() -> delegate.reconcile(idempotencyKey)));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("cannot reconcile " + idempotencyKey + " with " + name() + ": " + e, e);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
