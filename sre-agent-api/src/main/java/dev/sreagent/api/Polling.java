package dev.sreagent.api;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A poll run on a daemon thread of its own, at once and then every interval after the last one ended, for telemetry
 * sources that pull (Prometheus, CloudWatch, ACM): a failed poll is handed to the caller's failure callback and never
 * stops the loop. With back-off, failures in a row skip intervals before the next try: none after the first, then 1,
 * 3 and at most 7 (a source that is down is asked at most every 8 intervals, and at once again after a success).
 */
public final class Polling implements AutoCloseable {
  /** One poll; any exception counts as a failed poll. */
  @FunctionalInterface
  public interface Poll {
    void run() throws Exception;
  }

  /** Told of each failed poll: the exception, the failures in a row, and in how many intervals the next try comes. */
  @FunctionalInterface
  public interface Failure {
    void failed(Exception e, int inARow, int nextTryInIntervals);
  }

  private final ScheduledExecutorService scheduler;
  private final Poll poll;
  private final Failure onFailure;
  private final boolean backOff;
  private int failures;
  private int skip;

  private Polling(String threadName, Duration interval, boolean backOff, Poll poll, Failure onFailure) {
    this.poll = Objects.requireNonNull(poll, "poll");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    this.backOff = backOff;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(this::once, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts polling on a daemon thread named {@code threadName}.
   *
   * @param interval the time between the end of one poll and the start of the next; positive
   * @param backOff whether failures in a row skip intervals (see the class comment)
   */
  public static Polling start(String threadName, Duration interval, boolean backOff, Poll poll, Failure onFailure) {
    Require.notBlank(threadName, "threadName");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, but was " + interval);
    }
    return new Polling(threadName, interval, backOff, poll, onFailure);
  }

  private void once() {
    if (skip > 0) {
      skip--;
      return;
    }
    try {
      poll.run();
      failures = 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      failures++;
      skip = backOff ? Math.min(8, 1 << Math.min(failures - 1, 3)) - 1 : 0;
      onFailure.failed(e, failures, skip + 1);
    }
  }

  /** Stops polling; a poll under way is interrupted. */
  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
