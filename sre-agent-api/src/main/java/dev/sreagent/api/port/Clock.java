package dev.sreagent.api.port;

import java.time.Duration;
import java.time.Instant;

/**
 * Time is a port: the domain never reads the system clock directly, so tests and the simulator can drive a
 * virtual clock thousands of times faster than real time.
 */
@FunctionalInterface
public interface Clock {
  /** The current instant. */
  Instant now();

  /**
   * Waits for {@code d} of this clock's time (a retry's backoff in an adapter). The system clock sleeps; a virtual
   * clock blocks until the simulation has moved it on (the testkit's {@code VirtualClock}). The one place besides
   * {@link #system()} where real time is read.
   *
   * @throws InterruptedException when the waiting thread is interrupted
   */
  default void sleep(Duration d) throws InterruptedException {
    Thread.sleep(Math.max(0, d.toMillis()));
  }

  /** The system clock. */
  static Clock system() {
    return Instant::now;
  }

  /** A clock stopped at {@code instant}. */
  static Clock fixed(Instant instant) {
    return () -> instant;
  }
}
