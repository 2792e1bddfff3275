package dev.sreagent.k8s;

import dev.sreagent.api.port.Clock;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The executors' waits (a wave's readiness, a rollout, a renewed certificate): read at once, then again after pauses
 * that double from a first one up to a longest one, on the executor's {@link Clock} (a simulation's virtual clock
 * paces them), until a read is final or the bound passes; the last pause is cut to the bound. A read the API refuses
 * ({@link KubernetesClientException}) is retried within the bound and named in the outcome.
 */
final class Poller {
  /**
   * How a wait ended.
   *
   * @param last the last value read (null when no read succeeded)
   * @param readError "" when the last read succeeded, else "; the last read failed with HTTP ...: ..."
   * @param done whether {@code last} was final (else the bound passed)
   */
  record Outcome<T>(@Nullable T last, String readError, boolean done) {}

  private Poller() {}

  /**
   * Reads with {@code read} until {@link Predicate#test final} or {@code bound} passes on {@code clock}.
   *
   * @throws InterruptedException when a pause is interrupted
   */
  static <T> Outcome<T> poll(Clock clock, Duration bound, Duration firstPause, Duration longestPause,
      Supplier<T> read, Predicate<T> isFinal) throws InterruptedException {
    Instant deadline = clock.now().plus(bound);
    long pause = firstPause.toMillis();
    T last = null;
    String readError = "";
    while (true) {
      try {
        last = read.get();
        readError = "";
        if (isFinal.test(last)) {
          return new Outcome<>(last, "", true);
        }
      } catch (KubernetesClientException e) {
        readError = "; the last read failed with HTTP " + e.getCode() + ": " + e.getMessage();
      }
      Duration left = Duration.between(clock.now(), deadline);
      if (left.isNegative() || left.isZero()) {
        return new Outcome<>(last, readError, false);
      }
      clock.sleep(Duration.ofMillis(Math.min(pause, Math.max(1, left.toMillis()))));
      pause = Math.min(pause * 2, longestPause.toMillis());
    }
  }
}
