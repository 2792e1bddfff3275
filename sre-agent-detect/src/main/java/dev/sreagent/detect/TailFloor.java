package dev.sreagent.detect;

import java.time.Instant;
import java.util.Arrays;

/**
 * The largest excursion a series made, in at least two different clock hours of the last {@value #SLOTS}, without an
 * incident (a habit, not a one-off: a single spike sets no floor), so that a series that routinely spikes (a
 * serverless function's cold starts, a p99 computed over a handful of requests, an error ratio of four calls) is not
 * paged for doing again what it did yesterday unnoticed. An excursion is measured against the
 * series' expected level at its time ({@linkplain Form#RATIO a ratio} for latency, {@linkplain Form#EXCESS the excess}
 * for an error ratio), so a daily cycle does not raise the floor of the quiet hours.
 *
 * <p>Usual values are {@linkplain #record recorded} as they come; the values of an unusual episode are
 * {@linkplain #hold held} and recorded only when the episode ends without the detector having fired
 * ({@link #commit}); an episode that fired is {@linkplain #drop dropped}: an incident never raises the floor. One
 * maximum per hour in a ring of {@value #SLOTS}: O(1) per sample ({@code O(SLOTS)} once an hour and after a
 * change), fixed memory.
 */
final class TailFloor {
  /** Hours remembered. */
  static final int SLOTS = 24;
  private static final long HOUR = 3600;

  /** How an excursion is measured against the expected level. */
  enum Form {
    /** {@code value / level}: latency, where spikes scale with the level. */
    RATIO,
    /** {@code value - level}: an error ratio, whose level is often zero. */
    EXCESS
  }

  private final Form form;
  private final double[] max = new double[SLOTS];
  private final double[] maxValue = new double[SLOTS];
  private final long[] hourOf = new long[SLOTS];
  private double pending = Double.NaN;
  private double pendingValue = Double.NaN;
  private long pendingHour;
  /** The hour {@link #cachedFloor} and {@link #cachedValue} were computed for; Long.MIN_VALUE after a change. */
  private long cachedHour = Long.MIN_VALUE;
  private double cachedFloor = Double.NaN;
  private double cachedValue = Double.NaN;

  TailFloor(Form form) {
    this.form = form;
    Arrays.fill(max, Double.NaN);
    Arrays.fill(maxValue, Double.NaN);
  }

  /** The excursion of {@code x} over {@code level}, NaN when it cannot be measured (no positive level for a ratio). */
  double excursion(double x, double level) {
    if (form == Form.EXCESS) {
      return x - level;
    }
    return level > 0 ? x / level : Double.NaN;
  }

  /** The value that matches the floor at {@code level}: the level times, or plus, the largest excursion. */
  double valueAt(double level, double excursion) {
    return form == Form.EXCESS ? level + excursion : level * excursion;
  }

  /** Records a usual value and its excursion, seen at {@code t}. */
  void record(Instant t, double value, double excursion) {
    put(hour(t), value, excursion);
  }

  /** Holds a value of an unusual episode and its excursion until the episode ends. */
  void hold(Instant t, double value, double excursion) {
    if (!Double.isFinite(excursion)) {
      return;
    }
    if (Double.isNaN(pending) || excursion > pending) {
      pending = excursion;
      pendingHour = hour(t);
    }
    if (Double.isNaN(pendingValue) || value > pendingValue) {
      pendingValue = value;
    }
  }

  /** The episode ended without an incident: its largest value and excursion are recorded. */
  void commit() {
    if (!Double.isNaN(pending)) {
      put(pendingHour, pendingValue, pending);
    }
    drop();
  }

  /** The episode fired: nothing it held is recorded. */
  void drop() {
    pending = Double.NaN;
    pendingValue = Double.NaN;
  }

  /**
   * The largest excursion recorded in at least two of the {@value #SLOTS} clock hours up to {@code t} (the second
   * largest hourly maximum), or NaN when fewer than two hours hold one.
   */
  double floor(Instant t) {
    refresh(t);
    return cachedFloor;
  }

  /** The largest value recorded in at least two of the {@value #SLOTS} clock hours up to {@code t}, or NaN. */
  double largestValue(Instant t) {
    refresh(t);
    return cachedValue;
  }

  /** Computes both maxima once per hour and after each change: O(1) per sample in the usual case. */
  private void refresh(Instant t) {
    long now = hour(t);
    if (now != cachedHour) {
      cachedFloor = largest(max, t);
      cachedValue = largest(maxValue, t);
      cachedHour = now;
    }
  }

  /**
   * The second largest of the hourly maxima in the window: what the series did in at least two different hours (a
   * one-off spike is not a habit and raises no floor), NaN with fewer than two hours recorded.
   */
  private double largest(double[] of, Instant t) {
    long now = hour(t);
    double best = Double.NaN;
    double second = Double.NaN;
    for (int i = 0; i < SLOTS; i++) {
      if (Double.isNaN(of[i]) || hourOf[i] <= now - SLOTS || hourOf[i] > now) {
        continue;
      }
      if (Double.isNaN(best) || of[i] > best) {
        second = best;
        best = of[i];
      } else if (Double.isNaN(second) || of[i] > second) {
        second = of[i];
      }
    }
    return second;
  }

  private void put(long hour, double value, double excursion) {
    if (!Double.isFinite(excursion) || !Double.isFinite(value)) {
      return;
    }
    int slot = (int) Math.floorMod(hour, (long) SLOTS);
    if (!Double.isNaN(max[slot]) && hourOf[slot] > hour) {
      return; // an episode longer than a day: its start is already out of the window
    }
    boolean grows;
    if (hourOf[slot] != hour || Double.isNaN(max[slot])) {
      hourOf[slot] = hour;
      max[slot] = excursion;
      maxValue[slot] = value;
      grows = true;
    } else {
      grows = excursion > max[slot] || value > maxValue[slot];
      max[slot] = Math.max(max[slot], excursion);
      maxValue[slot] = Math.max(maxValue[slot], value);
    }
    if (grows) {
      cachedHour = Long.MIN_VALUE; // recomputed on the next ask: once per new hourly maximum, not per sample
    }
  }

  private static long hour(Instant t) {
    return Math.floorDiv(t.getEpochSecond(), HOUR);
  }

  void write(java.io.DataOutputStream out) throws java.io.IOException {
    for (int i = 0; i < SLOTS; i++) {
      out.writeDouble(max[i]);
      out.writeDouble(maxValue[i]);
      out.writeLong(hourOf[i]);
    }
    out.writeDouble(pending);
    out.writeDouble(pendingValue);
    out.writeLong(pendingHour);
  }

  void readInto(java.io.DataInputStream in) throws java.io.IOException {
    for (int i = 0; i < SLOTS; i++) {
      max[i] = in.readDouble();
      maxValue[i] = in.readDouble();
      hourOf[i] = in.readLong();
    }
    pending = in.readDouble();
    pendingValue = in.readDouble();
    cachedHour = Long.MIN_VALUE;
    pendingHour = in.readLong();
  }
}
