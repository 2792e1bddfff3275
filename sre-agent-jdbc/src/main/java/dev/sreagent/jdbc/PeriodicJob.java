package dev.sreagent.jdbc;

import dev.sreagent.api.Require;
import dev.sreagent.api.port.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * A job run every interval on a daemon thread of its own until closed: the thread, the loop, the pause on the
 * store's clock and the stop that {@link OutboxRetention} and {@link IncidentRetention} share. A failed run is logged
 * on the owner's logger and tried again after the interval.
 */
final class PeriodicJob implements AutoCloseable {
  private final String name;
  private final Clock clock;
  private final Logger log;
  private final Runnable once;
  private volatile boolean running;
  private volatile @Nullable Thread thread;

  /**
   * @param name the job's name, in its log lines and (with dashes) its thread's name
   * @param once one run of the job
   */
  PeriodicJob(String name, Clock clock, Logger log, Runnable once) {
    this.name = name;
    this.clock = clock;
    this.log = log;
    this.once = once;
  }

  /** Whether a started job is still running, or true when it was never started (a direct run). */
  boolean running() {
    return thread == null || running;
  }

  /** Starts the thread that runs the job every {@code interval} until {@link #close()}. */
  synchronized void start(Duration interval) {
    Require.positive(interval, "interval");
    if (thread != null) {
      throw new IllegalStateException(name + " was already started");
    }
    running = true;
    Thread t = new Thread(() -> {
      while (running) {
        try {
          once.run();
        } catch (RuntimeException e) {
          log.warn("{}: {}; trying again in {}", name, e.getMessage(), interval);
        }
        try {
          clock.sleep(interval);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }, "sre-agent-" + name.replace(' ', '-'));
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Stops the job (waits up to 5 s for its current run to end a batch); a job never started just returns. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
