package dev.sreagent.detect;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Detector;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Shared machinery of the rule detectors: one state per resource, a sustain window before firing, hysteresis before
 * clearing, and expiry of resources that stopped reporting (a restarted pod's old name). Non-finite and
 * out-of-order samples are counted and ignored; they never reach a baseline.
 *
 * @param <S> per-resource state
 */
abstract class RuleDetector<S extends RuleDetector.ResourceState> implements Detector {
  /** How long a resource may stay silent before it is forgotten. */
  static final Duration STALE_AFTER = Duration.ofMinutes(3);
  private static final int PURGE_EVERY = 4096;

  private final String metric;
  private final Duration sustain;
  private final Duration clearAfter;
  private final Map<String, S> states = new HashMap<>();
  private @Nullable Instant latest;
  private long observed;
  private long rejectedNonFinite;
  private long rejectedOutOfOrder;
  private long rejectedDuplicate;

  RuleDetector(String metric, Duration sustain, Duration clearAfter) {
    this.metric = Objects.requireNonNull(metric, "metric");
    this.sustain = requireNonNegative(sustain, "sustain");
    this.clearAfter = requireNonNegative(clearAfter, "clearAfter");
  }

  static Duration requireNonNegative(Duration d, String field) {
    Objects.requireNonNull(d, field);
    if (d.isNegative()) {
      throw new IllegalArgumentException(field + " must not be negative, but was " + d);
    }
    return d;
  }

  /** Per-resource state; subclasses add their baselines. */
  static class ResourceState {
    final String service;
    final String resource;
    @Nullable Instant lastSeen;
    @Nullable Instant breachSince;
    @Nullable Instant okSince;
    boolean firing;

    ResourceState(String service, String resource) {
      this.service = service;
      this.resource = resource;
    }
  }

  /** The outcome of evaluating one sample against a resource's state. */
  record Evaluation(boolean breach, double threshold) {}

  abstract String resourceOf(MetricSample sample);

  abstract S newState(String service, String resource);

  /** Whether the sample breaches; subclasses may update baselines here (only with non-breaching values). */
  abstract Evaluation evaluate(S state, MetricSample sample);

  abstract Severity severityOf(S state, double value, double threshold);

  abstract double scoreOf(double value, double threshold);

  abstract String describe(S state, double value, double threshold);

  /** Hook for non-metric signals (events). */
  List<Anomaly> observeOther(Signal signal) {
    return List.of();
  }

  @Override
  public final List<Anomaly> observe(Signal signal) {
    if (!(signal instanceof MetricSample sample) || !sample.name().equals(metric)) {
      return observeOther(signal);
    }
    double value = sample.value();
    if (!Double.isFinite(value)) {
      rejectedNonFinite++;
      return List.of();
    }
    Instant ts = sample.timestamp();
    if (latest == null || ts.isAfter(latest)) {
      latest = ts;
    }
    if (++observed % PURGE_EVERY == 0) {
      purgeStale();
    }
    String resource = resourceOf(sample);
    S st = states.computeIfAbsent(resource, r -> newState(sample.service(), r));
    if (st.lastSeen != null && !ts.isAfter(st.lastSeen)) {
      if (ts.equals(st.lastSeen)) {
        rejectedDuplicate++;
      } else {
        rejectedOutOfOrder++;
      }
      return List.of();
    }
    st.lastSeen = ts;
    Evaluation e = evaluate(st, sample);
    if (e.breach()) {
      st.okSince = null;
      if (st.breachSince == null) {
        st.breachSince = ts;
      }
      if (!st.firing && !Duration.between(st.breachSince, ts).minus(sustain).isNegative()) {
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

  private boolean isStale(ResourceState st) {
    return latest != null && st.lastSeen != null && st.lastSeen.plus(STALE_AFTER).isBefore(latest);
  }

  private void purgeStale() {
    for (Iterator<S> it = states.values().iterator(); it.hasNext(); ) {
      if (isStale(it.next())) {
        it.remove();
      }
    }
  }

  /** Samples ignored because their value was NaN or infinite. */
  public long rejectedNonFinite() {
    return rejectedNonFinite;
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
    double value = sample.value();
    if (baseline.count() < LatencyDetector.WARM_UP_SAMPLES) {
      baseline.learn(sample.timestamp(), value);
      return new Evaluation(false, Double.MAX_VALUE);
    }
    double t = threshold.applyAsDouble(baseline, sample.timestamp());
    double usualUpTo = Math.min(t, band.applyAsDouble(baseline, sample.timestamp()));
    boolean breach = value > t;
    baseline.offer(sample.timestamp(), value, value > usualUpTo, breach, firing);
    return new Evaluation(breach, t);
  }

  /** The state of {@code resource}, or null when it is not tracked. */
  @Nullable S state(String resource) {
    return states.get(resource);
  }

  static double clampUnit(double v) {
    return Math.max(0.0, Math.min(1.0, v));
  }
}
