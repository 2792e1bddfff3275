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
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(Thread thread, Instant until) {}

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
    Waiter w = new Waiter(Thread.currentThread(), t);
    waiters.add(w);
    try {
      while (now.isBefore(t)) {
        wait();
      }
      if (Thread.interrupted()) {
        // interrupted and released at once (a cancellation racing the clock): the interrupt wins, as it would for a
        // call that checks for it before its next step
        throw new InterruptedException("interrupted while waiting until " + t);
      }
    } finally {
      waiters.remove(w);
    }
  }

  /** Blocks until the simulation has moved this clock {@code d} past now (see {@link #awaitUntil}). */
  @Override
  public void sleep(Duration d) throws InterruptedException {
    awaitUntil(now.plus(d));
  }

  /**
   * Threads in {@link #awaitUntil} whose time has not come yet and that were not interrupted. A thread released by
   * {@link #advance} or interrupted (a cancelled action) stops counting at once, before it wakes: a harness can tell
   * "every action is parked until a later time" from "an action is about to land".
   */
  public synchronized int parked() {
    int n = 0;
    for (Waiter w : waiters) {
      if (now.isBefore(w.until()) && !w.thread().isInterrupted()) {
        n++;
      }
    }
    return n;
  }
}
