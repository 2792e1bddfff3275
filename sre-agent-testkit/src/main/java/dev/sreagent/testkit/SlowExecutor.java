package dev.sreagent.testkit;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An action that takes time on the platform, in simulated time: each call waits until {@code duration} has passed
 * on the {@link VirtualClock} (a rolling restart waiting for readiness, a rollout, a pull request waiting for its
 * merge), then lets the delegate act. Needs the agent to run actions on threads of their own
 * ({@code SimulationHarness.Builder.setActionThreads} above 0): on the loop's thread the clock would never move.
 *
 * <p>A call interrupted while it waits (the kill switch, a lost lock, the agent closing) changes nothing and reports
 * {@code FAILED} with how far it got; a real executor would stop between waves the same way. What it does not
 * emulate: partial progress (half of the pods restarted) — an interrupted call here has done nothing.
 */
public final class SlowExecutor implements ActionExecutor {
  private final ActionExecutor delegate;
  private final VirtualClock clock;
  private final Function<Action, Duration> duration;
  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger completed = new AtomicInteger();
  private final AtomicInteger interrupted = new AtomicInteger();

  /**
   * @param delegate acts once the time has passed (typically {@code harness.cluster().executor()})
   * @param clock the simulation's clock
   * @param duration simulated time each call takes; positive
   */
  public SlowExecutor(ActionExecutor delegate, VirtualClock clock, Duration duration) {
    this(delegate, clock, positive(duration));
  }

  /**
   * @param delegate acts once the time has passed
   * @param clock the simulation's clock
   * @param duration simulated time a call of each action takes; zero acts at once
   */
  public SlowExecutor(ActionExecutor delegate, VirtualClock clock, Function<Action, Duration> duration) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.duration = Objects.requireNonNull(duration, "duration");
  }

  private static Function<Action, Duration> positive(Duration d) {
    Require.positive(d, "duration");
    return a -> d;
  }

  @Override
  public String name() {
    return "slow-" + delegate.name();
  }

  @Override
  public boolean supports(Action action) {
    return delegate.supports(action);
  }

  @Override
  public ActionResult execute(Action action, ExecutionContext ctx) {
    Instant from = clock.now();
    Duration takes = duration.apply(action);
    Require.notNegative(takes, "duration of " + action.canonical());
    started.incrementAndGet();
    running.incrementAndGet();
    try {
      clock.awaitUntil(from.plus(takes));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      interrupted.incrementAndGet();
      return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED, "interrupted after "
          + Duration.between(from, clock.now()).toSeconds() + " s of " + takes.toSeconds() + " s; nothing changed",
          clock.now());
    } finally {
      running.decrementAndGet();
    }
    completed.incrementAndGet();
    return delegate.execute(action, ctx);
  }

  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    return delegate.reconcile(idempotencyKey);
  }

  /** Calls begun. */
  public int started() {
    return started.get();
  }

  /** Calls waiting for their time to pass now. */
  public int running() {
    return running.get();
  }

  /** Calls that waited their time out and reached the delegate. */
  public int completed() {
    return completed.get();
  }

  /** Calls interrupted while waiting: nothing changed. */
  public int interrupted() {
    return interrupted.get();
  }
}
