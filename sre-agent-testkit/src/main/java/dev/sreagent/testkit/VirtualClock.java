package dev.sreagent.testkit;

import dev.sreagent.api.Require;
import dev.sreagent.api.port.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A clock that moves only when told to. Thread-safe. */
public final class VirtualClock implements Clock {
  /** The default start: a Monday morning. */
  public static final Instant DEFAULT_START = Instant.parse("2026-03-02T08:00:00Z");

  private volatile Instant now;
  private final List<Instant> deadlines = new ArrayList<>();

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
    Require.notNegative(d, "d");
    now = now.plus(d);
    notifyAll();
    return now;
  }

  /**
   * Blocks the calling thread until another thread has moved the clock to {@code t} or past it: how code on a
   * thread of its own (an action on the agent's pool, see {@link SlowExecutor}) waits for simulated time.
   *
   * @throws InterruptedException when the thread is interrupted while waiting (the agent cancelled the action)
   */
  public synchronized void awaitUntil(Instant t) throws InterruptedException {
    Objects.requireNonNull(t, "t");
    deadlines.add(t);
    try {
      while (now.isBefore(t)) {
        wait();
      }
    } finally {
      deadlines.remove(t);
    }
  }

  /** Blocks until the simulation has moved this clock {@code d} past now (see {@link #awaitUntil}). */
  @Override
  public void sleep(Duration d) throws InterruptedException {
    awaitUntil(now.plus(d));
  }

  /**
   * Threads in {@link #awaitUntil} whose time has not come yet. A thread released by {@link #advance} stops counting
   * at once, before it wakes: a harness can tell "every action is parked until a later time" from "an action is
   * about to land".
   */
  public synchronized int parked() {
    int n = 0;
    for (Instant d : deadlines) {
      if (now.isBefore(d)) {
        n++;
      }
    }
    return n;
  }
}
