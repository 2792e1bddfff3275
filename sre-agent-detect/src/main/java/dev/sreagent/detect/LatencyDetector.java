package dev.sreagent.detect;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import java.time.Duration;

/**
 * High latency: p99 above the learned baseline mean + {@code sigmas} standard deviations for {@code sustain}
 * (defaults 3 sigma, 2 minutes). The baseline is an exponentially weighted mean/variance that learns only from
 * non-breaching samples, after a warm-up. A relative floor (default +50% over the mean) keeps very steady series
 * from paging on tiny absolute changes.
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
    if (!(sigmas > 0)) {
      throw new IllegalArgumentException("sigmas must be > 0, but was " + sigmas);
    }
    if (!(minRelativeIncrease >= 0)) {
      throw new IllegalArgumentException("minRelativeIncrease must be >= 0, but was " + minRelativeIncrease);
    }
    this.sigmas = sigmas;
    this.minRelativeIncrease = minRelativeIncrease;
    this.alpha = 1.0 / 40;
  }

  static final class State extends ResourceState {
    final LearnedBaseline baseline;

    State(String service, String resource, double alpha) {
      super(service, resource);
      this.baseline = new LearnedBaseline(alpha);
    }
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
  Evaluation evaluate(State st, MetricSample sample) {
    return againstBaseline(st.baseline, sample,
        (b, t) -> Math.max(b.level(t) + sigmas * b.stddev(), b.level(t) * (1 + minRelativeIncrease)));
  }

  @Override
  Severity severityOf(State st, double value, double threshold) {
    return value > 5 * st.baseline.mean() ? Severity.SEV2 : Severity.SEV3;
  }

  @Override
  double scoreOf(double value, double threshold) {
    return clampUnit(0.5 + 0.5 * (value - threshold) / Math.max(threshold, 1e-9));
  }

  @Override
  String describe(State st, double value, double threshold) {
    return String.format("p99 latency of %s is %.0f ms, above its baseline %.0f ms (threshold %.0f ms)",
        st.service, value * 1000, st.baseline.mean() * 1000, threshold * 1000);
  }
}
