package dev.sreagent.k8s;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Completes memory utilisation where a telemetry source reports only a working set: wraps the source so that each
 * working-set sample it pushes ({@value #CONTAINER_WORKING_SET}, {@code container.memory.usage},
 * {@code k8s.container.memory.working_set} per container, or {@value #POD_WORKING_SET} per pod, in bytes, with
 * {@code k8s.namespace.name} and {@code k8s.pod.name}) is passed on and followed by a
 * {@link MetricNames#MEMORY_UTILIZATION} sample, the working set over the memory limit in the pod's spec
 * ({@link KubernetesChangeEvents#memoryLimitBytes}), which the memory-pressure detector reads. A container or pod for
 * which the source reports a utilisation itself (OTLP with {@code k8s.container.memory_limit}, a kubeletstats
 * {@code memory_limit_utilization}) is left to the source: no second figure. Nothing is derived for a pod not watched,
 * without a limit, or before the change-event source has started (start it first).
 */
public final class MemoryUtilisation {
  /** A container's working set in bytes (OpenTelemetry Collector, cAdvisor mappings). */
  public static final String CONTAINER_WORKING_SET = "container.memory.working_set";
  /** A pod's working set in bytes (kubeletstats). */
  public static final String POD_WORKING_SET = "k8s.pod.memory.working_set";
  private static final Set<String> CONTAINER_NAMES = Set.of(CONTAINER_WORKING_SET, "container.memory.usage",
      "k8s.container.memory.working_set");
  private static final String CONTAINER = "k8s.container.name";

  private MemoryUtilisation() {}

  /** {@code source}, with memory utilisation derived from the limits {@code limits} caches. */
  public static TelemetrySource completing(TelemetrySource source, KubernetesChangeEvents limits) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(limits, "limits");
    return new TelemetrySource() {
      @Override
      public String name() {
        return source.name() + "+memory-limits";
      }

      @Override
      public void start(TelemetrySink sink) {
        source.start(sink(sink, limits));
      }

      @Override
      public void close() {
        source.close();
      }
    };
  }

  /** A sink passing everything to {@code downstream}, followed by the utilisation it derives. */
  static TelemetrySink sink(TelemetrySink downstream, KubernetesChangeEvents limits) {
    Set<String> reportedBySource = ConcurrentHashMap.newKeySet();
    return signal -> {
      boolean accepted = downstream.accept(signal);
      if (!(signal instanceof MetricSample m)) {
        return accepted;
      }
      String ns = m.attribute(Attributes.K8S_NAMESPACE);
      String pod = m.attribute(Attributes.K8S_POD_NAME);
      if (ns == null || pod == null) {
        return accepted;
      }
      boolean perPod = POD_WORKING_SET.equals(m.name());
      String container = perPod ? null : m.attribute(CONTAINER);
      String key = ns + "/" + pod + "/" + (container == null ? "" : container);
      if (MetricNames.MEMORY_UTILIZATION.equals(m.name())) {
        reportedBySource.add(key);
        reportedBySource.add(ns + "/" + pod + "/");
        return accepted;
      }
      if (!(perPod || CONTAINER_NAMES.contains(m.name())) || reportedBySource.contains(key)) {
        return accepted;
      }
      OptionalDouble limit = limits.memoryLimitBytes(ns, pod, container);
      if (limit.isEmpty() || !Double.isFinite(m.value())) {
        return accepted;
      }
      Map<String, String> attributes = new HashMap<>(m.attributes());
      if (Attributes.UNKNOWN_SERVICE.equals(m.service())) {
        limits.serviceOf(ns, pod).ifPresent(s -> attributes.put(Attributes.SERVICE_NAME, s));
      }
      downstream.accept(new MetricSample(MetricNames.MEMORY_UTILIZATION, m.value() / limit.getAsDouble(),
          m.timestamp(), attributes));
      return accepted;
    };
  }
}
