package dev.sreagent.detect;

import java.time.Instant;

/**
 * What the latency and error-rate detectors judge a sample against: an exponentially weighted mean and variance
 * (fast to follow a drifting level), a {@link RobustBaseline} median and MAD that keep outliers from poisoning it
 * (a value more than 6 robust sigmas from the median is not learned by the weighted mean), and a daily
 * {@link SeasonalProfile}: when the series has a daily cycle, the expected level at a given time is the higher of the
 * weighted mean and the profile's expectation for that hour, so a regular daily peak is not an anomaly. O(1) per
 * sample, fixed memory.
 */
final class LearnedBaseline {
  private static final double OUTLIER_SIGMAS = 6;
  private final Ewma ewma;
  private final RobustBaseline robust = new RobustBaseline();
  private final SeasonalProfile daily = SeasonalProfile.daily();

  LearnedBaseline(double alpha) {
    this.ewma = new Ewma(alpha);
  }

  /** Learns {@code x} seen at {@code t} (the caller learns only from values that did not breach). */
  void learn(Instant t, double x) {
    boolean outlier = robust.count() > 50 && robust.sigma() > 0
        && Math.abs(x - robust.median()) > OUTLIER_SIGMAS * robust.sigma();
    robust.update(x);
    daily.update(t, x);
    if (!outlier || ewma.count() < LatencyDetector.WARM_UP_SAMPLES) {
      ewma.update(x);
    }
  }

  /** The expected level at {@code t}: the weighted mean, or the daily profile's expectation when that is higher. */
  double level(Instant t) {
    double seasonal = daily.expected(t);
    return Double.isNaN(seasonal) ? ewma.mean() : Math.max(ewma.mean(), seasonal);
  }

  double mean() {
    return ewma.mean();
  }

  double stddev() {
    return ewma.stddev();
  }

  long count() {
    return ewma.count();
  }

  boolean seasonal() {
    return daily.usable();
  }
}
