package dev.sreagent.api.port;

import java.time.Instant;

/**
 * Time is a port: the domain never reads the system clock directly, so tests and the simulator can drive a
 * virtual clock thousands of times faster than real time.
 */
@FunctionalInterface
public interface Clock {
  /** The current instant. */
  Instant now();

  /** The system clock. */
  static Clock system() {
    return Instant::now;
  }

  /** A clock stopped at {@code instant}. */
  static Clock fixed(Instant instant) {
    return () -> instant;
  }
}
