package dev.sreagent.detect;

/**
 * Least-squares slope over the last {@code capacity} points, kept with running sums so each update is O(1).
 * Times are seconds relative to the first point seen, which keeps the sums well conditioned.
 */
final class SlidingTrend {
  private final double[] xs;
  private final double[] ys;
  private int size;
  private int head;
  private double sx;
  private double sy;
  private double sxx;
  private double sxy;

  SlidingTrend(int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("capacity must be >= 2, but was " + capacity);
    }
    xs = new double[capacity];
    ys = new double[capacity];
  }

  void add(double x, double y) {
    if (size == xs.length) {
      double ox = xs[head];
      double oy = ys[head];
      sx -= ox;
      sy -= oy;
      sxx -= ox * ox;
      sxy -= ox * oy;
    } else {
      size++;
    }
    xs[head] = x;
    ys[head] = y;
    head = (head + 1) % xs.length;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }

  int size() {
    return size;
  }

  /** Slope in y units per x unit; 0 with fewer than two distinct x. */
  double slope() {
    double denom = size * sxx - sx * sx;
    if (size < 2 || Math.abs(denom) < 1e-12) {
      return 0;
    }
    return (size * sxy - sx * sy) / denom;
  }
}
