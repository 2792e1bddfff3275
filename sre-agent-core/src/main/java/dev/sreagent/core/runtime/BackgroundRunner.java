package dev.sreagent.core.runtime;

import dev.sreagent.api.Require;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the agent loop in real time on one daemon thread. This is the only place that reads wall-clock time for
 * scheduling; the domain uses the clock port. A tick that throws an exception is logged and the next tick runs; one
 * that throws an {@link Error} (out of memory) stops the loop, which {@link #alive} then reports. {@link #ticks()},
 * {@link #ticksFailed()} and {@link #sinceLastTick()} are what a liveness probe and a metrics endpoint read.
 */
public final class BackgroundRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundRunner.class);
  private final ScheduledExecutorService executor;
  private final Duration interval;
  private final java.util.function.LongSupplier nanoTime;
  private volatile long lastTickEnded;
  private volatile @org.jspecify.annotations.Nullable Throwable stoppedBy;
  private final java.util.concurrent.atomic.AtomicLong ticks = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong ticksFailed = new java.util.concurrent.atomic.AtomicLong();

  private BackgroundRunner(Duration interval, String name, java.util.function.LongSupplier nanoTime) {
    this.interval = interval;
    this.nanoTime = nanoTime;
    this.lastTickEnded = nanoTime.getAsLong();
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name + "-loop");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts calling {@code tick} every {@code interval}. */
  public static BackgroundRunner start(Runnable tick, Duration interval, String name) {
    return start(tick, interval, name, System::nanoTime);
  }

  /**
   * Starts calling {@code tick} every {@code interval}, reading {@link #sinceLastTick()} from {@code nanoTime} (a
   * monotonic clock in nanoseconds, {@code System::nanoTime} by default): a test moves it to see a stalled loop.
   */
  public static BackgroundRunner start(Runnable tick, Duration interval, String name,
      java.util.function.LongSupplier nanoTime) {
    Objects.requireNonNull(tick, "tick");
    Require.positive(interval, "interval");
    BackgroundRunner r = new BackgroundRunner(interval, name, Objects.requireNonNull(nanoTime, "nanoTime"));
    r.executor.scheduleWithFixedDelay(() -> r.runOnce(tick), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return r;
  }

  private void runOnce(Runnable tick) {
    try {
      tick.run();
    } catch (RuntimeException | StackOverflowError e) {
      ticksFailed.incrementAndGet();
      LOG.error("agent tick failed; continuing with the next tick", e);
    } catch (Error e) {
      stoppedBy = e;  // before the counts: a reader that sees the failed tick sees the stop
      ticksFailed.incrementAndGet();
      LOG.error("agent tick failed with an error; the loop stops (restart the agent)", e);
      throw e;  // OutOfMemoryError and the like: the executor runs no more ticks
    } finally {
      lastTickEnded = nanoTime.getAsLong();  // before the count: a reader that sees the tick sees its end
      ticks.incrementAndGet();
    }
  }

  /** The {@link Error} that stopped the loop, if one did (then {@link #alive} is false). */
  public java.util.Optional<Throwable> stoppedBy() {
    return java.util.Optional.ofNullable(stoppedBy);
  }

  /**
   * How long ago the last tick ended (since the start while the first one runs). The loop is alive when this stays
   * near the interval; a tick that hangs (a plug-in that never returns) or a loop stopped by an {@link Error} makes
   * it grow without bound: what a liveness check reads.
   */
  public Duration sinceLastTick() {
    return Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - lastTickEnded));
  }

  /**
   * Whether the loop counts as alive: it was not closed, no {@link Error} stopped it, and its last tick ended within
   * {@code limit}.
   *
   * @throws IllegalArgumentException if {@code limit} is not longer than the interval between ticks (a healthy loop
   *     would then fail the check between two ticks)
   */
  public boolean alive(Duration limit) {
    if (limit.compareTo(interval) <= 0) {
      throw new IllegalArgumentException("a liveness limit of " + limit + " is not longer than the loop's interval "
          + interval + ": a healthy loop would fail it between two ticks; give a limit of several intervals");
    }
    return stoppedBy == null && !executor.isShutdown() && sinceLastTick().compareTo(limit) <= 0;
  }

  /** Ticks that ended (normally or by an exception) since the start. */
  public long ticks() {
    return ticks.get();
  }

  /** Ticks that ended by an exception (logged; the next tick runs). */
  public long ticksFailed() {
    return ticksFailed.get();
  }

  /** The interval between the end of one tick and the start of the next. */
  public Duration interval() {
    return interval;
  }

  /** Stops after the tick in progress, waiting up to 10 seconds. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
