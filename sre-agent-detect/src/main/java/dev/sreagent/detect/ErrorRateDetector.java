package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import java.time.Duration;

/**
 * Error-rate spike: the error ratio above {@code factor} times its learned baseline (default 3x, a rise of more
 * than 200%) and above an absolute floor (default 2%, so that 0.1% to 0.3% does not page), for {@code sustain}
 * (default 2 minutes). SEV2 when at least 25% of requests fail. The baseline learns only ratios within 3 sigma of
 * it: a rise that stays under the threshold is not learned while it lasts (see {@link LearnedBaseline}). The
 * threshold is also at least the highest ratio the series reached in two different hours of the last 24 outside an
 * incident (its excess over the expected level; see {@link TailFloor}): a function called four times in five minutes
 * that now and then fails all four without an incident does not page the next time it does. The price: such a series
 * is not paged for failing completely until its last full failures are a day old (then it is: what only the floor
 * excuses is never learned as normal). A one-off full failure sets no floor.
 */
public final class ErrorRateDetector extends BaselineRuleDetector {
  /** Default multiple of the baseline. */
  public static final double DEFAULT_FACTOR = 3.0;
  /** Default absolute floor. */
  public static final double DEFAULT_MIN_RATIO = 0.02;
  /** Default sustain window. */
  public static final Duration DEFAULT_SUSTAIN = Duration.ofMinutes(2);
  /** Error ratio at which the anomaly is SEV2. */
  public static final double SEV2_RATIO = 0.25;

  private final double factor;
  private final double minRatio;

  /** With the defaults. */
  public ErrorRateDetector() {
    this(DEFAULT_FACTOR, DEFAULT_MIN_RATIO, DEFAULT_SUSTAIN);
  }

  /** With custom settings. */
  public ErrorRateDetector(double factor, double minRatio, Duration sustain) {
    super(MetricNames.ERROR_RATIO, sustain, Duration.ofMinutes(1), MAX_SERVICES);
    this.factor = Require.greaterThan(factor, 1, "factor");
    this.minRatio = Require.withinClosedOpen(minRatio, 0, 1, "minRatio");
  }

  /** A negative error ratio is junk (an exporter's -1 for "no data"), ignored before it touches any state, like NaN. */
  @Override
  boolean plausible(double value) {
    return value >= 0;
  }

  @Override
  public String name() {
    return "error-rate";
  }

  @Override
  public IncidentType type() {
    return IncidentType.ERROR_RATE_SPIKE;
  }

  @Override
  String resourceOf(MetricSample s) {
    return s.service();
  }

  @Override
  Evaluation evaluate(BaselineState st, MetricSample sample) {
    return againstOwnBaseline(st, sample, (b, t) -> Math.max(factor * b.level(t), minRatio));
  }

  @Override
  Severity severityOf(BaselineState st, double value, double threshold) {
    return value >= SEV2_RATIO ? Severity.SEV2 : Severity.SEV3;
  }

  @Override
  double scoreOf(double value, double threshold) {
    return clampUnit(0.5 + 0.5 * (value - threshold) / Math.max(1 - threshold, 1e-9));
  }

  @Override
  String describe(BaselineState st, double value, double threshold) {
    return String.format("error rate of %s is %.1f%%, baseline %.2f%% (threshold %.1f%%)", st.service,
        value * 100, st.baseline.mean() * 100, threshold * 100);
  }
}
