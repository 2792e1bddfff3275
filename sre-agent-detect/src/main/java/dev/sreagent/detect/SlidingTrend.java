package dev.sreagent.detect;

import dev.sreagent.api.Require;

/**
 * Least-squares slope over the last {@code capacity} points, kept with running sums so each update is O(1).
 * Times are seconds relative to the first point seen, which keeps the sums well conditioned. The points live in one
 * array that grows to {@code capacity} as they arrive (doubling from 4), so a resource seen once costs little.
 */
final class SlidingTrend {
  private static final int INITIAL_CAPACITY = 4;
  private final int capacity;
  /** Point i at {@code 2i} (x) and {@code 2i + 1} (y): one array, one header. */
  private double[] xy;
  private int size;
  private int head;
  private double sx;
  private double sy;
  private double sxx;
  private double sxy;
  private java.time.@org.jspecify.annotations.Nullable Instant origin;

  SlidingTrend(int capacity) {
    this.capacity = Require.atLeast(capacity, 2, "capacity");
    xy = new double[2 * Math.min(capacity, INITIAL_CAPACITY)];
  }

  /** Adds {@code y} observed at {@code t}; times are kept as seconds since the first point. */
  void add(java.time.Instant t, double y) {
    if (origin == null) {
      origin = t;
    }
    add(java.time.Duration.between(origin, t).toMillis() / 1000.0, y);
  }

  /** Seconds until a series now at {@code current} reaches {@code limit} at the current slope; infinite if not rising. */
  double secondsToReach(double limit, double current) {
    double slope = slope();
    return slope > 0 ? (limit - current) / slope : Double.POSITIVE_INFINITY;
  }

  void add(double x, double y) {
    int length = xy.length / 2;
    if (size == length && size < capacity) {
      // nothing overwritten yet: the points are in order at 0..size-1 (head wrapped to 0 when the array filled)
      xy = java.util.Arrays.copyOf(xy, 2 * Math.min(capacity, 2 * size));
      length = xy.length / 2;
      head = size;
    }
    if (size == length) {
      double ox = xy[2 * head];
      double oy = xy[2 * head + 1];
      sx -= ox;
      sy -= oy;
      sxx -= ox * ox;
      sxy -= ox * oy;
    } else {
      size++;
    }
    xy[2 * head] = x;
    xy[2 * head + 1] = y;
    head = (head + 1) % length;
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

  /** Writes the window and its running sums (bit for bit, so the slope stays exactly the same) for a snapshot. */
  void write(java.io.DataOutputStream out) throws java.io.IOException {
    out.writeInt(xy.length / 2);
    out.writeInt(size);
    out.writeInt(head);
    for (int i = 0; i < 2 * size; i++) {
      out.writeDouble(xy[i]);
    }
    out.writeDouble(sx);
    out.writeDouble(sy);
    out.writeDouble(sxx);
    out.writeDouble(sxy);
    StateCodec.writeInstant(out, origin);
  }

  /** Reads what {@link #write} wrote into this (fresh) instance of the same capacity. */
  void readInto(java.io.DataInputStream in) throws java.io.IOException {
    int length = in.readInt();
    int n = in.readInt();
    int h = in.readInt();
    if (length < 1 || length > capacity || n < 0 || n > length || h < 0 || h >= length) {
      throw new java.io.IOException("a trend window of length " + length + ", size " + n + ", head " + h
          + " where the capacity is " + capacity);
    }
    xy = new double[2 * length];
    for (int i = 0; i < 2 * n; i++) {
      xy[i] = in.readDouble();
    }
    size = n;
    head = h;
    sx = in.readDouble();
    sy = in.readDouble();
    sxx = in.readDouble();
    sxy = in.readDouble();
    origin = StateCodec.readInstant(in);
  }
}
