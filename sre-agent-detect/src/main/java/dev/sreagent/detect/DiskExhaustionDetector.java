package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import java.time.Duration;

/**
 * Disk exhaustion: usage above {@code threshold} (default 80%) and a linear trend over the recent window that
 * reaches 100% within {@code horizon} (default 24 hours). The anomaly's service is the {@code service.name} of the
 * filesystem sample (the workload whose logs live there); its resource is {@code host:mountpoint}.
 */
public final class DiskExhaustionDetector extends RuleDetector<DiskExhaustionDetector.State> {
  /** Default usage threshold. */
  public static final double DEFAULT_THRESHOLD = 0.80;
  /** Default projection horizon. */
  public static final Duration DEFAULT_HORIZON = Duration.ofHours(24);
  /** Samples in the trend window. */
  public static final int TREND_WINDOW = 120;

  private final double threshold;
  private final Duration horizon;

  /** With the defaults. */
  public DiskExhaustionDetector() {
    this(DEFAULT_THRESHOLD, DEFAULT_HORIZON);
  }

  /** With custom settings. */
  public DiskExhaustionDetector(double threshold, Duration horizon) {
    super(MetricNames.DISK_UTILIZATION, Duration.ofMinutes(1), Duration.ofMinutes(1), MAX_RESOURCES);
    this.threshold = Require.withinOpen(threshold, 0, 1, "threshold");
    this.horizon = Require.positive(horizon, "horizon");
  }

  static final class State extends ResourceState {
    final SlidingTrend trend = new SlidingTrend(TREND_WINDOW);
    double secondsToFull = Double.POSITIVE_INFINITY;

    State(String service, String resource) {
      super(service, resource);
    }
  }

  @Override
  public String name() {
    return "disk-exhaustion";
  }

  @Override
  public IncidentType type() {
    return IncidentType.DISK_EXHAUSTION;
  }

  @Override
  String resourceOf(MetricSample s) {
    String host = s.attribute(Attributes.HOST_NAME);
    String mount = s.attribute(Attributes.FILESYSTEM_PATH);
    return (host == null ? s.service() : host) + ":" + (mount == null ? "/" : mount);
  }

  @Override
  State newState(String service, String resource) {
    return new State(service, resource);
  }

  @Override
  void writeState(State st, java.io.DataOutputStream out) throws java.io.IOException {
    st.trend.write(out);
    out.writeDouble(st.secondsToFull);
  }

  @Override
  void readState(State st, java.io.DataInputStream in) throws java.io.IOException {
    st.trend.readInto(in);
    st.secondsToFull = in.readDouble();
  }

  @Override
  Evaluation evaluate(State st, MetricSample sample) {
    double v = sample.value();
    st.trend.add(sample.timestamp(), v);
    st.secondsToFull = st.trend.secondsToReach(1.0, v);
    boolean breach = v > threshold && st.trend.size() >= 5 && st.secondsToFull <= horizon.toSeconds();
    return new Evaluation(breach, threshold);
  }

  @Override
  Severity severityOf(State st, double value, double t) {
    return st.secondsToFull < 3600 ? Severity.SEV2 : Severity.SEV3;
  }

  @Override
  double scoreOf(double value, double t) {
    return clampUnit(0.5 + (value - t) / (2 * (1 - t)));
  }

  @Override
  String describe(State st, double value, double t) {
    return String.format("disk %s (logs of %s) is %.0f%% full and projected full in %.1f h", st.resource,
        st.service, value * 100, st.secondsToFull / 3600);
  }
}
