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
 * scheduling; the domain uses the clock port. A tick that throws is logged and the next tick runs.
 */
public final class BackgroundRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundRunner.class);
  private final ScheduledExecutorService executor;

  private BackgroundRunner(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  /** Starts calling {@code tick} every {@code interval}. */
  public static BackgroundRunner start(Runnable tick, Duration interval, String name) {
    Objects.requireNonNull(tick, "tick");
    Require.positive(interval, "interval");
    ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name + "-loop");
      t.setDaemon(true);
      return t;
    });
    ex.scheduleWithFixedDelay(() -> {
      try {
        tick.run();
      } catch (RuntimeException e) {
        LOG.error("agent tick failed; continuing with the next tick", e);
      }
    }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return new BackgroundRunner(ex);
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
