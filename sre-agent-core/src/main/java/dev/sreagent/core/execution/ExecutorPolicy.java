package dev.sreagent.core.execution;

import dev.sreagent.api.Require;
import java.time.Duration;

/**
 * How one executor is protected and retried. Decorators compose in this order, outermost first: bulkhead, circuit
 * breaker, time limiter, executor; retries happen in the agent loop, between ticks, with exponential backoff and
 * jitter on the agent's clock (never a sleeping thread), and each retry first asks the executor whether the
 * previous attempt took effect.
 *
 * @param maxAttempts attempts per action, the first included
 * @param initialBackoff wait before the second attempt
 * @param backoffMultiplier growth of the wait per attempt
 * @param jitter randomisation of each wait, as a fraction (0.5 = +-50%)
 * @param timeout how long one call may take before its outcome is treated as unknown
 * @param failureRateThreshold percentage of failed calls in the window that opens the circuit
 * @param slidingWindowSize calls in the circuit breaker's window
 * @param minimumCalls calls needed before the failure rate counts
 * @param waitInOpenState how long the circuit stays open before letting a trial call through
 * @param maxConcurrentCalls bulkhead: calls in flight at once
 */
public record ExecutorPolicy(int maxAttempts, Duration initialBackoff, double backoffMultiplier, double jitter,
    Duration timeout, float failureRateThreshold, int slidingWindowSize, int minimumCalls, Duration waitInOpenState,
    int maxConcurrentCalls) {
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(10);
  public static final double DEFAULT_BACKOFF_MULTIPLIER = 2.0;
  public static final double DEFAULT_JITTER = 0.5;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50f;
  public static final int DEFAULT_SLIDING_WINDOW_SIZE = 10;
  public static final int DEFAULT_MINIMUM_CALLS = 4;
  public static final Duration DEFAULT_WAIT_IN_OPEN_STATE = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_CONCURRENT_CALLS = 4;

  public ExecutorPolicy {
    Require.within(maxAttempts, 1, 10, "maxAttempts");
    Require.positive(initialBackoff, "initialBackoff");
    Require.atLeast(backoffMultiplier, 1, "backoffMultiplier");
    Require.withinClosedOpen(jitter, 0, 1, "jitter");
    Require.positive(timeout, "timeout");
    // a float, checked by hand: Require's double overloads would print a bad 100.3f as 100.30000305175781
    if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
      throw new IllegalArgumentException("failureRateThreshold must be within (0, 100], but was "
          + failureRateThreshold);
    }
    Require.atLeast(slidingWindowSize, 1, "slidingWindowSize");
    Require.atLeast(minimumCalls, 1, "minimumCalls");
    Require.atLeast(maxConcurrentCalls, 1, "maxConcurrentCalls");
    Require.positive(waitInOpenState, "waitInOpenState");
  }

  /** The defaults. */
  public static ExecutorPolicy defaults() {
    return new ExecutorPolicy(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_BACKOFF_MULTIPLIER,
        DEFAULT_JITTER, DEFAULT_TIMEOUT, DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_SLIDING_WINDOW_SIZE,
        DEFAULT_MINIMUM_CALLS, DEFAULT_WAIT_IN_OPEN_STATE, DEFAULT_MAX_CONCURRENT_CALLS);
  }

  public ExecutorPolicy withMaxAttempts(int v) {
    return new ExecutorPolicy(v, initialBackoff, backoffMultiplier, jitter, timeout, failureRateThreshold,
        slidingWindowSize, minimumCalls, waitInOpenState, maxConcurrentCalls);
  }

  public ExecutorPolicy withTimeout(Duration v) {
    return new ExecutorPolicy(maxAttempts, initialBackoff, backoffMultiplier, jitter, v, failureRateThreshold,
        slidingWindowSize, minimumCalls, waitInOpenState, maxConcurrentCalls);
  }

  public ExecutorPolicy withBackoff(Duration initial, double multiplier, double jitterFraction) {
    return new ExecutorPolicy(maxAttempts, initial, multiplier, jitterFraction, timeout, failureRateThreshold,
        slidingWindowSize, minimumCalls, waitInOpenState, maxConcurrentCalls);
  }

  public ExecutorPolicy withCircuitBreaker(float threshold, int window, int minimum, Duration waitOpen) {
    return new ExecutorPolicy(maxAttempts, initialBackoff, backoffMultiplier, jitter, timeout, threshold, window,
        minimum, waitOpen, maxConcurrentCalls);
  }

  public ExecutorPolicy withMaxConcurrentCalls(int v) {
    return new ExecutorPolicy(maxAttempts, initialBackoff, backoffMultiplier, jitter, timeout, failureRateThreshold,
        slidingWindowSize, minimumCalls, waitInOpenState, v);
  }

  /** The wait before attempt {@code attempt + 1} (attempt counts from 1), with jitter drawn from {@code u} in [0,1). */
  public Duration backoff(int attempt, double u) {
    double base = initialBackoff.toMillis() * Math.pow(backoffMultiplier, Math.max(0, attempt - 1));
    double factor = 1 - jitter + 2 * jitter * u;
    return Duration.ofMillis(Math.max(1, Math.round(base * factor)));
  }
}
