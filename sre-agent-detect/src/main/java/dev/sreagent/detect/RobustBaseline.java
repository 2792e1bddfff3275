package dev.sreagent.detect;

import dev.sreagent.api.Require;

/**
 * A streaming robust location and scale: the median and the median absolute deviation, each tracked by a frugal
 * stochastic-approximation estimator (the estimate moves towards every new value by a step proportional to the
 * current scale), O(1) time and memory per sample. Unlike a mean and a standard deviation, a burst of outliers moves
 * them only a few steps, so a spike does not widen the band it is judged against. {@link #sigma()} is
 * {@code 1.4826 x MAD}, the standard deviation of a normal distribution with that MAD. Non-finite values are ignored.
 */
public final class RobustBaseline {
  private static final double MAD_TO_SIGMA = 1.4826;
  private static final int WARM_UP = 30;
  private final double rate;
  private double median;
  private double mad;
  private long count;

  /** With a learning rate of 0.05 of the scale per sample. */
  public RobustBaseline() {
    this(0.05);
  }

  /** @param rate step size as a fraction of the current MAD, in (0, 1) */
  public RobustBaseline(double rate) {
    this.rate = Require.withinOpen(rate, 0, 1, "rate");
  }

  /** Learns from {@code x}. */
  public void update(double x) {
    if (!Double.isFinite(x)) {
      return;
    }
    count++;
    if (count == 1) {
      median = x;
      mad = 0;
      return;
    }
    double deviation = Math.abs(x - median);
    // warm (a scale is known): steps of rate x MAD, so an outlier moves the estimates by at most that much; while
    // the scale is unknown or has collapsed to 0, learn it from the deviations themselves
    boolean warm = count > WARM_UP && mad > 0;
    double scale = warm ? mad : deviation / count;
    double step = scale * rate + Math.ulp(Math.abs(median) + 1);
    if (x > median) {
      median += Math.min(step, x - median);
    } else if (x < median) {
      median -= Math.min(step, median - x);
    }
    double madStep = scale * rate;
    if (deviation > mad) {
      mad += Math.min(madStep, deviation - mad);
    } else if (deviation < mad) {
      mad -= Math.min(madStep, mad - deviation);
    }
  }

  public double median() {
    return median;
  }

  public double mad() {
    return mad;
  }

  /** A robust standard deviation: 1.4826 x MAD. */
  public double sigma() {
    return MAD_TO_SIGMA * mad;
  }

  public long count() {
    return count;
  }

  /** Distance of {@code x} from the median in robust sigmas (0 while the scale is 0 and x is the median). */
  public double z(double x) {
    double s = sigma();
    double d = Math.abs(x - median);
    return s > 0 ? d / s : d == 0 ? 0 : Double.MAX_VALUE;
  }

  /** Writes the learned state (not the configured rate) for a snapshot. */
  void write(java.io.DataOutputStream out) throws java.io.IOException {
    out.writeDouble(median);
    out.writeDouble(mad);
    out.writeLong(count);
  }

  /** Reads what {@link #write} wrote into this (fresh) instance. */
  void readInto(java.io.DataInputStream in) throws java.io.IOException {
    median = in.readDouble();
    mad = in.readDouble();
    count = in.readLong();
    if (count < 0) {
      throw new java.io.IOException("a robust baseline of " + count + " samples");
    }
  }
}
