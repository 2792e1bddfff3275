package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.state.BoundedKeyedState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.BiPredicate;
import org.jspecify.annotations.Nullable;

/**
 * Shared machinery of the rule detectors: one state per resource, a sustain window before firing, hysteresis before
 * clearing, and expiry of resources that stopped reporting (a restarted pod's old name): a resource is forgotten
 * when it has been silent, by the detector's latest sample time, for {@link #STALE_AFTER} or for
 * {@value #STALE_GAPS} of its own sampling intervals, whichever is longer (so 1- and 5-minute data keep their
 * baselines; a resource seen once is judged by the interval last seen on any resource). At most {@code maxResources} are kept
 * ({@link BoundedKeyedState}: a resource seen once makes way first, so a burst of one-off pods never displaces the
 * state of resources that report regularly; evictions are counted in {@link #evictedStates()}). Non-finite,
 * implausible (see {@link #plausible}), out-of-order and duplicate samples are counted ({@link #rejectedSamples()},
 * the last one described by {@link #lastRejection()}) and ignored; they never reach a baseline.
 *
 * @param <S> per-resource state
 */
abstract class RuleDetector<S extends RuleDetector.ResourceState> implements Detector {
  /** How long a resource may stay silent before it is forgotten, at least. */
  static final Duration STALE_AFTER = Duration.ofMinutes(3);
  /** A resource is not forgotten before it missed this many of its own samples (two scrapes lost are not a gone pod). */
  static final int STALE_GAPS = 3;
  /** A breach fires only once it spans at least this many of the resource's own samples. */
  static final int SUSTAIN_SAMPLES = 3;
  /** The longest sampling interval that stretches the stale period (a day-long gap is an outage, not a pace). */
  static final Duration MAX_GAP = Duration.ofHours(1);
  private static final long MAX_GAP_MILLIS = MAX_GAP.toMillis();
  private static final long STALE_AFTER_MILLIS = STALE_AFTER.toMillis();
  /** Resources kept at most by detectors of pods, volumes and certificates: a cluster's worth. */
  static final int MAX_RESOURCES = 200_000;
  /** Resources kept at most by detectors whose resource is a service (their baselines are larger). */
  static final int MAX_SERVICES = 20_000;
  /** How often (in sample time) stale resources are dropped from the idle end: O(1) per resource dropped. */
  private static final Duration EXPIRE_EVERY = Duration.ofSeconds(15);
  /** A full sweep for stale states that use order did not bring to the idle end (late samples). */
  private static final int PURGE_EVERY = 4096;

  private final String metric;
  private final Duration sustain;
  private final Duration clearAfter;
  private BoundedKeyedState<String, S> states;
  private final BiPredicate<String, S> stale = (resource, st) -> isStale(st);
  private @Nullable Instant latest;
  private @Nullable Instant nextExpiry;
  /** The sampling interval last seen on any resource, in milliseconds (0 until one resource sent two samples). */
  private long lastGapMillis;
  private long observed;
  private long rejectedNonFinite;
  /** Not in snapshots (format 3 predates it): counted since this detector was created or last restored. */
  private long rejectedImplausible;
  private long rejectedOutOfOrder;
  private long rejectedDuplicate;
  private @Nullable MetricSample lastRejected;
  private @Nullable Rejection lastRejectedWhy;

  RuleDetector(String metric, Duration sustain, Duration clearAfter, int maxResources) {
    this.metric = Objects.requireNonNull(metric, "metric");
    this.sustain = Require.notNegative(sustain, "sustain");
    this.clearAfter = Require.notNegative(clearAfter, "clearAfter");
    this.states = new BoundedKeyedState<>(Require.atLeast(maxResources, 1, "maxResources"));
  }

  /** Per-resource state; subclasses add their baselines. */
  static class ResourceState {
    final String service;
    final String resource;
    @Nullable Instant lastSeen;
    /** The interval between this resource's last two samples, in milliseconds, at most {@link #MAX_GAP} (0 = one sample). */
    long gapMillis;
    @Nullable Instant breachSince;
    @Nullable Instant okSince;
    boolean firing;

    ResourceState(String service, String resource) {
      this.service = service;
      this.resource = resource;
    }
  }

  /**
   * A resource's state with one learned baseline and its tail floor (the error-rate and CPU detectors). Both series
   * are fractions: in a warm-up of zeros (a healthy service's error ratio) a reading over 125% is absurd (see
   * {@link LearnedBaseline#FRACTION_SCALE}; the CPU detector already ignores such readings as implausible).
   */
  static class BaselineState extends ResourceState {
    final LearnedBaseline baseline = new LearnedBaseline(1.0 / 40, TailFloor.Form.EXCESS, true);

    BaselineState(String service, String resource) {
      super(service, resource);
    }
  }

  /** The outcome of evaluating one sample against a resource's state. */
  record Evaluation(boolean breach, double threshold) {}

  abstract String resourceOf(MetricSample sample);

  /** The service a new resource's state (and its anomalies) belongs to: the sample's service by default. */
  String serviceOf(MetricSample sample) {
    return sample.service();
  }

  /** Whether a sample of this detector's metric is one it judges at all (a call-edge series, say); all by default. */
  boolean accepts(MetricSample sample) {
    return true;
  }

  abstract S newState(String service, String resource);

  /** Whether the sample breaches; subclasses may update baselines here (only with non-breaching values). */
  abstract Evaluation evaluate(S state, MetricSample sample);

  abstract Severity severityOf(S state, double value, double threshold);

  abstract double scoreOf(double value, double threshold);

  abstract String describe(S state, double value, double threshold);

  /**
   * Whether a finite value can be a reading of this detector's metric at all; one that cannot is ignored before it
   * touches any state, counted ({@link #rejectedImplausible()}), and the first one is logged at INFO with its series
   * and {@link #implausibleBecause}. Every finite value by default.
   */
  boolean plausible(double value) {
    return true;
  }

  /** Why {@code value} is not a reading of this metric, for {@link #lastRejection()}. */
  String implausibleBecause(double value) {
    return value < 0 ? "negative: an exporter's -1 for 'no data'?" : "not a possible reading";
  }

  private enum Rejection { NON_FINITE, IMPLAUSIBLE, OUT_OF_ORDER, DUPLICATE }

  /** The last sample ignored, kept as fields (no string built per rejection). */
  private void rejected(MetricSample sample, Rejection why) {
    lastRejected = sample;
    lastRejectedWhy = why;
  }

  /** Hook for non-metric signals (events). */
  List<Anomaly> observeOther(Signal signal) {
    return List.of();
  }

  @Override
  public final List<Anomaly> observe(Signal signal) {
    if (!(signal instanceof MetricSample sample) || !sample.name().equals(metric)) {
      return observeOther(signal);
    }
    if (!accepts(sample)) {
      return List.of();
    }
    double value = sample.value();
    if (!Double.isFinite(value)) {
      rejectedNonFinite++;
      rejected(sample, Rejection.NON_FINITE);
      return List.of();
    }
    if (!plausible(value)) {
      rejectedImplausible++;
      rejected(sample, Rejection.IMPLAUSIBLE);
      return List.of();
    }
    Instant ts = sample.timestamp();
    String resource = resourceOf(sample);
    if (latest == null || ts.isAfter(latest)) {
      latest = ts;
      if (nextExpiry == null || !ts.isBefore(nextExpiry)) {
        nextExpiry = ts.plus(EXPIRE_EVERY);
        // the first sample of a new round tells the pace before the round's silent resources are judged by it
        S seen = states.peek(resource);
        if (seen != null && seen.lastSeen != null && ts.isAfter(seen.lastSeen)) {
          lastGapMillis = Math.min(ts.toEpochMilli() - seen.lastSeen.toEpochMilli(), MAX_GAP_MILLIS);
        }
        states.expire(stale);
      }
    }
    if (++observed % PURGE_EVERY == 0) {
      states.removeIf(stale);
    }
    S st = states.computeIfAbsent(resource, r -> newState(serviceOf(sample), r));
    if (st.lastSeen != null && !ts.isAfter(st.lastSeen)) {
      if (ts.equals(st.lastSeen)) {
        rejectedDuplicate++;
        rejected(sample, Rejection.DUPLICATE);
      } else {
        rejectedOutOfOrder++;
        rejected(sample, Rejection.OUT_OF_ORDER);
      }
      return List.of();
    }
    if (st.lastSeen != null) {
      st.gapMillis = Math.min(ts.toEpochMilli() - st.lastSeen.toEpochMilli(), MAX_GAP_MILLIS);
      lastGapMillis = st.gapMillis;
    }
    st.lastSeen = ts;
    Evaluation e = evaluate(st, sample);
    if (e.breach()) {
      st.okSince = null;
      if (st.breachSince == null) {
        st.breachSince = ts;
      }
      if (!st.firing && Duration.between(st.breachSince, ts).toMillis() >= sustainMillis(st)) {
        st.firing = true;
        return List.of(new Anomaly(type(), st.service, st.resource, metric, value, e.threshold(),
            scoreOf(value, e.threshold()), severityOf(st, value, e.threshold()), st.breachSince, ts,
            describe(st, value, e.threshold())));
      }
    } else {
      st.breachSince = null;
      if (st.firing) {
        if (st.okSince == null) {
          st.okSince = ts;
        }
        if (!Duration.between(st.okSince, ts).minus(clearAfter).isNegative()) {
          st.firing = false;
          st.okSince = null;
        }
      }
    }
    return List.of();
  }

  @Override
  public boolean isFiring(String service) {
    for (S st : states.values()) {
      if (st.firing && st.service.equals(service) && !isStale(st)) {
        return true;
      }
    }
    return false;
  }

  /**
   * How long a breach must last to fire: the detector's sustain, but (when it has one) at least
   * {@link #SUSTAIN_SAMPLES} samples at the resource's own pace (with 5-minute data a 2-minute sustain would fire on two samples in a row, which a
   * cold start or a periodic job's one bad sample straddling two scrapes does every day; 1-minute data already
   * needs three).
   */
  private long sustainMillis(ResourceState st) {
    long millis = sustain.toMillis();
    return millis == 0 ? 0 : Math.max(millis, (SUSTAIN_SAMPLES - 1) * st.gapMillis);
  }

  private boolean isStale(ResourceState st) {
    if (latest == null || st.lastSeen == null) {
      return false;
    }
    long gap = st.gapMillis > 0 ? st.gapMillis : lastGapMillis;
    long silentFor = latest.toEpochMilli() - st.lastSeen.toEpochMilli();
    return silentFor > Math.max(STALE_AFTER_MILLIS, STALE_GAPS * gap);
  }

  /** The format version of {@link #snapshot()}; a snapshot of another version is refused by {@link #restore}. */
  static final int SNAPSHOT_VERSION = 3;

  /** Writes what a subclass adds to a resource's state (its baselines, windows); nothing by default. */
  void writeState(S state, java.io.DataOutputStream out) throws java.io.IOException {
  }

  /** Reads what {@link #writeState} wrote into a fresh state from {@link #newState}. */
  void readState(S state, java.io.DataInputStream in) throws java.io.IOException {
  }

  /**
   * Every resource's state (firing flags, sustain and hysteresis clocks, sampling intervals, baselines and trend windows, the order in
   * which the resources were used, which decides evictions and expiry) and the detector's counters, bit for bit: a
   * detector restored from it answers the next samples exactly as this one would. About 1.5 KB per service for the
   * error rate and 3.6 KB for latency (baselines of 24 hourly buckets: one, or three with the CPU ones, and the tail
   * floor's 24 hourly maxima), the error rate's per pod for CPU saturation, about 0.6 KB
   * per pod for memory and 2 KB per volume for disk (their trend windows); bounded by the cap on resources.
   */
  @Override
  public java.util.Optional<byte[]> snapshot() {
    return java.util.Optional.of(StateCodec.write(name(), SNAPSHOT_VERSION, out -> {
      StateCodec.writeInstant(out, latest);
      StateCodec.writeInstant(out, nextExpiry);
      out.writeLong(observed);
      out.writeLong(rejectedNonFinite);
      out.writeLong(rejectedOutOfOrder);
      out.writeLong(rejectedDuplicate);
      out.writeLong(lastGapMillis);
      out.writeInt(states.size());
      java.io.IOException[] failed = new java.io.IOException[1];
      states.forEach((resource, st) -> {
        if (failed[0] != null) {
          return;
        }
        try {
          StateCodec.writeString(out, resource);
          out.writeBoolean(states.isProtected(resource));
          StateCodec.writeString(out, st.service);
          StateCodec.writeInstant(out, st.lastSeen);
          StateCodec.writeInstant(out, st.breachSince);
          StateCodec.writeInstant(out, st.okSince);
          out.writeBoolean(st.firing);
          out.writeLong(st.gapMillis);
          writeState(st, out);
        } catch (java.io.IOException e) {
          failed[0] = e;
        }
      });
      if (failed[0] != null) {
        throw failed[0];
      }
    }));
  }

  /**
   * Replaces the learned state with a {@link #snapshot()} of a detector of the same name and format version; all or
   * nothing: a snapshot that does not read leaves this detector as it was.
   *
   * @throws IllegalArgumentException naming why the snapshot cannot be restored
   */
  @Override
  public void restore(byte[] state) {
    int capacity = states.capacity();
    StateCodec.read(state, name(), SNAPSHOT_VERSION, in -> {
      Instant readLatest = StateCodec.readInstant(in);
      Instant readNextExpiry = StateCodec.readInstant(in);
      long readObserved = in.readLong();
      long nonFinite = in.readLong();
      long outOfOrder = in.readLong();
      long duplicate = in.readLong();
      long readLastGap = in.readLong();
      int n = StateCodec.readCount(in, Integer.MAX_VALUE);
      if (n > capacity) {
        throw new IllegalArgumentException("the snapshot of detector " + name() + " holds " + n + " resources, more"
            + " than the " + capacity + " this detector keeps; it starts cold");
      }
      BoundedKeyedState<String, S> restored = new BoundedKeyedState<>(capacity);
      for (int i = 0; i < n; i++) {
        String resource = StateCodec.readString(in);
        boolean isProtected = in.readBoolean();
        S st = newState(StateCodec.readString(in), resource);
        st.lastSeen = StateCodec.readInstant(in);
        st.breachSince = StateCodec.readInstant(in);
        st.okSince = StateCodec.readInstant(in);
        st.firing = in.readBoolean();
        st.gapMillis = in.readLong();
        readState(st, in);
        restored.restore(resource, st, isProtected);
      }
      this.latest = readLatest;
      this.nextExpiry = readNextExpiry;
      this.observed = readObserved;
      this.rejectedNonFinite = nonFinite;
      this.rejectedOutOfOrder = outOfOrder;
      this.rejectedDuplicate = duplicate;
      this.rejectedImplausible = 0;  // not in the snapshot: counted from the restore on
      this.lastRejected = null;
      this.lastRejectedWhy = null;
      this.lastGapMillis = readLastGap;
      this.states = restored;
      return restored;
    });
  }

  /** Samples ignored because their value was NaN or infinite. */
  public long rejectedNonFinite() {
    return rejectedNonFinite;
  }

  /**
   * Samples ignored because their value cannot be a reading of this metric (a negative latency or error ratio, a CPU
   * utilisation far above the limit: see each detector's {@code plausible} rule). A series whose exporter sends only
   * such values is silent: this count, and the INFO line logged at the first one, say why. Counted since the
   * detector was created or restored (snapshots do not carry it).
   */
  public long rejectedImplausible() {
    return rejectedImplausible;
  }

  /**
   * Every sample of this detector's metric it ignored: non-finite, implausible, out of order or a duplicate
   * timestamp (the sum of the four {@code rejected...} counts).
   */
  @Override
  public long rejectedSamples() {
    return rejectedNonFinite + rejectedImplausible + rejectedOutOfOrder + rejectedDuplicate;
  }

  @Override
  public java.util.Optional<String> lastRejection() {
    MetricSample r = lastRejected;
    Rejection why = lastRejectedWhy;
    if (r == null || why == null) {
      return java.util.Optional.empty();
    }
    String reason = switch (why) {
      case NON_FINITE -> "not a finite number";
      case IMPLAUSIBLE -> implausibleBecause(r.value());
      case OUT_OF_ORDER -> "older than the series' last sample";
      case DUPLICATE -> "the series already had a sample at that time";
    };
    return java.util.Optional.of(metric + " of " + r.service() + " = " + r.value() + " at " + r.timestamp() + ": "
        + reason);
  }

  /** Samples ignored because they were older than the resource's last sample (late or out of order). */
  public long rejectedOutOfOrder() {
    return rejectedOutOfOrder;
  }

  /** Samples ignored because the resource already had a sample with the same timestamp. */
  public long rejectedDuplicate() {
    return rejectedDuplicate;
  }

  /** Resources currently tracked. */
  public int trackedResources() {
    return states.size();
  }

  /** Resources dropped to make room for new ones because {@code maxResources} were tracked. */
  @Override
  public long evictedStates() {
    return states.evictions();
  }

  /**
   * The shared baseline rule: during warm-up learn and never breach; afterwards breach above
   * {@code threshold(baseline, time)}, and offer the sample to the baseline as usual only when it is within
   * {@code band(baseline, time)} (capped at the threshold), so that neither an incident nor a step under the
   * threshold that persists becomes normal (see {@link LearnedBaseline#offer}).
   *
   * @param firing whether the detector is firing for this series
   */
  static Evaluation againstBaseline(LearnedBaseline baseline, MetricSample sample, boolean firing,
      java.util.function.ToDoubleBiFunction<LearnedBaseline, Instant> band,
      java.util.function.ToDoubleBiFunction<LearnedBaseline, Instant> threshold) {
    return againstBaseline(baseline, sample, firing, band, threshold, false);
  }

  /**
   * As above; with {@code tailFloor} the threshold is also at least the baseline's {@link LearnedBaseline#tailFloor}.
   * A value that only the tail floor keeps from breaching is not a breach, but it is never learned either, not even
   * after the relearn hold: the floor excuses what the series routinely does, it does not make a lasting rise normal
   * (a total outage that starts under a full error floor pages once that floor has aged out).
   */
  static Evaluation againstBaseline(LearnedBaseline baseline, MetricSample sample, boolean firing,
      java.util.function.ToDoubleBiFunction<LearnedBaseline, Instant> band,
      java.util.function.ToDoubleBiFunction<LearnedBaseline, Instant> threshold, boolean tailFloor) {
    double value = sample.value();
    if (baseline.count() < LatencyDetector.WARM_UP_SAMPLES) {
      baseline.learn(sample.timestamp(), value);
      return new Evaluation(false, Double.MAX_VALUE);
    }
    double own = threshold.applyAsDouble(baseline, sample.timestamp());
    double floor = tailFloor ? baseline.tailFloor(sample.timestamp()) : Double.NaN;
    double t = Double.isNaN(floor) ? own : Math.max(own, floor);
    double usualUpTo = Math.min(own, band.applyAsDouble(baseline, sample.timestamp()));
    baseline.offer(sample.timestamp(), value, value > usualUpTo, value > own, firing);
    return new Evaluation(value > t, t);
  }

  /** The state of {@code resource}, or null when it is not tracked. */
  @Nullable S state(String resource) {
    return states.get(resource);
  }

  static double clampUnit(double v) {
    return Math.max(0.0, Math.min(1.0, v));
  }
}
