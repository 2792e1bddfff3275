package dev.sreagent.detect;

/** Exponentially weighted mean and variance (West's incremental form). O(1) per update. */
final class Ewma {
  private final double alpha;
  private double mean;
  private double variance;
  private long count;

  Ewma(double alpha) {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be within (0, 1], but was " + alpha);
    }
    this.alpha = alpha;
  }

  void update(double x) {
    if (count == 0) {
      mean = x;
      variance = 0;
    } else {
      double a = Math.max(alpha, 1.0 / (count + 1));
      double diff = x - mean;
      double incr = a * diff;
      mean += incr;
      variance = (1 - a) * (variance + diff * incr);
    }
    count++;
  }

  double mean() {
    return mean;
  }

  double variance() {
    return variance;
  }

  double stddev() {
    return Math.sqrt(Math.max(variance, 0));
  }

  long count() {
    return count;
  }
}
