package dev.sreagent.otel;

/** A token bucket: {@code rate} tokens per second, holding at most {@code burst}. Thread-safe. */
final class TokenBucket {
  private final double rate;
  private final double burst;
  private double tokens;
  private long last;

  TokenBucket(double rate, double burst, long nowNanos) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /**
   * Takes {@code n} tokens if there are enough (a request larger than the burst passes when the bucket is full, so
   * that it is not refused for ever); returns 0, or the seconds to wait before enough tokens are there.
   */
  synchronized long tryTake(double n, long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - last) / 1e9 * rate);
    last = nowNanos;
    if (tokens >= Math.min(n, burst)) {
      tokens -= n;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((Math.min(n, burst) - tokens) / rate));
  }
}
