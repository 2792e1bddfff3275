package dev.sreagent.otel;

import java.util.Arrays;

/**
 * One export interval of a group of duration histogram series (a service's server requests, or a caller's calls to one
 * peer): the new part of each point merged, and the quantiles estimated from it. Explicit buckets are summed when
 * their bounds agree with the first point's (a point with other bounds still counts its requests, not its buckets) and
 * the quantile is interpolated linearly inside its bucket; an exponential point gives its own quantiles (interpolated
 * geometrically) and the window keeps the highest of its points. Not thread-safe.
 */
final class HistogramWindow {
  /** The median. */
  static final double P50 = 0.5;
  /** The 99th percentile. */
  static final double P99 = 0.99;
  private static final double[] QUANTILES = {P50, P99};

  double count;
  double errors;
  long start = Long.MAX_VALUE;
  long end;
  private double[] bounds = new double[0];
  private double[] buckets = new double[0];
  private final double[] exponentialMax = new double[QUANTILES.length];

  /** Counts {@code total} requests of an interval that began at {@code start} and ended at {@code time}. */
  void add(double total, long start, boolean error, long time) {
    count += total;
    if (error) {
      errors += total;
    }
    this.start = Math.min(this.start, start);
    end = Math.max(end, time);
  }

  /** Adds the bucket deltas of an explicit-bucket point whose (scaled) bounds are {@code pointBounds}. */
  void addExplicit(double[] pointBounds, double[] deltas) {
    if (bounds.length == 0) {
      bounds = pointBounds;
      buckets = new double[deltas.length];
    }
    if (Arrays.equals(bounds, pointBounds)) {
      for (int i = 0; i < deltas.length; i++) {
        buckets[i] += Math.max(0, deltas[i]);
      }
    }
  }

  /**
   * Adds the quantiles of an exponential point's interval: {@code counts[0]} is the zero bucket, {@code counts[i]}
   * covers {@code (base^(offset+i-1), base^(offset+i)]} with {@code base = 2^(2^-scale)}, {@code unit} scales to
   * seconds. A point whose quantiles are beyond a double (a coarse scale far from zero) gives none.
   */
  void addExponential(double[] counts, double total, int scale, long offset, double unit) {
    double base = Math.pow(2, Math.pow(2, -scale));
    double[] values = new double[QUANTILES.length];
    for (int q = 0; q < QUANTILES.length; q++) {
      values[q] = exponentialQuantile(counts, total, base, offset, QUANTILES[q]) * unit;
      if (!Double.isFinite(values[q])) {
        return;
      }
    }
    for (int q = 0; q < QUANTILES.length; q++) {
      exponentialMax[q] = Math.max(exponentialMax[q], values[q]);
    }
  }

  /** The {@link #P50} or {@link #P99} of the window, in seconds. */
  double quantile(double q) {
    int index = Arrays.binarySearch(QUANTILES, q);
    if (index < 0) {
      throw new IllegalArgumentException("q must be one of " + Arrays.toString(QUANTILES) + ", but was " + q);
    }
    return Math.max(bounds.length > 0 ? quantile(bounds, buckets, q) : 0, exponentialMax[index]);
  }

  private static double exponentialQuantile(double[] counts, double total, double base, long offset, double q) {
    double target = q * total;
    double seen = counts[0];
    if (seen >= target) {
      return 0;
    }
    for (int i = 1; i < counts.length; i++) {
      if (seen + counts[i] >= target && counts[i] > 0) {
        double lower = Math.pow(base, offset + i - 1);
        return lower * Math.pow(base, (target - seen) / counts[i]);
      }
      seen += counts[i];
    }
    return 0;
  }

  /** The q-quantile of explicit-bucket counts, interpolated linearly inside the bucket. */
  static double quantile(double[] bounds, double[] buckets, double q) {
    double total = 0;
    for (double b : buckets) {
      total += b;
    }
    if (total <= 0) {
      return 0;
    }
    double target = q * total;
    double seen = 0;
    for (int i = 0; i < buckets.length; i++) {
      if (seen + buckets[i] >= target && buckets[i] > 0) {
        double lower = i == 0 ? 0 : bounds[i - 1];
        double upper = i < bounds.length ? bounds[i] : lower;
        return lower + (upper - lower) * (target - seen) / buckets[i];
      }
      seen += buckets[i];
    }
    return bounds.length == 0 ? 0 : bounds[bounds.length - 1];
  }
}
