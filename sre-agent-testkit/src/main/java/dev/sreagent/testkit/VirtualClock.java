package dev.sreagent.testkit;

import dev.sreagent.api.port.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** A clock that moves only when told to. Thread-safe. */
public final class VirtualClock implements Clock {
  /** The default start: a Monday morning. */
  public static final Instant DEFAULT_START = Instant.parse("2026-03-02T08:00:00Z");

  private volatile Instant now;

  /** A clock at {@link #DEFAULT_START}. */
  public VirtualClock() {
    this(DEFAULT_START);
  }

  /** A clock at {@code start}. */
  public VirtualClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  @Override
  public Instant now() {
    return now;
  }

  /** Moves forward by {@code d}. */
  public synchronized Instant advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("d must not be negative, but was " + d);
    }
    now = now.plus(d);
    return now;
  }
}
