package dev.sreagent.detect;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the latency and error-rate detectors judge a sample against: an exponentially weighted mean and variance
 * (fast to follow a drifting level), a {@link RobustBaseline} median and MAD that keep outliers from poisoning it
 * (a value more than 6 robust sigmas from the median is not learned by the weighted mean), and a daily
 * {@link SeasonalProfile}: when the series has a daily cycle, the expected level at a given time is the higher of the
 * weighted mean and the profile's expectation for that hour, so a regular daily peak is not an anomaly. O(1) per
 * sample, fixed memory.
 *
 * <p>An unresolved anomaly never becomes normal: {@link #offer} learns only usual values. A value outside the usual
 * band (above the detector's statistical band, or breaching) starts an <em>episode</em>, and nothing is learned
 * until the series has been back in its band for {@link #SETTLE} - not even the values that dip into the band
 * meanwhile. A step that is many sigmas up but under a detector's relative floor therefore stays measured against
 * the level before the step, and a later creep is seen for what it is. A genuine new normal (a deploy, a change of
 * traffic mix) is still learned: once an episode has stayed quiet - the detector not firing - for
 * {@link #RELEARN_AFTER}, its non-breaching values are learned again. While the detector fires nothing is learned.
 *
 * <p>Optionally (latency, error ratio) a {@link TailFloor}: the usual values and the episodes that ended without the
 * detector firing are remembered for a day as excursions over the expected level; {@link #tailFloor} is the value
 * matching the largest of them seen in two different hours (the value itself when the series has no daily cycle).
 * The detectors never let a value that only the floor kept from breaching be learned (see
 * {@link RuleDetector#againstBaseline}).
 *
 * <p>The warm-up is held back: the first {@link LatencyDetector#WARM_UP_SAMPLES} readings are kept as they come and
 * learned together, in order, once they are all in — except an <em>absurd</em> one, more than {@link #ABSURD} times
 * the warm-up's own scale (the larger of its median's magnitude and 1.4826 MAD) from its median: one reading of a
 * broken exporter (a latency a year long) would otherwise set the weighted variance, the daily profile and the robust
 * median for hours, and a real rise would not page meanwhile (found by an attack on the call-edge detector). A
 * warm-up without an absurd reading is learned exactly as it would be one by one; one with such readings drops them
 * and holds the rest until as many new readings have come in, judged with them (a broken exporter's next reading is
 * no more learned unchecked than its first). A warm-up without any scale (its median and MAD 0: a healthy service's
 * error ratio) is judged by {@link #FRACTION_SCALE} when the series is a fraction (an error ratio, a CPU share of the
 * limit: a reading over 125% is absurd there); in any other series nothing is absurd there. Once a hold has dropped as
 * many absurd readings as a whole warm-up, the series has moved for good: the hold starts again from its new level.
 */
final class LearnedBaseline {
  /**
   * How long an unusual level must hold without the detector firing before it is learned as the new normal: an
   * hour, the width of one bucket of the daily profile (a longer hold would let the daily cycle add to a frozen
   * step; a shorter one would learn a slow capacity loss before traffic shows it).
   */
  static final Duration RELEARN_AFTER = Duration.ofHours(1);
  /** How long a series must be back in its band before an episode ends: the detectors' hysteresis. */
  static final Duration SETTLE = Duration.ofMinutes(1);
  private static final double OUTLIER_SIGMAS = 6;
  /**
   * How many times its scale a warm-up reading must be from the warm-up's median to be left out as absurd: two orders
   * of magnitude, far past anything a series does in its first minutes (a daily cycle, a burst, a step), and short of
   * the absurd by as much again (a latency a year long is 10^8 times a typical one).
   */
  static final double ABSURD = 100;
  private static final int HELD = LatencyDetector.WARM_UP_SAMPLES;
  /** Nothing held yet: shared by every fresh baseline (the CPU ones of a latency series that never sees CPU hold none). */
  private static final double[] NO_VALUES = new double[0];
  private static final long[] NO_MILLIS = new long[0];
  /** The warm-up readings held back, then null (grown as they arrive: a one-off series holds one). */
  private double @Nullable [] heldValues = NO_VALUES;
  private long @Nullable [] heldMillis = NO_MILLIS;
  private int held;
  /**
   * How many absurd readings the current hold has dropped (a byte: fewer than {@link #HELD}). Once as many as a whole
   * warm-up have come, they are no longer a broken exporter's odd reading but the series' level (it moved for good,
   * more than 100 times, in its warm-up): the old readings are let go and the hold starts again.
   */
  private byte dropped;
  private final Ewma ewma;
  private final RobustBaseline robust = new RobustBaseline();
  private final SeasonalProfile daily = SeasonalProfile.daily();
  private final Duration relearnAfter;
  /** Whether an unusual episode is under way. */
  private boolean episode;
  /** Since when an episode's values have been back in the band, or null. */
  private @Nullable Instant usualSince;
  /** Since when an episode has been quiet (the detector not firing), or null while it fires. */
  private @Nullable Instant quietSince;
  /** Whether the detector fired during the current episode. */
  private boolean episodeFired;
  /** The excursions seen outside incidents, or null when the owner does not keep them. */
  private final @Nullable TailFloor tail;
  /**
   * The scale a warm-up of a fraction without any (its median and MAD 0) is judged by: a reading more than 125% from
   * its median is absurd (the CPU detector's highest plausible reading).
   */
  static final double FRACTION_SCALE = CpuSaturationDetector.MAX_READING / ABSURD;
  /** Whether the series is a fraction (see {@link #FRACTION_SCALE}; a flag, not a double: it fits the padding). */
  private final boolean fraction;

  LearnedBaseline(double alpha) {
    this(alpha, RELEARN_AFTER, null, false);
  }

  /** With a {@link TailFloor} of the given form: {@link #tailFloor} tells the largest excursion of the last day. */
  LearnedBaseline(double alpha, TailFloor.Form tailForm) {
    this(alpha, RELEARN_AFTER, new TailFloor(tailForm), false);
  }

  /**
   * With a {@link TailFloor} of the given form, of a series that is a fraction or not (see {@link #FRACTION_SCALE}).
   */
  LearnedBaseline(double alpha, TailFloor.Form tailForm, boolean fraction) {
    this(alpha, RELEARN_AFTER, new TailFloor(tailForm), fraction);
  }

  LearnedBaseline(double alpha, Duration relearnAfter) {
    this(alpha, relearnAfter, null, false);
  }

  private LearnedBaseline(double alpha, Duration relearnAfter, @Nullable TailFloor tail, boolean fraction) {
    this.ewma = new Ewma(alpha);
    this.relearnAfter = relearnAfter;
    this.tail = tail;
    this.fraction = fraction;
  }

  /**
   * Learns {@code x} seen at {@code t} unconditionally (warm-up, tests); during the warm-up it is held back until
   * the warm-up is complete, then learned with the others unless it is absurd (see the class comment).
   */
  void learn(Instant t, double x) {
    double[] values = heldValues;
    long[] millis = heldMillis;
    if (values == null || millis == null) {
      learnNow(t, x);
      return;
    }
    if (held == values.length) {
      int size = Math.min(HELD, Math.max(1, 2 * held));
      values = heldValues = java.util.Arrays.copyOf(values, size);
      millis = heldMillis = java.util.Arrays.copyOf(millis, size);
    }
    values[held] = x;
    millis[held] = t.toEpochMilli();
    held++;
    if (held == HELD) {
      releaseHeld(values, millis);
    }
  }

  /**
   * Learns the held warm-up in order once none of it is absurd; from then on readings are learned as they come. With
   * absurd readings, they are dropped and the rest stay held until as many new ones have come in, judged with them
   * (learning the readings that replace the absurd ones unchecked would let a broken exporter's next reading in).
   */
  private void releaseHeld(double[] values, long[] millis) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    double median = middle(sorted);
    double[] deviations = new double[sorted.length];
    for (int i = 0; i < sorted.length; i++) {
      deviations[i] = Math.abs(sorted[i] - median);
    }
    java.util.Arrays.sort(deviations);
    double scale = Math.max(Math.abs(median), 1.4826 * middle(deviations));
    if (scale == 0 && fraction) {
      scale = FRACTION_SCALE;
    }
    int kept = 0;
    for (int i = 0; i < held; i++) {
      if (!(scale > 0) || !(Math.abs(values[i] - median) > ABSURD * scale)) {
        values[kept] = values[i];
        millis[kept] = millis[i];
        kept++;
      }
    }
    if (kept < held) {
      int droppedNow = dropped + held - kept;
      held = droppedNow >= HELD ? 0 : kept;
      dropped = (byte) (droppedNow >= HELD ? 0 : droppedNow);
      return;
    }
    heldValues = null;
    heldMillis = null;
    for (int i = 0; i < held; i++) {
      learnNow(Instant.ofEpochMilli(millis[i]), values[i]);
    }
    held = 0;
    dropped = 0;
  }

  private static double middle(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private void learnNow(Instant t, double x) {
    boolean outlier = robust.count() > 50 && robust.sigma() > 0
        && Math.abs(x - robust.median()) > OUTLIER_SIGMAS * robust.sigma();
    robust.update(x);
    daily.update(t, x);
    if (!outlier || ewma.count() < LatencyDetector.WARM_UP_SAMPLES) {
      ewma.update(x);
    }
  }

  /**
   * Offers {@code x} seen at {@code t}: learned if it is usual and no episode is under way (or one just settled),
   * or if the episode has stayed quiet for the relearn hold and {@code x} does not breach.
   *
   * @param unusual whether {@code x} is outside the detector's usual band (or breaches)
   * @param breach whether {@code x} breaches the detector's threshold
   * @param firing whether the detector is firing for this series
   * @return whether {@code x} was learned
   */
  boolean offer(Instant t, double x, boolean unusual, boolean breach, boolean firing) {
    double excursion = tail == null ? Double.NaN : tail.excursion(x, level(t));
    if (!episode && !unusual) {
      if (tail != null) {
        tail.record(t, x, excursion);
      }
      learn(t, x);
      return true;
    }
    if (!episode) {
      episode = true;
      episodeFired = false;
      quietSince = null;
    }
    if (firing) {
      quietSince = null;
      episodeFired = true;
    } else if (quietSince == null) {
      quietSince = t;
    }
    if (tail != null) {
      tail.hold(t, x, excursion);
    }
    if (unusual) {
      usualSince = null;
      if (!breach && quietSince != null && !Duration.between(quietSince, t).minus(relearnAfter).isNegative()) {
        learn(t, x);
        return true;
      }
      return false;
    }
    if (usualSince == null) {
      usualSince = t;
    }
    if (Duration.between(usualSince, t).minus(SETTLE).isNegative()) {
      return false;
    }
    episode = false;
    usualSince = null;
    quietSince = null;
    if (tail != null) {
      if (episodeFired) {
        tail.drop();
      } else {
        tail.commit();
      }
    }
    learn(t, x);
    return true;
  }

  /**
   * The value matching the largest excursion this series made over the last day outside incidents, at its expected
   * level at {@code t} (NaN when no tail is kept or nothing was recorded): a threshold at least this high does not
   * page on what the series routinely does.
   */
  double tailFloor(Instant t) {
    if (tail == null) {
      return Double.NaN;
    }
    double excursion = tail.floor(t);
    if (Double.isNaN(excursion)) {
      return Double.NaN;
    }
    double floor = tail.valueAt(level(t), excursion);
    return seasonal() ? floor : Math.max(floor, tail.largestValue(t));
  }

  /** Whether an unusual episode is under way (nothing is being learned). */
  boolean inEpisode() {
    return episode;
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

  /** How many readings were learned, and held back during the warm-up. */
  long count() {
    return ewma.count() + held;
  }

  boolean seasonal() {
    return daily.usable();
  }

  /** Writes the learned state (not alpha or the relearn hold, which the owner configures) for a snapshot. */
  void write(java.io.DataOutputStream out) throws java.io.IOException {
    ewma.write(out);
    robust.write(out);
    daily.write(out);
    out.writeBoolean(episode);
    StateCodec.writeInstant(out, usualSince);
    StateCodec.writeInstant(out, quietSince);
    out.writeBoolean(episodeFired);
    if (tail != null) {
      tail.write(out);
    }
    double[] values = heldValues;
    long[] millis = heldMillis;
    if (values == null || millis == null) {
      out.writeInt(-1); // the warm-up was released
      return;
    }
    out.writeInt(held);
    for (int i = 0; i < held; i++) {
      out.writeDouble(values[i]);
      out.writeLong(millis[i]);
    }
    out.writeByte(dropped);
  }

  /** Reads what {@link #write} wrote into this (fresh) instance. */
  void readInto(java.io.DataInputStream in) throws java.io.IOException {
    ewma.readInto(in);
    robust.readInto(in);
    daily.readInto(in);
    episode = in.readBoolean();
    usualSince = StateCodec.readInstant(in);
    quietSince = StateCodec.readInstant(in);
    episodeFired = in.readBoolean();
    if (tail != null) {
      tail.readInto(in);
    }
    int n = in.readInt();
    if (n < -1 || n >= HELD) {
      throw new java.io.IOException("a baseline holding " + n + " warm-up readings (at most " + (HELD - 1) + ")");
    }
    if (n == -1) {
      heldValues = null;
      heldMillis = null;
      held = 0;
      return;
    }
    heldValues = n == 0 ? NO_VALUES : new double[n];
    heldMillis = n == 0 ? NO_MILLIS : new long[n];
    for (int i = 0; i < n; i++) {
      heldValues[i] = in.readDouble();
      heldMillis[i] = in.readLong();
    }
    held = n;
    int d = in.readByte();
    if (d < 0 || d >= HELD) {
      throw new java.io.IOException("a baseline that dropped " + d + " absurd warm-up readings (at most " + (HELD - 1)
          + ")");
    }
    dropped = (byte) d;
  }
}
