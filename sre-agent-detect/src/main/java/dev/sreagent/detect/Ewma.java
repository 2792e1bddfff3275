package dev.sreagent.detect;

import dev.sreagent.api.Require;

/** Exponentially weighted mean and variance (West's incremental form). O(1) per update. */
final class Ewma {
  private final double alpha;
  private double mean;
  private double variance;
  private long count;

  Ewma(double alpha) {
    this.alpha = Require.withinOpenClosed(alpha, 0, 1, "alpha");
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

  /** Writes the learned state (not the configured alpha) for a snapshot. */
  void write(java.io.DataOutputStream out) throws java.io.IOException {
    out.writeDouble(mean);
    out.writeDouble(variance);
    out.writeLong(count);
  }

  /** Reads what {@link #write} wrote into this (fresh) instance. */
  void readInto(java.io.DataInputStream in) throws java.io.IOException {
    mean = in.readDouble();
    variance = in.readDouble();
    count = in.readLong();
    if (count < 0) {
      throw new java.io.IOException("a weighted mean of " + count + " samples");
    }
  }
}
