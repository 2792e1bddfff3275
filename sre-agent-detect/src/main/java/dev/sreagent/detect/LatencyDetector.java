package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * High latency: p99 above the learned baseline mean + {@code sigmas} standard deviations for {@code sustain}
 * (defaults 3 sigma, 2 minutes). The baseline is an exponentially weighted mean/variance that learns only usual
 * samples (within the sigma band), after a warm-up; a step that stays above the band is not learned while it lasts
 * (see {@link LearnedBaseline}). A relative floor (default +50% over the mean) keeps very steady series from paging
 * on tiny absolute changes, and a tail floor keeps spiky ones from paging on what they routinely do: the threshold is
 * at least the largest value the series reached in two different hours of the last 24 outside an incident (measured
 * as a ratio to its expected level when it has a daily cycle, so the quiet hours keep their own floor; a one-off spike
 * sets none; see {@link TailFloor}). A serverless function whose cold starts take 1 s pages when it is slower than
 * that, not on its next cold start; what only the floor excuses is never learned as normal.
 *
 * <p>Capacity loss: when the service's pods report CPU utilisation ({@link MetricNames#CPU_UTILIZATION}) and the
 * service its request rate ({@link MetricNames#REQUEST_RATE}), the detector follows what a request costs in CPU
 * (utilisation summed over the pods, per request per second). When the utilisation and that cost have both risen
 * past the same relative floor over their own learned levels (and past their own sigma bands), the latency rise is
 * not a tiny change but a capacity change - each request takes more of what the pods have, and they have less to
 * spare - and the latency's relative floor is waived: the sigma rule alone decides. More traffic raises the
 * utilisation but not the cost, so a surge still needs the floor; once scaled out, the utilisation is back near its
 * level and the floor applies again. Without CPU metrics (or a request rate) the floor always applies. The tail
 * floor is waived with it.
 */
public final class LatencyDetector extends RuleDetector<LatencyDetector.State> {
  /** Default number of standard deviations. */
  public static final double DEFAULT_SIGMAS = 3.0;
  /** Default sustain window. */
  public static final Duration DEFAULT_SUSTAIN = Duration.ofMinutes(2);
  /** Default minimum relative increase over the mean. */
  public static final double DEFAULT_MIN_RELATIVE_INCREASE = 0.5;
  /** Samples needed before the baseline is trusted. */
  public static final int WARM_UP_SAMPLES = 20;

  private final double sigmas;
  private final double minRelativeIncrease;
  private final double alpha;

  /** With the defaults. */
  public LatencyDetector() {
    this(DEFAULT_SIGMAS, DEFAULT_SUSTAIN, DEFAULT_MIN_RELATIVE_INCREASE);
  }

  /** With custom settings. */
  public LatencyDetector(double sigmas, Duration sustain, double minRelativeIncrease) {
    super(MetricNames.LATENCY_P99, sustain, Duration.ofMinutes(1), MAX_SERVICES);
    this.sigmas = Require.positive(sigmas, "sigmas");
    this.minRelativeIncrease = Require.atLeast(minRelativeIncrease, 0, "minRelativeIncrease");
    this.alpha = 1.0 / 40;
  }

  static final class State extends ResourceState {
    final LearnedBaseline baseline;
    final Utilisation utilisation;
    /** Whether the last evaluation waived the relative floor because CPU utilisation rose too. */
    boolean saturating;

    State(String service, String resource, double alpha) {
      super(service, resource);
      this.baseline = new LearnedBaseline(alpha, TailFloor.Form.RATIO);
      this.utilisation = new Utilisation(alpha);
    }
  }

  /**
   * CPU of one service: the utilisation of its pods (their mean at each sample time) and what a request costs (the
   * utilisation summed over the pods, per request per second), each judged against its own learned level. More
   * traffic raises the utilisation but not the cost; a capacity loss (CPU throttling, a noisy neighbour, slower
   * code) raises both; scaling out lowers the utilisation again but not the cost. Without a recent request rate
   * nothing is judged.
   */
  static final class Utilisation {
    private final LearnedBaseline utilisation;
    private final LearnedBaseline perRequest;
    private @Nullable Instant pendingAt;
    private double pendingSum;
    private int pendingCount;
    private @Nullable Instant rateAt;
    private double rate = Double.NaN;
    private @Nullable Instant currentAt;
    private double current = Double.NaN;
    private double utilisationLevel = Double.NaN;
    private double costRatio = Double.NaN;
    private boolean elevated;

    Utilisation(double alpha) {
      this.utilisation = new LearnedBaseline(alpha);
      this.perRequest = new LearnedBaseline(alpha);
    }

    /** The service's request rate at {@code t}. */
    void addRate(Instant t, double value) {
      if (rateAt == null || t.isAfter(rateAt)) {
        rateAt = t;
        rate = value;
      }
    }

    /** Adds one pod's sample; the pods of one sample time are summed once a later time arrives. */
    void add(Instant t, double value, double sigmas, double minRelativeIncrease, boolean firing) {
      if (pendingAt != null && t.isAfter(pendingAt)) {
        flush(sigmas, minRelativeIncrease, firing);
      }
      if (pendingAt == null && (currentAt == null || t.isAfter(currentAt))) {
        pendingAt = t;
      }
      if (t.equals(pendingAt)) {
        pendingSum += value;
        pendingCount++;
      }
    }

    private void flush(double sigmas, double minRelativeIncrease, boolean firing) {
      Instant t = java.util.Objects.requireNonNull(pendingAt);
      double sum = pendingSum;
      current = sum / pendingCount;
      currentAt = t;
      pendingAt = null;
      pendingSum = 0;
      pendingCount = 0;
      elevated = false;
      if (rateAt == null || !(rate > 0) || Duration.between(rateAt, t).abs().compareTo(STALE_AFTER) > 0) {
        return;
      }
      double cost = sum / rate;
      // each learns until its own warm-up is complete (one that left out an absurd reading holds on, the other waits)
      boolean utilisationWarming = utilisation.count() < WARM_UP_SAMPLES;
      boolean costWarming = perRequest.count() < WARM_UP_SAMPLES;
      if (utilisationWarming) {
        utilisation.learn(t, current);
      }
      if (costWarming) {
        perRequest.learn(t, cost);
      }
      if (utilisationWarming || costWarming) {
        return;
      }
      utilisationLevel = utilisation.level(t);
      costRatio = cost / perRequest.level(t);
      boolean busier = above(utilisation, t, current, sigmas, minRelativeIncrease, firing);
      boolean costlier = above(perRequest, t, cost, sigmas, minRelativeIncrease, firing);
      elevated = busier && costlier;
    }

    /**
     * Whether {@code x} is past both the sigma band and the relative floor of {@code b}; offers it to {@code b}
     * (not an alert of its own: a new level is learned after the hold like any other, unless the latency fires).
     */
    private static boolean above(LearnedBaseline b, Instant t, double x, double sigmas, double minRelativeIncrease,
        boolean firing) {
      double level = b.level(t);
      double band = level + sigmas * b.stddev();
      b.offer(t, x, x > band, false, firing);
      return x > Math.max(band, level * (1 + minRelativeIncrease));
    }

    void write(java.io.DataOutputStream out) throws java.io.IOException {
      utilisation.write(out);
      perRequest.write(out);
      StateCodec.writeInstant(out, pendingAt);
      out.writeDouble(pendingSum);
      out.writeInt(pendingCount);
      StateCodec.writeInstant(out, rateAt);
      out.writeDouble(rate);
      StateCodec.writeInstant(out, currentAt);
      out.writeDouble(current);
      out.writeDouble(utilisationLevel);
      out.writeDouble(costRatio);
      out.writeBoolean(elevated);
    }

    void readInto(java.io.DataInputStream in) throws java.io.IOException {
      utilisation.readInto(in);
      perRequest.readInto(in);
      pendingAt = StateCodec.readInstant(in);
      pendingSum = in.readDouble();
      pendingCount = in.readInt();
      rateAt = StateCodec.readInstant(in);
      rate = in.readDouble();
      currentAt = StateCodec.readInstant(in);
      current = in.readDouble();
      utilisationLevel = in.readDouble();
      costRatio = in.readDouble();
      elevated = in.readBoolean();
    }

    /** Whether the CPU cost per request, last known within {@link RuleDetector#STALE_AFTER} of {@code t}, is up. */
    boolean elevatedAt(Instant t) {
      return elevated && currentAt != null && !currentAt.plus(STALE_AFTER).isBefore(t);
    }

    /** Mean CPU utilisation of the pods at the last sample time. */
    double current() {
      return current;
    }

    /** The learned level of the utilisation at the last sample time. */
    double utilisationLevel() {
      return utilisationLevel;
    }

    /** The last CPU cost per request over its learned level. */
    double costRatio() {
      return costRatio;
    }
  }

  /** A negative latency is junk (an exporter's -1 for "no data"), ignored before it touches any state, like NaN. */
  @Override
  boolean plausible(double value) {
    return value >= 0;
  }

  @Override
  public String name() {
    return "latency";
  }

  @Override
  public IncidentType type() {
    return IncidentType.HIGH_LATENCY;
  }

  @Override
  String resourceOf(MetricSample s) {
    return s.service();
  }

  @Override
  State newState(String service, String resource) {
    return new State(service, resource, alpha);
  }

  @Override
  List<Anomaly> observeOther(Signal signal) {
    if (signal instanceof MetricSample m && Double.isFinite(m.value())
        && (m.name().equals(MetricNames.CPU_UTILIZATION) || m.name().equals(MetricNames.REQUEST_RATE))) {
      State st = state(m.service());
      if (st == null) {
        return List.of();
      }
      if (m.name().equals(MetricNames.REQUEST_RATE)) {
        st.utilisation.addRate(m.timestamp(), m.value());
      } else {
        st.utilisation.add(m.timestamp(), m.value(), sigmas, minRelativeIncrease, st.firing);
      }
    }
    return List.of();
  }

  @Override
  void writeState(State st, java.io.DataOutputStream out) throws java.io.IOException {
    st.baseline.write(out);
    st.utilisation.write(out);
    out.writeBoolean(st.saturating);
  }

  @Override
  void readState(State st, java.io.DataInputStream in) throws java.io.IOException {
    st.baseline.readInto(in);
    st.utilisation.readInto(in);
    st.saturating = in.readBoolean();
  }

  @Override
  Evaluation evaluate(State st, MetricSample sample) {
    boolean saturating = st.utilisation.elevatedAt(sample.timestamp());
    st.saturating = saturating;
    return againstBaseline(st.baseline, sample, st.firing, (b, t) -> b.level(t) + sigmas * b.stddev(),
        (b, t) -> saturating ? b.level(t) + sigmas * b.stddev()
            : Math.max(b.level(t) + sigmas * b.stddev(), b.level(t) * (1 + minRelativeIncrease)), !saturating);
  }

  @Override
  Severity severityOf(State st, double value, double threshold) {
    return severity(value, st.baseline);
  }

  /** A latency five times its learned mean or more is SEV2, else SEV3 (also for a call edge's latency). */
  static Severity severity(double value, LearnedBaseline baseline) {
    return value > 5 * baseline.mean() ? Severity.SEV2 : Severity.SEV3;
  }

  @Override
  double scoreOf(double value, double threshold) {
    return score(value, threshold);
  }

  /** How far over its threshold a latency is: 0.5 at the threshold, 1 at twice it or more. */
  static double score(double value, double threshold) {
    return clampUnit(0.5 + 0.5 * (value - threshold) / Math.max(threshold, 1e-9));
  }

  @Override
  String describe(State st, double value, double threshold) {
    String base = String.format("p99 latency of %s is %.0f ms, above its baseline %.0f ms (threshold %.0f ms)",
        st.service, value * 1000, st.baseline.mean() * 1000, threshold * 1000);
    if (!st.saturating) {
      return base;
    }
    return base + String.format(", while its CPU utilisation rose to %.0f%% from %.0f%% with each request costing"
        + " x%.1f the CPU", st.utilisation.current() * 100, st.utilisation.utilisationLevel() * 100,
        st.utilisation.costRatio());
  }
}
