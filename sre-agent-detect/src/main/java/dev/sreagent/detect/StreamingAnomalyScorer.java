package dev.sreagent.detect;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A streaming anomaly scorer for one univariate series (what a user attaches to a custom metric): each value gets
 * a score in [0, 1], online, with no look-ahead, O(1) amortised work and bounded memory.
 *
 * <p>It reports <em>novelty</em>: the moment a series does something it has not done before.
 * <ol>
 *   <li><b>Warm-up</b>: the first {@code warmUp} finite values (default 300) set a value grid: the 5th to the 95th
 *       percentile of the warm-up is cut into five levels, and the grid extends with the same step beyond them.
 *       Only the extreme-value test (below) can report during the warm-up. A <em>coarse</em> warm-up - at most five
 *       distinct values between those percentiles (a flat one, counts or a quantised CPU utilisation that barely
 *       moves) - gives the grid no spread to scale far values by: beyond five steps from the grid its levels are then
 *       a fifth of their distance wide (a daily job's CPU spike of 1.4 or 1.6 where the grid steps by 0.014, a disk's
 *       write bursts of 20 MB to 500 MB after a warm-up of zeros, are the same few far levels, not a new one each).
 *   <li><b>New level</b>: the first visit to a level never visited since the series began (a record high or low
 *       by at least one step, or a gap in the middle filled for the first time) - unless it only continues a steady
 *       climb or fall: a record one level beyond the last, at least the third since the warm-up, arriving no faster
 *       than the one before (a disk filling at its usual pace, a certificate's time to expiry counting down).
 *   <li><b>Unusual stay</b>: a stay in one level longer than three times the longest earlier stay there (plus
 *       two points) - a series that goes flat where it used to move.
 *   <li><b>Unusual sequence</b>: the number of never-seen sequences of three levels among the last 20 values
 *       reaches a new high (at least 3) - a series that moves through known levels in a new way (a missing daily
 *       jump, spikes coming denser, a new shape). Only sequences through levels visited more than 3 times count (a
 *       rare level is the new-level test's business), and the high starts from the count at the end of the
 *       warm-up, so a series still learning its shapes then does not report them. At most 18 such reports in the
 *       life of a series.
 *   <li><b>Extreme value</b>: a value more than 25 standard deviations from the mean of the last {@code window}
 *       values (or the mean of the last 10 values that many standard errors away), or a seasonal residual (the
 *       value minus the value one {@code period} earlier) 25 / 0.8 standard deviations from its own recent mean
 *       (or the mean of the last 20 residuals that many standard errors away and further out than any single
 *       residual before them: a missing daily jump) - for a surprise that stays within known levels; each test reports only a deviation larger than any it saw
 *       before (the drop of a sawtooth is news once).
 *   <li><b>Denser excursions</b>: a rise above the warm-up's grid (its 95th percentile) sooner after the last
 *       rise than any before, the shortest gap learnt from the warm-up on - spikes coming denser in a quiet series.
 *       In a noisy series the shortest gap soon comes down to two values and the test falls silent; on spikes at
 *       irregular intervals a new shortest gap still comes now and then (a record of a random variable).
 *   <li><b>Onset only</b>: after an event, further events are held back for a rest period (3% of the values seen,
 *       between 10 and 150 values) and every held-back event restarts it: one report at the start of an episode.
 *   <li><b>Rarity</b>: a reported onset scores {@code 1 / (1 + r)}, {@code r} being the onsets already reported
 *       per 1,000 values since the warm-up (over at least 1,000): the first news of a quiet series scores 1, the
 *       tenth of a restless one scores lower. A single alert threshold then fits many series at once.
 * </ol>
 * Measured on the NAB DEV files with NAB's scorer (see the README of the repository): 79.79 standard,
 * 69.40 reward-low-FP, 85.28 reward-low-FN; cross-validated (threshold from the training files) 78.97 pooled
 * 5-fold, 80.66 mean leave-one-category-out (AWS CloudWatch 75.2; 68.4 before the coarse grid). Non-finite values
 * score 0 and leave the state untouched.
 *
 * <p>Choosing the warm-up: at least one season (a day of samples for a daily cycle) - what the warm-up has not shown
 * is news later. On noise the scorer keeps finding a new tail level or a rare sequence now and then: about one report
 * per series per eight days on the simulated shop once a series is two days old.
 */
public final class StreamingAnomalyScorer {
  /** The test behind a reported onset. */
  public enum Reason {
    /** A level never visited (a record, or a gap between known levels filled for the first time). */
    NEW_LEVEL("a level it never reached before"),
    /** A value, a short mean or a seasonal residual far beyond anything seen. */
    EXTREME_VALUE("a value far beyond its recent spread"),
    /** A stay in one level far longer than any before. */
    UNUSUAL_STAY("a stay in one level far longer than ever before"),
    /** Known levels visited in never-seen orders. */
    UNUSUAL_SEQUENCE("known levels in an order never seen"),
    /** A rise above the warm-up's range sooner after the last one than ever before. */
    DENSER_EXCURSIONS("rises above its usual range closer together than ever");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    /** What the series did, in words (for summaries). */
    public String description() {
      return description;
    }
  }

  /** Default window of the extreme-value test. */
  public static final int DEFAULT_WINDOW = 1500;
  /** Default season length in points. */
  public static final int DEFAULT_PERIOD = 288;
  /** Default warm-up in values. */
  public static final int DEFAULT_WARM_UP = 300;
  /**
   * Levels between the 5th and the 95th percentile of the warm-up: five cross-validated best on NAB (pooled 5-fold
   * 64.2 / 73.6 / 75.4 / 70.8 with 3 / 4 / 5 / 6 levels), a sensitive choice. Also the most distinct warm-up
   * values of a coarse grid and the distance, in steps, beyond which its far levels are relative.
   */
  public static final int LEVELS = 5;
  /** Distance from the recent mean, in standard deviations, of an extreme value. */
  public static final double EXTREME_Z = 25;
  /** A stay this many times longer than the longest earlier stay in the level is unusual. */
  public static final double STAY_FACTOR = 3;
  /** Values in a window before it tests anything (two values a hair apart make any third one "extreme"). */
  public static final int MIN_EXTREME_HISTORY = 30;
  /** Longest rest between reported onsets, in values. */
  public static final int MAX_REST = 150;

  /** Points in the short mean compared with the extreme-value window (a shift too small for any single point). */
  public static final int SHIFT_POINTS = 10;
  /** Weight of the seasonal residual in the extreme-value test. */
  public static final double PATTERN_WEIGHT = 0.8;
  /**
   * Points in the mean of recent seasonal residuals compared with the residual window (a season that keeps its
   * levels but misses a daily jump or a plateau: a shift in the residual too small for any single one).
   */
  public static final int RESIDUAL_SHIFT_POINTS = 20;

  /** Levels beyond the warm-up grid that are told apart (further values share the outermost level). */
  static final int OUTER_LEVELS = 1024;
  /** Values in a sequence of levels. */
  public static final int SEQUENCE_LENGTH = 3;
  /** Recent values over which never-seen sequences are counted (at most 32: they are bits of an int). */
  public static final int SEQUENCE_WINDOW = 20;
  /** Never-seen sequences among the recent values before a new high of them is reported. */
  public static final int SEQUENCE_MIN_NEW = 3;
  /**
   * Visits a level needs (this one included: more than this many) before sequences through it count: a rare level
   * is the new-level test's news, not a new shape.
   */
  public static final int SEQUENCE_MIN_VISITS = 3;
  /** Levels beyond the grid that sequences tell apart (further values share the outermost one). */
  static final int SEQUENCE_OUTER = 4;
  /** Distinct level symbols in a sequence. */
  private static final int SYMBOLS = LEVELS + 1 + 2 * SEQUENCE_OUTER;
  /** Distinct sequences: SYMBOLS to the power SEQUENCE_LENGTH. */
  private static final int SEQUENCES = pow(SYMBOLS, SEQUENCE_LENGTH);
  private static final int WINDOW_MASK = (int) ((1L << SEQUENCE_WINDOW) - 1);

  private final ExtremeTest valueTest = new ExtremeTest();
  private final ExtremeTest shiftTest = new ExtremeTest();
  private final ExtremeTest residualTest = new ExtremeTest();
  private final ExtremeTest residualShiftTest = new ExtremeTest();
  private final RollingMoments level;
  private final RollingMoments recentValues = new RollingMoments(SHIFT_POINTS);
  private final RollingMoments pattern;
  private final RollingMoments recentResiduals = new RollingMoments(RESIDUAL_SHIFT_POINTS);
  // the single-residual test's largest deviation as it was before each of the last RESIDUAL_SHIFT_POINTS residuals
  private final double[] largestResidualBefore = new double[RESIDUAL_SHIFT_POINTS];
  private int residualHead;
  private final double[] season;
  private final int warmUp;
  private double[] warmUpValues;
  private int seasonSize;
  private int seasonHead;
  private long index;

  // the level grid, set at the end of the warm-up
  private double gridLow;
  private double gridStep;
  // a coarse warm-up (at most LEVELS distinct values in the grid): far levels relative to their distance
  private boolean relativeFarLevels;
  private long[] visited;
  private int[] longestStay;
  private int currentLevel = Integer.MIN_VALUE;
  private int stay;
  private boolean stayReported;
  // records (levels beyond every level visited) after the warm-up, per way: 0 up, 1 down
  private int highestLevel = Integer.MIN_VALUE;
  private int lowestLevel = Integer.MAX_VALUE;
  private final long[] lastRecord = new long[2];
  private final long[] lastRecordGap = new long[2];
  private final int[] recordsSinceWarmUp = new int[2];

  // sequences of levels: the ones seen (a bitset over SYMBOLS^SEQUENCE_LENGTH), the last symbols, and which of the
  // last SEQUENCE_WINDOW values completed a never-seen sequence (one bit each)
  private final long[] seenSequences = new long[(SEQUENCES + 63) / 64];
  private final int[] symbolVisits = new int[SYMBOLS];
  private int sequence;
  private int symbolsInSequence;
  private int newSequenceBits;
  private int mostNewSequences;

  // excursions: values above the warm-up's grid (from its 95th percentile on)
  private boolean outside;
  private long replayed;
  private long lastExcursion = -1;
  private long shortestExcursionGap = Long.MAX_VALUE;

  private long lastEvent = Long.MIN_VALUE / 2;
  private long onsets;
  private @Nullable Reason lastReason;
  private boolean lastValueWasNews;

  /** With the defaults. */
  public StreamingAnomalyScorer() {
    this(DEFAULT_WINDOW, DEFAULT_PERIOD, DEFAULT_WARM_UP);
  }

  /**
   * @param window values in the extreme-value window (and in the seasonal-residual window)
   * @param period season length in points (for example 288 for a day of 5-minute samples)
   * @param warmUp values that set the level grid before anything is reported
   */
  public StreamingAnomalyScorer(int window, int period, int warmUp) {
    if (window < 10 || period < 1 || warmUp < 10) {
      throw new IllegalArgumentException("need window >= 10, period >= 1, warmUp >= 10, but were " + window
          + ", " + period + ", " + warmUp);
    }
    this.level = new RollingMoments(window);
    this.pattern = new RollingMoments(window);
    this.season = new double[period];
    this.warmUp = warmUp;
    this.warmUpValues = new double[warmUp];
  }

  /** Scores {@code value}; updates the state. */
  public double score(double value) {
    lastValueWasNews = false;
    if (!Double.isFinite(value)) {
      return 0;
    }
    long t = index++;
    Reason reason = extreme(value) ? Reason.EXTREME_VALUE : null;
    if (warmUpValues != null) {
      warmUpValues[(int) t] = value;
      if (t + 1 == warmUp) {
        setGrid();
      }
    } else {
      if (gridStep == 0 && value != gridLow) {
        gridStep = Math.abs(value - gridLow) / LEVELS;
      }
      int k = levelOf(value);
      Reason level = levelEvent(k, true);
      boolean sequence = sequenceEvent(k, true);
      boolean denser = excursionEvent(k, true);
      if (level != null && (reason == null || level == Reason.NEW_LEVEL)) {
        reason = level;
      } else if (reason == null && sequence) {
        reason = Reason.UNUSUAL_SEQUENCE;
      } else if (reason == null && denser) {
        reason = Reason.DENSER_EXCURSIONS;
      }
    }
    if (reason == null) {
      return 0;
    }
    lastValueWasNews = true;
    double rest = Math.min(MAX_REST, Math.max(10, 0.03 * t));
    boolean onset = t - lastEvent > rest;
    lastEvent = t;
    if (!onset) {
      return 0;
    }
    double perThousand = 1000.0 * onsets / Math.max(t - warmUp, 1000);
    onsets++;
    lastReason = reason;
    return 1 / (1 + perThousand);
  }

  /** The test behind the last reported onset (a score above 0); null before the first. */
  public @Nullable Reason lastReason() {
    return lastReason;
  }

  /**
   * Whether the last value triggered a test, reported or not (held back while an episode lasts): a caller that
   * keeps its own episodes ends one when the series has gone long enough without news.
   */
  public boolean lastValueWasNews() {
    return lastValueWasNews;
  }

  /** Onsets reported so far. */
  public long onsets() {
    return onsets;
  }

  private boolean extreme(double value) {
    recentValues.add(value);
    boolean event = valueTest.test(level, value, 1, 1);
    if (recentValues.full()) {
      event |= shiftTest.test(level, recentValues.mean(), SHIFT_POINTS, 1);
    }
    level.add(value);
    if (seasonSize == season.length) {
      double residual = value - season[seasonHead];
      event |= residualTest.test(pattern, residual, 1, PATTERN_WEIGHT);
      // a shift in the residuals is news only beyond every single residual seen before the values it averages
      // (a sawtooth's drop at another time of day than yesterday's is not news again as a shift)
      double largestEarlier = largestResidualBefore[residualHead];
      largestResidualBefore[residualHead] = residualTest.largestDeviation;
      residualHead = (residualHead + 1) % RESIDUAL_SHIFT_POINTS;
      recentResiduals.add(residual);
      if (recentResiduals.full() && pattern.deviation(recentResiduals.mean()) > largestEarlier) {
        event |= residualShiftTest.test(pattern, recentResiduals.mean(), RESIDUAL_SHIFT_POINTS, PATTERN_WEIGHT);
      }
      pattern.add(residual);
    }
    season[seasonHead] = value;
    seasonHead = (seasonHead + 1) % season.length;
    seasonSize = Math.min(seasonSize + 1, season.length);
    return event;
  }

  private void setGrid() {
    double[] sorted = warmUpValues.clone();
    Arrays.sort(sorted);
    double low = sorted[(int) (0.05 * (sorted.length - 1))];
    double high = sorted[(int) (0.95 * (sorted.length - 1))];
    gridLow = low;
    // a flat warm-up: steps of 5% of its level, or (flat at zero) a quarter of the first departure from zero
    gridStep = high > low ? (high - low) / LEVELS : Math.abs(low) * 0.05;
    int distinct = 0;
    for (int i = 0; i < sorted.length && sorted[i] <= high; i++) {
      distinct += sorted[i] >= low && (i == 0 || sorted[i] != sorted[i - 1]) ? 1 : 0;
    }
    relativeFarLevels = distinct <= LEVELS;
    int size = LEVELS + 1 + 2 * OUTER_LEVELS;
    visited = new long[(size + 63) / 64];
    longestStay = new int[size];
    for (double v : warmUpValues) {
      int k = levelOf(v);
      levelEvent(k, false);
      sequenceEvent(k, false);
      excursionEvent(k, false);
      replayed++;
    }
    warmUpValues = null;
    // a series still meeting new shapes at the end of its warm-up is not reported for meeting as many later
    mostNewSequences = Integer.bitCount(newSequenceBits);
  }

  /** Levels the scorer keeps state for (fixed once the warm-up ends; 0 before). */
  int levelsTracked() {
    return longestStay == null ? 0 : longestStay.length;
  }

  /**
   * The level of {@code value}, as an index into {@link #visited}: grid steps, or for a coarse warm-up beyond
   * {@link #LEVELS} steps from the grid levels a {@code 1 / LEVELS} of their distance wide.
   */
  private int levelOf(double value) {
    double x = gridStep == 0 ? 0 : (value - gridLow) / gridStep;
    double u = Math.floor(x);
    if (relativeFarLevels) {
      if (x > 2 * LEVELS) {
        u = LEVELS + Math.floor(LEVELS + LEVELS * Math.log((x - LEVELS) / LEVELS));
      } else if (x < -LEVELS) {
        u = -Math.floor(LEVELS + LEVELS * Math.log(-x / LEVELS)) - 1;
      }
    }
    double clamped = Math.max(-OUTER_LEVELS, Math.min(LEVELS + OUTER_LEVELS, u));
    return (int) clamped + OUTER_LEVELS;
  }

  /** Records a value at level {@code k}; whether it is a new level or an unusual stay (null: neither). */
  private @Nullable Reason levelEvent(int k, boolean live) {
    Reason event = null;
    if ((visited[k >>> 6] & (1L << k)) == 0) {
      visited[k >>> 6] |= 1L << k;
      event = live && pacedRecord(k) ? null : Reason.NEW_LEVEL;
    }
    highestLevel = Math.max(highestLevel, k);
    lowestLevel = Math.min(lowestLevel, k);
    if (k != currentLevel) {
      if (currentLevel != Integer.MIN_VALUE) {
        longestStay[currentLevel] = Math.max(longestStay[currentLevel], stay);
      }
      currentLevel = k;
      stay = 1;
      stayReported = false;
    } else {
      stay++;
      int longest = longestStay[k];
      if (live && !stayReported && longest > 0 && stay > STAY_FACTOR * longest + 2) {
        stayReported = true;
        event = Reason.UNUSUAL_STAY;
      }
    }
    return event;
  }

  /**
   * Whether the never-visited level {@code k}, if a record, only continues a steady climb (or fall): one level beyond
   * the last record, at least the third record that way since the warm-up, arriving no sooner than half the time
   * between the two records before it.
   */
  private boolean pacedRecord(int k) {
    int way = k > highestLevel ? 0 : k < lowestLevel ? 1 : -1;
    if (way < 0) {
      return false;
    }
    long gap = index - lastRecord[way];
    boolean paced = recordsSinceWarmUp[way] >= 2 && k == (way == 0 ? highestLevel + 1 : lowestLevel - 1)
        && 2 * gap >= lastRecordGap[way];
    if (recordsSinceWarmUp[way] >= 1) {
      lastRecordGap[way] = gap;
    }
    lastRecord[way] = index;
    recordsSinceWarmUp[way]++;
    return paced;
  }

  /**
   * Records that the series reached level {@code k} (an index into {@link #visited}); whether the never-seen
   * sequences of levels among the recent values reach a new high.
   */
  private boolean sequenceEvent(int k, boolean live) {
    int symbol = Math.max(-SEQUENCE_OUTER, Math.min(LEVELS + SEQUENCE_OUTER, k - OUTER_LEVELS)) + SEQUENCE_OUTER;
    sequence = (sequence * SYMBOLS + symbol) % SEQUENCES;
    symbolVisits[symbol] = Math.min(symbolVisits[symbol] + 1, SEQUENCE_MIN_VISITS + 1);
    symbolsInSequence = Math.min(symbolsInSequence + 1, SEQUENCE_LENGTH);
    boolean unseen = false;
    if (symbolsInSequence == SEQUENCE_LENGTH && amongCommonLevels(sequence)) {
      long bit = 1L << sequence;
      unseen = (seenSequences[sequence >>> 6] & bit) == 0;
      seenSequences[sequence >>> 6] |= bit;
    }
    newSequenceBits = ((newSequenceBits << 1) | (unseen ? 1 : 0)) & WINDOW_MASK;
    int newOnes = Integer.bitCount(newSequenceBits);
    if (!live || newOnes < SEQUENCE_MIN_NEW || newOnes <= mostNewSequences) {
      return false;
    }
    mostNewSequences = newOnes;
    return true;
  }

  /**
   * Records that the series reached level {@code k}; whether it rises above the warm-up's grid sooner after its last
   * rise than ever before (spikes coming denser). The shortest gap is learnt from the warm-up on; in a noisy series
   * it soon comes down to two values and the test falls silent.
   */
  private boolean excursionEvent(int k, boolean live) {
    boolean out = k - OUTER_LEVELS >= LEVELS;
    boolean event = false;
    if (out && !outside) {
      long now = live ? index - 1 : replayed; // the position of this value (index has moved on)
      if (lastExcursion >= 0) {
        long gap = now - lastExcursion;
        event = live && gap < shortestExcursionGap && shortestExcursionGap != Long.MAX_VALUE;
        shortestExcursionGap = Math.min(shortestExcursionGap, gap);
      }
      lastExcursion = now;
    }
    outside = out;
    return event;
  }

  /** Whether every level of {@code sequence} was visited more than {@link #SEQUENCE_MIN_VISITS} times. */
  private boolean amongCommonLevels(int sequence) {
    for (int rest = sequence, i = 0; i < SEQUENCE_LENGTH; i++, rest /= SYMBOLS) {
      if (symbolVisits[rest % SYMBOLS] <= SEQUENCE_MIN_VISITS) {
        return false;
      }
    }
    return true;
  }

  private static int pow(int base, int exponent) {
    int r = 1;
    for (int i = 0; i < exponent; i++) {
      r *= base;
    }
    return r;
  }

  /**
   * One extreme-value test: a value (or a mean of {@code n} recent values) {@link #EXTREME_Z} standard errors from
   * the window mean, and further from it than any value tested before - a deviation the series has already made
   * (the drop of a sawtooth, the reset of a counter) is not news a second time, however calm the window is.
   */
  private static final class ExtremeTest {
    private double largestDeviation;

    boolean test(RollingMoments window, double x, int n, double weight) {
      if (window.size < MIN_EXTREME_HISTORY) {
        return false;
      }
      double deviation = window.deviation(x);
      double z = weight * window.zScore(x, n);
      boolean extreme = z >= EXTREME_Z && deviation > largestDeviation;
      largestDeviation = Math.max(largestDeviation, deviation);
      return extreme;
    }
  }

  /** Mean and standard deviation of the last {@code capacity} values, O(1) per update, shifted for stability. */
  static final class RollingMoments {
    private final double[] ring;
    int size;
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

    /** Distance of {@code v} from the window mean (0 for an empty window). */
    double deviation(double v) {
      return size == 0 ? 0 : Math.abs(v - shift - sum / size);
    }

    /** Whether the window holds {@code capacity} values. */
    boolean full() {
      return size == ring.length;
    }

    /** Mean of the values in the window. */
    double mean() {
      return size == 0 ? 0 : shift + sum / size;
    }

    /**
     * Distance of {@code x} - one value ({@code n = 1}) or a mean of {@code n} recent values - from the window mean,
     * in standard errors; 0 for a window without spread (departures from a flat series are the level grid's to see).
     */
    double zScore(double x, int n) {
      double m = sum / size;
      double sd = Math.sqrt(Math.max(0, sumSq / size - m * m));
      return sd > 0 ? Math.abs(x - shift - m) / (sd / Math.sqrt(n)) : 0;
    }
  }
}
