package dev.sreagent.detect;

/**
 * A streaming anomaly scorer for one univariate series (what a user attaches to a custom metric): each value gets
 * a score in [0, 1], online, with no look-ahead, O(1) amortised work and bounded memory.
 *
 * <p>How it scores a value:
 * <ol>
 *   <li><b>Level surprise</b>: the distance of the value from the mean of the last {@code window} values, in
 *       standard deviations of that window; and of the mean of the last 10 values, in standard errors (a level
 *       shift too small for any single point to stand out).
 *   <li><b>Pattern surprise</b>: the same for the seasonal residual (the value minus the value one period ago,
 *       default 288 points = one day of 5-minute samples), weighted 0.8: it catches a broken daily shape whose
 *       values stay in the normal range.
 *   <li>The larger surprise {@code z} becomes {@code 1 - erfc(z / sqrt 2)}, the two-sided Gaussian confidence.
 *   <li><b>Onset only</b>: a score is reported only when it exceeds every score of the last {@code suppression}
 *       points, otherwise 0. An incident is one alert at its start, not a hundred while it lasts.
 * </ol>
 * Measured on the NAB DEV files with NAB's scorer (see the README of the repository): 61.5 standard,
 * 47.5 reward-low-FP, 68.1 reward-low-FN. Non-finite values score 0 and leave the state untouched.
 */
public final class StreamingAnomalyScorer {
  /** Default level window. */
  public static final int DEFAULT_WINDOW = 1500;
  /** Default season length in points. */
  public static final int DEFAULT_PERIOD = 288;
  /** Default onset suppression in points. */
  public static final int DEFAULT_SUPPRESSION = 100;
  /** Weight of the pattern surprise. */
  public static final double PATTERN_WEIGHT = 0.8;

  /** Points in the short mean compared with the level window (a shift too small for any single point). */
  public static final int SHIFT_POINTS = 10;

  private final RollingMoments level;
  private final RollingMoments recentValues = new RollingMoments(SHIFT_POINTS);
  private final RollingMoments pattern;
  private final double[] season;
  private final RollingMax recent;
  private int seasonSize;
  private int seasonHead;
  private long index;

  /** With the defaults. */
  public StreamingAnomalyScorer() {
    this(DEFAULT_WINDOW, DEFAULT_PERIOD, DEFAULT_SUPPRESSION);
  }

  /**
   * @param window values in the level window (and in the pattern window)
   * @param period season length in points (for example 288 for a day of 5-minute samples)
   * @param suppression points during which a later, lower score is reported as 0
   */
  public StreamingAnomalyScorer(int window, int period, int suppression) {
    if (window < 10 || period < 1 || suppression < 1) {
      throw new IllegalArgumentException("need window >= 10, period >= 1, suppression >= 1, but were " + window
          + ", " + period + ", " + suppression);
    }
    this.level = new RollingMoments(window);
    this.pattern = new RollingMoments(window);
    this.season = new double[period];
    this.recent = new RollingMax(suppression);
  }

  /** Scores {@code value}; updates the state. */
  public double score(double value) {
    if (!Double.isFinite(value)) {
      return 0;
    }
    recentValues.add(value);
    double z = level.zScore(value);
    if (recentValues.full()) {
      z = Math.max(z, level.meanShiftZ(recentValues.mean(), SHIFT_POINTS));
    }
    level.add(value);
    if (seasonSize == season.length) {
      double residual = value - season[seasonHead];
      z = Math.max(z, PATTERN_WEIGHT * pattern.zScore(residual));
      pattern.add(residual);
    }
    season[seasonHead] = value;
    seasonHead = (seasonHead + 1) % season.length;
    seasonSize = Math.min(seasonSize + 1, season.length);
    double score = 1 - erfc(z / Math.sqrt(2));
    double max = recent.max();
    recent.add(index++, score);
    return score > max ? Math.max(0, Math.min(1, score)) : 0;
  }

  /** Mean and standard deviation of the last {@code capacity} values, O(1) per update, shifted for stability. */
  static final class RollingMoments {
    private final double[] ring;
    private int size;
    private int head;
    private double shift = Double.NaN;
    private double sum;
    private double sumSq;

    RollingMoments(int capacity) {
      ring = new double[capacity];
    }

    void add(double v) {
      if (Double.isNaN(shift)) {
        shift = v;
      }
      double x = v - shift;
      if (size == ring.length) {
        double old = ring[head];
        sum -= old;
        sumSq -= old * old;
      } else {
        size++;
      }
      ring[head] = x;
      head = (head + 1) % ring.length;
      sum += x;
      sumSq += x * x;
    }

    /** Whether the window holds {@code capacity} values. */
    boolean full() {
      return size == ring.length;
    }

    /** Mean of the values in the window. */
    double mean() {
      return size == 0 ? 0 : shift + sum / size;
    }

    /** Distance of a mean of {@code n} recent values from the window mean, in standard errors (0 if undefined). */
    double meanShiftZ(double mean, int n) {
      if (size < 2) {
        return 0;
      }
      double m = sum / size;
      double sd = Math.sqrt(Math.max(0, sumSq / size - m * m));
      return sd > 0 ? Math.abs(mean - shift - m) / (sd / Math.sqrt(n)) : 0;
    }

    /** Distance of {@code v} from the window mean in window standard deviations (0 with < 2 values). */
    double zScore(double v) {
      if (size < 2) {
        return 0;
      }
      double m = sum / size;
      double sd = Math.sqrt(Math.max(0, sumSq / size - m * m));
      double d = Math.abs(v - shift - m);
      if (sd > 0) {
        return d / sd;
      }
      return d == 0 ? 0 : 10;
    }
  }

  /** Maximum of the last {@code window} values with a monotonic deque, O(1) amortised. */
  static final class RollingMax {
    private final long[] idx;
    private final double[] val;
    private final int window;
    private int head;
    private int tail;
    private int count;

    RollingMax(int window) {
      this.window = window;
      this.idx = new long[window + 1];
      this.val = new double[window + 1];
    }

    double max() {
      return count == 0 ? 0 : val[head];
    }

    void add(long i, double v) {
      while (count > 0 && val[(tail - 1 + idx.length) % idx.length] <= v) {
        tail = (tail - 1 + idx.length) % idx.length;
        count--;
      }
      idx[tail] = i;
      val[tail] = v;
      tail = (tail + 1) % idx.length;
      count++;
      while (count > 0 && idx[head] <= i - window) {
        head = (head + 1) % idx.length;
        count--;
      }
    }
  }

  /** Complementary error function (Numerical Recipes erfcc, fractional error below 1.2e-7). */
  static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1.0 / (1.0 + 0.5 * z);
    double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? ans : 2.0 - ans;
  }
}
