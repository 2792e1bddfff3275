package dev.sreagent.testkit;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection for executors: each call, with probability {@code rate}, does one of three bad things with
 * equal odds — fails (throws, nothing happens), hangs ({@code hang} of real time, then takes effect: the caller's
 * time limit fires first), or takes effect but reports a failure. Seeded, so runs repeat.
 */
public final class FlakyExecutor implements ActionExecutor {
  private final ActionExecutor delegate;
  private final double rate;
  private final Duration hang;
  private final Random rng;
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger hangs = new AtomicInteger();
  private final AtomicInteger lies = new AtomicInteger();

  public FlakyExecutor(ActionExecutor delegate, double rate, Duration hang, long seed) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.rate = Require.unit(rate, "rate");
    this.hang = Objects.requireNonNull(hang, "hang");
    this.rng = new Random(seed);
  }

  @Override
  public String name() {
    return "flaky-" + delegate.name();
  }

  @Override
  public boolean supports(Action action) {
    return delegate.supports(action);
  }

  @Override
  public ActionResult execute(Action action, ExecutionContext ctx) {
    double u;
    int kind;
    synchronized (rng) {
      u = rng.nextDouble();
      kind = rng.nextInt(3);
    }
    if (u >= rate) {
      return delegate.execute(action, ctx);
    }
    switch (kind) {
      case 0 -> {
        failures.incrementAndGet();
        throw new IllegalStateException("injected failure: connection reset");
      }
      case 1 -> {
        hangs.incrementAndGet();
        try {
          Thread.sleep(hang.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          // the call was abandoned by the caller's time limit; it still lands, as a real API call would
        }
        return delegate.execute(action, ctx);
      }
      default -> {
        lies.incrementAndGet();
        ActionResult real = delegate.execute(action, ctx);
        return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED,
            "injected: reported failure although the call " + (real.succeeded() ? "took effect" : "failed"),
            real.at());
      }
    }
  }

  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    return delegate.reconcile(idempotencyKey);
  }

  /**
   * An executor that reports FAILED for its first {@code calls} calls (nothing happens on the cluster) and then
   * delegates: the deterministic way to exercise the agent's retry path in a chaos test.
   */
  public static ActionExecutor failingFirst(ActionExecutor delegate, int calls) {
    Objects.requireNonNull(delegate, "delegate");
    Require.atLeast(calls, 0, "calls");
    AtomicInteger seen = new AtomicInteger();
    return new ActionExecutor() {
      @Override
      public String name() {
        return "failing-first-" + calls + "-" + delegate.name();
      }

      @Override
      public boolean supports(Action action) {
        return delegate.supports(action);
      }

      @Override
      public ActionResult execute(Action action, ExecutionContext ctx) {
        if (seen.incrementAndGet() <= calls) {
          return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED,
              "injected: call " + seen.get() + " of the first " + calls + " fails", java.time.Instant.EPOCH);
        }
        return delegate.execute(action, ctx);
      }

      @Override
      public Optional<ActionResult> reconcile(String idempotencyKey) {
        return delegate.reconcile(idempotencyKey);
      }
    };
  }

  /** Injected failures, hangs and lies so far. */
  public int[] injected() {
    return new int[] {failures.get(), hangs.get(), lies.get()};
  }
}
