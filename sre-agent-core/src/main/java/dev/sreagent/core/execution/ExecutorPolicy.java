package dev.sreagent.core.execution;

import dev.sreagent.api.Require;
import java.time.Duration;

/**
 * How one executor is protected and retried. Decorators compose in this order, outermost first: bulkhead, circuit
 * breaker, time limiter, executor; retries happen in the agent loop, between ticks, with exponential backoff and
 * jitter on the agent's clock (never a sleeping thread), and each retry first asks the executor whether the
 * previous attempt took effect.
 *
 * <p>Like {@code AgentSettings} and {@code GuardrailLimits}: start from {@link #defaults()} (or any policy) and
 * change what you need with the {@code with…} methods, each of which validates and names a bad value:
 * {@code ExecutorPolicy.defaults().withTimeout(Duration.ofMinutes(10)).withMaxAttempts(2)}. Immutable.
 */
public final class ExecutorPolicy {
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

  private static final ExecutorPolicy DEFAULTS = new ExecutorPolicy(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF,
      DEFAULT_BACKOFF_MULTIPLIER, DEFAULT_JITTER, DEFAULT_TIMEOUT, DEFAULT_FAILURE_RATE_THRESHOLD,
      DEFAULT_SLIDING_WINDOW_SIZE, DEFAULT_MINIMUM_CALLS, DEFAULT_WAIT_IN_OPEN_STATE, DEFAULT_MAX_CONCURRENT_CALLS);

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final double backoffMultiplier;
  private final double jitter;
  private final Duration timeout;
  private final float failureRateThreshold;
  private final int slidingWindowSize;
  private final int minimumCalls;
  private final Duration waitInOpenState;
  private final int maxConcurrentCalls;

  private ExecutorPolicy(int maxAttempts, Duration initialBackoff, double backoffMultiplier, double jitter,
      Duration timeout, float failureRateThreshold, int slidingWindowSize, int minimumCalls, Duration waitInOpenState,
      int maxConcurrentCalls) {
    this.maxAttempts = Require.within(maxAttempts, 1, 10, "maxAttempts");
    this.initialBackoff = Require.positive(initialBackoff, "initialBackoff");
    this.backoffMultiplier = Require.atLeast(backoffMultiplier, 1, "backoffMultiplier");
    this.jitter = Require.withinClosedOpen(jitter, 0, 1, "jitter");
    this.timeout = Require.positive(timeout, "timeout");
    // a float, checked by hand: Require's double overloads would print a bad 100.3f as 100.30000305175781
    if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
      throw new IllegalArgumentException("failureRateThreshold must be within (0, 100], but was "
          + failureRateThreshold);
    }
    this.failureRateThreshold = failureRateThreshold;
    this.slidingWindowSize = Require.atLeast(slidingWindowSize, 1, "slidingWindowSize");
    this.minimumCalls = Require.atLeast(minimumCalls, 1, "minimumCalls");
    this.waitInOpenState = Require.positive(waitInOpenState, "waitInOpenState");
    this.maxConcurrentCalls = Require.atLeast(maxConcurrentCalls, 1, "maxConcurrentCalls");
  }

  /**
   * The defaults: 3 attempts, 10 s backoff doubling with +-50% jitter, 30 s time limit, circuit opening at 50% of the
   * last 10 calls (at least 4) for 5 min, 4 calls at once.
   */
  public static ExecutorPolicy defaults() {
    return DEFAULTS;
  }

  /** Attempts per action, the first included; within [1, 10]. */
  public ExecutorPolicy withMaxAttempts(int v) {
    return new ExecutorPolicy(v, initialBackoff, backoffMultiplier, jitter, timeout, failureRateThreshold,
        slidingWindowSize, minimumCalls, waitInOpenState, maxConcurrentCalls);
  }

  /**
   * How long one call may take before its outcome is treated as unknown (and reconciled before any retry); give an
   * executor whose actions take minutes (a rolling restart) a limit to match.
   */
  public ExecutorPolicy withTimeout(Duration v) {
    return new ExecutorPolicy(maxAttempts, initialBackoff, backoffMultiplier, jitter, v, failureRateThreshold,
        slidingWindowSize, minimumCalls, waitInOpenState, maxConcurrentCalls);
  }

  /** The wait before the second attempt, its growth per attempt (>= 1) and its jitter fraction in [0, 1). */
  public ExecutorPolicy withBackoff(Duration initial, double multiplier, double jitterFraction) {
    return new ExecutorPolicy(maxAttempts, initial, multiplier, jitterFraction, timeout, failureRateThreshold,
        slidingWindowSize, minimumCalls, waitInOpenState, maxConcurrentCalls);
  }

  /**
   * The circuit breaker: the failure percentage in (0, 100] of the last {@code window} calls (counted from
   * {@code minimum} calls) that opens it, and how long it stays open before a trial call.
   */
  public ExecutorPolicy withCircuitBreaker(float threshold, int window, int minimum, Duration waitOpen) {
    return new ExecutorPolicy(maxAttempts, initialBackoff, backoffMultiplier, jitter, timeout, threshold, window,
        minimum, waitOpen, maxConcurrentCalls);
  }

  /** The bulkhead: calls of this executor in flight at once (the agent waits for room rather than be refused). */
  public ExecutorPolicy withMaxConcurrentCalls(int v) {
    return new ExecutorPolicy(maxAttempts, initialBackoff, backoffMultiplier, jitter, timeout, failureRateThreshold,
        slidingWindowSize, minimumCalls, waitInOpenState, v);
  }

  /** Attempts per action, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Wait before the second attempt. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** Growth of the wait per attempt. */
  public double backoffMultiplier() {
    return backoffMultiplier;
  }

  /** Randomisation of each wait, as a fraction (0.5 = +-50%). */
  public double jitter() {
    return jitter;
  }

  /** How long one call may take before its outcome is treated as unknown. */
  public Duration timeout() {
    return timeout;
  }

  /** Percentage of failed calls in the window that opens the circuit. */
  public float failureRateThreshold() {
    return failureRateThreshold;
  }

  /** Calls in the circuit breaker's window. */
  public int slidingWindowSize() {
    return slidingWindowSize;
  }

  /** Calls needed before the failure rate counts. */
  public int minimumCalls() {
    return minimumCalls;
  }

  /** How long the circuit stays open before letting a trial call through. */
  public Duration waitInOpenState() {
    return waitInOpenState;
  }

  /** Bulkhead: calls in flight at once. */
  public int maxConcurrentCalls() {
    return maxConcurrentCalls;
  }

  /** The wait before attempt {@code attempt + 1} (attempt counts from 1), with jitter drawn from {@code u} in [0,1). */
  public Duration backoff(int attempt, double u) {
    double base = initialBackoff.toMillis() * Math.pow(backoffMultiplier, Math.max(0, attempt - 1));
    double factor = 1 - jitter + 2 * jitter * u;
    return Duration.ofMillis(Math.max(1, Math.round(base * factor)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExecutorPolicy p && maxAttempts == p.maxAttempts && initialBackoff.equals(p.initialBackoff)
        && backoffMultiplier == p.backoffMultiplier && jitter == p.jitter && timeout.equals(p.timeout)
        && failureRateThreshold == p.failureRateThreshold && slidingWindowSize == p.slidingWindowSize
        && minimumCalls == p.minimumCalls && waitInOpenState.equals(p.waitInOpenState)
        && maxConcurrentCalls == p.maxConcurrentCalls;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(maxAttempts, initialBackoff, backoffMultiplier, jitter, timeout,
        failureRateThreshold, slidingWindowSize, minimumCalls, waitInOpenState, maxConcurrentCalls);
  }

  @Override
  public String toString() {
    return "ExecutorPolicy[maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff + " x" + backoffMultiplier
        + " +-" + jitter + ", timeout=" + timeout + ", circuit=" + failureRateThreshold + "% of " + slidingWindowSize
        + " (min " + minimumCalls + ") open " + waitInOpenState + ", maxConcurrentCalls=" + maxConcurrentCalls + "]";
  }
}
