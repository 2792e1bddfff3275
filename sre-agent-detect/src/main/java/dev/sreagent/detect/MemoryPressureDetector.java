package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Signal;
import java.time.Duration;
import java.util.List;

/**
 * OOM-kill risk: a pod's memory above {@code threshold} of its limit for {@code sustain} (defaults 85%, 5 minutes),
 * or an OOMKilled event — or, predictively, memory above 70% whose least-squares trend over the last 30 samples
 * reaches the limit within {@link #FORECAST_HORIZON} (30 minutes), for the same sustain window: a leak is caught
 * before it crosses the threshold.
 */
public final class MemoryPressureDetector extends RuleDetector<MemoryPressureDetector.State> {
  /** How soon a projected OOM must be to count. */
  public static final Duration FORECAST_HORIZON = Duration.ofMinutes(30);
  /** Memory below this never counts as a forecast breach. */
  public static final double FORECAST_FLOOR = 0.70;
  private static final int TREND_POINTS = 30;
  /** Default fraction of the memory limit. */
  public static final double DEFAULT_THRESHOLD = 0.85;
  /** Default sustain window. */
  public static final Duration DEFAULT_SUSTAIN = Duration.ofMinutes(5);

  private final double threshold;

  /** With the defaults. */
  public MemoryPressureDetector() {
    this(DEFAULT_THRESHOLD, DEFAULT_SUSTAIN);
  }

  /** With a custom threshold (a fraction in (0, 1]) and sustain window. */
  public MemoryPressureDetector(double threshold, Duration sustain) {
    this(threshold, sustain, MAX_RESOURCES);
  }

  /** With a custom threshold and sustain window, tracking at most {@code maxPods} pods. */
  MemoryPressureDetector(double threshold, Duration sustain, int maxPods) {
    super(MetricNames.MEMORY_UTILIZATION, sustain, Duration.ofMinutes(1), maxPods);
    this.threshold = Require.withinOpenClosed(threshold, 0, 1, "threshold");
  }

  @Override
  public String name() {
    return "memory-pressure";
  }

  @Override
  public IncidentType type() {
    return IncidentType.OOM_KILL;
  }

  @Override
  String resourceOf(MetricSample s) {
    String pod = s.attribute(Attributes.K8S_POD_NAME);
    return pod != null ? pod : s.service();
  }

  static final class State extends ResourceState {
    final SlidingTrend trend = new SlidingTrend(TREND_POINTS);
    double secondsToLimit = Double.POSITIVE_INFINITY;

    State(String service, String resource) {
      super(service, resource);
    }
  }

  @Override
  State newState(String service, String resource) {
    return new State(service, resource);
  }

  @Override
  void writeState(State st, java.io.DataOutputStream out) throws java.io.IOException {
    st.trend.write(out);
    out.writeDouble(st.secondsToLimit);
  }

  @Override
  void readState(State st, java.io.DataInputStream in) throws java.io.IOException {
    st.trend.readInto(in);
    st.secondsToLimit = in.readDouble();
  }

  @Override
  Evaluation evaluate(State st, MetricSample sample) {
    double v = sample.value();
    st.trend.add(sample.timestamp(), v);
    st.secondsToLimit = st.trend.secondsToReach(1.0, v);
    boolean predicted = v > FORECAST_FLOOR && st.trend.size() >= TREND_POINTS
        && st.secondsToLimit <= FORECAST_HORIZON.toSeconds();
    return new Evaluation(v > threshold || predicted, threshold);
  }

  @Override
  Severity severityOf(State state, double value, double t) {
    return Severity.SEV3;
  }

  @Override
  double scoreOf(double value, double t) {
    return clampUnit(0.5 + (value - t) / (2 * (1 - t + 1e-9)));
  }

  @Override
  String describe(State st, double value, double t) {
    if (value <= t) {
      return String.format("pod %s of %s uses %.0f%% of its memory limit and grows: projected OOM in %.0f min",
          st.resource, st.service, value * 100, st.secondsToLimit / 60);
    }
    return String.format("pod %s of %s uses %.0f%% of its memory limit (threshold %.0f%%)", st.resource,
        st.service, value * 100, t * 100);
  }

  @Override
  List<Anomaly> observeOther(Signal signal) {
    if (signal instanceof ChangeEvent e && ChangeEvent.OOM_KILLED.equals(e.kind())) {
      return List.of(new Anomaly(type(), e.service(), e.service(), "event:" + e.kind(), 1.0, threshold, 1.0,
          Severity.SEV3, e.timestamp(), e.timestamp(), "OOMKilled: " + e.description()));
    }
    return List.of();
  }
}
