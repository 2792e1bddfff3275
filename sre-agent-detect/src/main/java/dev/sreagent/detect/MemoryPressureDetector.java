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
 * OOM-kill risk, for {@code sustain} (default 5 minutes): a pod's memory above {@code threshold} of its limit (default
 * 85%) <em>and growing</em> — its least-squares trend over the last 30 samples reaches the limit within
 * {@link #GROWTH_HORIZON} (2 hours) — or at {@link #IMMINENT} (95%) of its limit whatever its trend, or an OOMKilled
 * event; or, predictively, memory above 70% whose trend reaches the limit within {@link #FORECAST_HORIZON} (30
 * minutes): a leak is caught before it crosses the threshold.
 *
 * <p>A pod that sits steadily near its limit (86% all day, as some JVMs sized to their limit do) does not page:
 * the kernel kills at the limit, not at 85%, and a flat level does not get there; until 30 samples tell the trend,
 * only {@link #IMMINENT} counts. (Before 2026-12-06 any 5 minutes above 85% paged: a recorded Online Boutique day
 * opened 12 OOM incidents on one such pod; see the README.)
 */
public final class MemoryPressureDetector extends RuleDetector<MemoryPressureDetector.State> {
  /** How soon a projected OOM must be to count. */
  public static final Duration FORECAST_HORIZON = Duration.ofMinutes(30);
  /** Memory below this never counts as a forecast breach. */
  public static final double FORECAST_FLOOR = 0.70;
  private static final int TREND_POINTS = 30;
  /** Memory at or above this fraction of the limit pages whatever its trend. */
  public static final double IMMINENT = 0.95;
  /** Above the threshold, how soon the trend must reach the limit to count as growing. */
  public static final Duration GROWTH_HORIZON = Duration.ofHours(2);
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
    boolean trendKnown = st.trend.size() >= TREND_POINTS;
    boolean predicted = v > FORECAST_FLOOR && trendKnown && st.secondsToLimit <= FORECAST_HORIZON.toSeconds();
    boolean growing = trendKnown && st.secondsToLimit <= GROWTH_HORIZON.toSeconds();
    return new Evaluation(v >= Math.max(IMMINENT, threshold) || (v > threshold && growing) || predicted, threshold);
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
