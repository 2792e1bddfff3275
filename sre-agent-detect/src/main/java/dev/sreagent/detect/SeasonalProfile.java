package dev.sreagent.detect;

import java.time.Instant;

/**
 * A daily (24 hourly buckets) or weekly (168) profile of a series: each bucket keeps an exponentially weighted mean,
 * and the profile tells how much of the series' variation the time of day (or week) explains. When it explains at
 * least {@code minStrength} (default 0.3) and every bucket has been seen on at least two days, {@link #expected}
 * returns the bucket's mean shifted by how far the series currently runs above or below its profile; otherwise the
 * series has no usable seasonality and callers keep their plain baseline. O(1) per sample, fixed memory.
 */
public final class SeasonalProfile {
  private final int buckets;
  private final long bucketSeconds;
  private final double alpha;
  private final double minStrength;
  private final double[] mean;
  private final long[] samples;
  private final long[] days;
  private final long[] lastDay;
  private final Ewma all = new Ewma(1.0 / 5000);
  private final Ewma residual = new Ewma(1.0 / 5000);
  private final Ewma offset = new Ewma(1.0 / 40);

  /** A daily profile. */
  public static SeasonalProfile daily() {
    return new SeasonalProfile(24, 3600, 0.3);
  }

  /** A weekly profile (hour of week). */
  public static SeasonalProfile weekly() {
    return new SeasonalProfile(168, 3600, 0.3);
  }

  SeasonalProfile(int buckets, long bucketSeconds, double minStrength) {
    this.buckets = buckets;
    this.bucketSeconds = bucketSeconds;
    this.alpha = 0.05;
    this.minStrength = minStrength;
    this.mean = new double[buckets];
    this.samples = new long[buckets];
    this.days = new long[buckets];
    this.lastDay = new long[buckets];
    java.util.Arrays.fill(lastDay, Long.MIN_VALUE);
  }

  private int bucket(Instant t) {
    return (int) Math.floorMod(Math.floorDiv(t.getEpochSecond(), bucketSeconds), (long) buckets);
  }

  /** Learns {@code x} observed at {@code t}. */
  public void update(Instant t, double x) {
    if (!Double.isFinite(x)) {
      return;
    }
    int b = bucket(t);
    if (samples[b] > 0) {
      offset.update(x - mean[b]);
      residual.update(x - mean[b]);
    }
    mean[b] = samples[b] == 0 ? x : mean[b] + alpha * (x - mean[b]);
    samples[b]++;
    long day = Math.floorDiv(t.getEpochSecond(), 86_400L * (buckets / 24));
    if (day != lastDay[b]) {
      lastDay[b] = day;
      days[b]++;
    }
    all.update(x);
  }

  /** Share of the variance the profile explains: 1 - var(x - profile) / var(x), in [0, 1]. */
  public double strength() {
    double total = all.variance();
    if (!(total > 0)) {
      return 0;
    }
    double unexplained = residual.variance() + residual.mean() * residual.mean();
    return Math.max(0, Math.min(1, 1 - unexplained / total));
  }

  /** Whether every bucket was seen on two cycles and the profile explains enough of the variation. */
  public boolean usable() {
    for (long d : days) {
      if (d < 2) {
        return false;
      }
    }
    return strength() >= minStrength;
  }

  /** The value the profile expects at {@code t} (its bucket mean plus the current offset), or NaN if not usable. */
  public double expected(Instant t) {
    return usable() ? mean[bucket(t)] + offset.mean() : Double.NaN;
  }

  /** Writes the learned state (not the configuration) for a snapshot. */
  void write(java.io.DataOutputStream out) throws java.io.IOException {
    out.writeInt(buckets);
    for (int b = 0; b < buckets; b++) {
      out.writeDouble(mean[b]);
      out.writeLong(samples[b]);
      out.writeLong(days[b]);
      out.writeLong(lastDay[b]);
    }
    all.write(out);
    residual.write(out);
    offset.write(out);
  }

  /** Reads what {@link #write} wrote into this (fresh) instance of the same number of buckets. */
  void readInto(java.io.DataInputStream in) throws java.io.IOException {
    int n = in.readInt();
    if (n != buckets) {
      throw new java.io.IOException("a profile of " + n + " buckets where " + buckets + " are expected");
    }
    for (int b = 0; b < buckets; b++) {
      mean[b] = in.readDouble();
      samples[b] = in.readLong();
      days[b] = in.readLong();
      lastDay[b] = in.readLong();
    }
    all.readInto(in);
    residual.readInto(in);
    offset.readInto(in);
  }
}
