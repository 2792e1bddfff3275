package dev.sreagent.k8s;

import dev.sreagent.api.port.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A clock that moves only when the code under test waits on it: each {@link #sleep} records the pause, moves the
 * clock by it and then runs the step the test gave ({@link #onSleep}: a controller turning pods ready, say), so a
 * wait's outcome is decided by the test and nothing waits in real time.
 */
final class SteppingClock implements Clock {
  /** What happens while the code under test sleeps. */
  @FunctionalInterface
  interface Step {
    void run() throws InterruptedException;
  }

  private Instant now = Instant.parse("2026-12-01T00:00:00Z");
  private final List<Duration> slept = new ArrayList<>();
  private Step onSleep = () -> { };

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public void sleep(Duration d) throws InterruptedException {
    Step step;
    synchronized (this) {
      slept.add(d);
      now = now.plus(d);
      step = onSleep;
    }
    step.run();
  }

  /** From now on {@code step} runs at every sleep (after the clock moved). */
  synchronized SteppingClock onSleep(Step step) {
    this.onSleep = Objects.requireNonNull(step);
    return this;
  }

  /** The pauses so far, in order. */
  synchronized List<Duration> slept() {
    return List.copyOf(slept);
  }
}
