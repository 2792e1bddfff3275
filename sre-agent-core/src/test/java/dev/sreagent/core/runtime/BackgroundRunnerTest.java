package dev.sreagent.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Liveness as a probe reads it; the loop's time since its last tick comes from a clock the test moves. */
class BackgroundRunnerTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Test
  void aTickThatThrowsIsCountedAndTheNextTickRuns() throws InterruptedException {
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch three = new CountDownLatch(3);
    try (BackgroundRunner r = BackgroundRunner.start(() -> {
      calls.incrementAndGet();
      three.countDown();
      if (calls.get() == 1) {
        throw new IllegalStateException("a plug-in failed");
      }
    }, Duration.ofMillis(1), "runner-test", nanos::get)) {
      assertThat(three.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(r.ticksFailed()).isEqualTo(1);
      assertThat(r.ticks()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void aHangingTickMakesTheLoopNotAliveAndItsEndMakesItAliveAgain() throws InterruptedException {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (BackgroundRunner r = BackgroundRunner.start(() -> {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, Duration.ofSeconds(1), "runner-test", nanos::get)) {
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(r.alive(Duration.ofSeconds(30))).isTrue();
      nanos.addAndGet(Duration.ofSeconds(31).toNanos());  // the tick has hung for 31 s
      assertThat(r.sinceLastTick()).isEqualTo(Duration.ofSeconds(31));
      assertThat(r.alive(Duration.ofSeconds(30))).isFalse();
      release.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (r.ticks() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(r.ticks()).isPositive();
      assertThat(r.alive(Duration.ofSeconds(30))).as("a reader that sees the tick sees its end").isTrue();
    }
  }

  @Test
  void anErrorStopsTheLoopAndItStopsBeingAlive() throws InterruptedException {
    AtomicInteger calls = new AtomicInteger();
    try (BackgroundRunner r = BackgroundRunner.start(() -> {
      calls.incrementAndGet();
      throw new OutOfMemoryError("simulated");
    }, Duration.ofMillis(1), "runner-test", nanos::get)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (r.ticks() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      Thread.sleep(50);  // many intervals: a loop that went on would have ticked again
      assertThat(calls.get()).isEqualTo(1);
      assertThat(r.ticksFailed()).isEqualTo(1);
      assertThat(r.sinceLastTick()).as("the clock did not move").isZero();
      assertThat(r.alive(Duration.ofMinutes(1))).as("stopped at once, not only after the limit").isFalse();
      assertThat(r.stoppedBy()).hasValueSatisfying(e -> assertThat(e).hasMessage("simulated"));
    }
  }

  @Test
  void aLivenessLimitNoLongerThanTheIntervalIsRefused() {
    try (BackgroundRunner r = BackgroundRunner.start(() -> { }, Duration.ofSeconds(10), "runner-test", nanos::get)) {
      assertThatThrownBy(() -> r.alive(Duration.ofSeconds(10))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("interval PT10S");
    }
  }

  @Test
  void aClosedLoopIsNotAlive() {
    BackgroundRunner r = BackgroundRunner.start(() -> { }, Duration.ofSeconds(1), "runner-test", nanos::get);
    r.close();
    assertThat(r.alive(Duration.ofMinutes(1))).isFalse();
  }
}
