package dev.sreagent.detect;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.state.BoundedKeyedState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Multi-signal anomalies per service with an {@link IsolationForest}: each p99 latency sample completes a feature
 * vector (log p99 latency, error ratio, log request rate, highest pod memory); a forest trained on the service's
 * last {@code window} vectors, retrained every {@code retrainEvery}, scores it; a score above {@code threshold}
 * sustained for {@code sustain} fires an anomaly of type {@code multi-signal} whose summary names the features that
 * isolated it. Deterministic under {@code seed}. At most {@link #MAX_SERVICES} services are tracked
 * ({@link BoundedKeyedState}: a service seen once makes way first; counted in {@link #evictedStates()}), each with at
 * most 1,000 pods' memory. Not among the defaults: add it with
 * {@code SreAgent.builder().setDetectors(...)} where unknown shapes should be escalated to humans.
 */
public final class MultiSignalDetector implements Detector {
  /** The incident type of its anomalies. */
  public static final IncidentType TYPE = IncidentType.of("multi-signal");
  static final String[] FEATURES = {"latency", "errors", "traffic", "memory"};
  /** Services tracked at most. */
  public static final int MAX_SERVICES = 20_000;

  private final int window;
  private final int retrainEvery;
  private final double threshold;
  private final Duration sustain;
  private final long seed;
  private final BoundedKeyedState<String, ServiceState> services = new BoundedKeyedState<>(MAX_SERVICES);

  /**
   * Defaults: 720 vectors (3 h at 15 s), retrain every 120, threshold 0.6 (a point isolated well above the typical
   * 0.4 to 0.5), sustain 2 min, seed 42.
   */
  public MultiSignalDetector() {
    this(720, 120, 0.6, Duration.ofMinutes(2), 42);
  }

  public MultiSignalDetector(int window, int retrainEvery, double threshold, Duration sustain, long seed) {
    if (window < 64 || retrainEvery < 1 || !(threshold > 0.5 && threshold < 1)) {
      throw new IllegalArgumentException("need window >= 64, retrainEvery >= 1, threshold in (0.5, 1), but were "
          + window + ", " + retrainEvery + ", " + threshold);
    }
    this.window = window;
    this.retrainEvery = retrainEvery;
    this.threshold = threshold;
    this.sustain = sustain;
    this.seed = seed;
  }

  private final class ServiceState {
    final double[] latest = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    /** The last normal vectors; grows to {@code window} (a service seen once costs little). */
    double[][] ring = new double[Math.min(window, 16)][];
    int size;
    int head;
    int sinceTrain;
    @Nullable IsolationForest forest;
    @Nullable Instant breachSince;
    boolean firing;
    final Map<String, Double> podMemory = new HashMap<>();
  }

  @Override
  public String name() {
    return "multi-signal-isolation-forest";
  }

  @Override
  public IncidentType type() {
    return TYPE;
  }

  @Override
  public List<Anomaly> observe(Signal signal) {
    if (!(signal instanceof MetricSample m) || !Double.isFinite(m.value())) {
      return List.of();
    }
    ServiceState st;
    switch (m.name()) {
      case MetricNames.ERROR_RATIO -> {
        services.computeIfAbsent(m.service(), k -> new ServiceState()).latest[1] = m.value();
        return List.of();
      }
      case MetricNames.REQUEST_RATE -> {
        services.computeIfAbsent(m.service(), k -> new ServiceState()).latest[2] = Math.log1p(Math.max(0,
            m.value()));
        return List.of();
      }
      case MetricNames.MEMORY_UTILIZATION -> {
        st = services.computeIfAbsent(m.service(), k -> new ServiceState());
        String pod = m.attribute(dev.sreagent.api.model.Attributes.K8S_POD_NAME);
        st.podMemory.put(pod == null ? "" : pod, m.value());
        if (st.podMemory.size() > 1000) {
          st.podMemory.clear();
        }
        st.latest[3] = st.podMemory.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return List.of();
      }
      case MetricNames.LATENCY_P99 -> st = services.computeIfAbsent(m.service(), k -> new ServiceState());
      default -> {
        return List.of();
      }
    }
    st.latest[0] = Math.log(Math.max(1e-6, m.value()));
    for (int i = 0; i < st.latest.length; i++) {
      if (Double.isNaN(st.latest[i])) {
        st.latest[i] = 0; // a feature the service never reports stays constant and is never split on
      }
    }
    double[] x = st.latest.clone();
    List<Anomaly> out = List.of();
    if (st.forest != null) {
      double score = st.forest.score(x);
      if (score > threshold) {
        if (st.breachSince == null) {
          st.breachSince = m.timestamp();
        }
        if (!st.firing && !Duration.between(st.breachSince, m.timestamp()).minus(sustain).isNegative()) {
          st.firing = true;
          out = List.of(new Anomaly(TYPE, m.service(), m.service(), "isolation-forest", score, threshold,
              Math.min(1, score), Severity.SEV3, st.breachSince, m.timestamp(), describe(m.service(), score,
                  st.forest.attribution(x))));
        }
      } else {
        st.breachSince = null;
        st.firing = false;
        remember(st, x);
      }
    } else {
      remember(st, x);
    }
    if (st.size >= Math.min(window, 240) && (st.forest == null || st.sinceTrain >= retrainEvery)) {
      double[][] data = new double[st.size][];
      for (int i = 0; i < st.size; i++) {
        data[i] = st.ring[i];
      }
      st.forest = IsolationForest.train(data, 100, 256, seed ^ m.service().hashCode());
      st.sinceTrain = 0;
    }
    return out;
  }

  /** Only normal vectors are learned from, so an incident never becomes the baseline. */
  private void remember(ServiceState st, double[] x) {
    if (st.size == st.ring.length && st.size < window) {
      // nothing overwritten yet: the vectors are in order at 0..size-1
      st.ring = java.util.Arrays.copyOf(st.ring, Math.min(window, 2 * st.size));
      st.head = st.size;
    }
    st.ring[st.head] = x;
    st.head = (st.head + 1) % st.ring.length;
    st.size = Math.min(st.size + 1, window);
    st.sinceTrain++;
  }

  static String describe(String service, double score, double[] attribution) {
    List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
    order.sort((a, b) -> Double.compare(attribution[b], attribution[a]));
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%s behaves unlike its last hours (isolation score %.2f); driven by", service, score));
    for (int i = 0; i < 2; i++) {
      int f = order.get(i);
      sb.append(String.format(Locale.ROOT, "%s %s %.0f%%", i == 0 ? "" : ",", FEATURES[f], attribution[f] * 100));
    }
    return sb.toString();
  }

  @Override
  public boolean isFiring(String service) {
    ServiceState st = services.peek(service);
    return st != null && st.firing;
  }

  /** Services dropped to make room for new ones because {@link #MAX_SERVICES} were tracked. */
  @Override
  public long evictedStates() {
    return services.evictions();
  }
}
