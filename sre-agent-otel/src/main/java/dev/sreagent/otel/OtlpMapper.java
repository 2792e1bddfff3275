package dev.sreagent.otel;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.model.Span;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Maps OTLP requests onto the SDK's signals, following the OpenTelemetry semantic conventions so that standard
 * instrumentation needs no mapping configuration.
 * <ul>
 *   <li><b>Service</b>: {@code service.name}; without one (e.g. Collector receivers such as kubeletstats), the
 *       workload: {@code k8s.deployment.name}, {@code k8s.statefulset.name}, {@code k8s.daemonset.name},
 *       {@code k8s.container.name}, or the pod name without its generated suffix.
 *   <li><b>Requests</b>: the server duration histograms ({@code http.server.request.duration} in s, the older
 *       {@code http.server.duration} in ms, {@code rpc.server.call.duration}, {@code rpc.server.duration}; explicit
 *       or exponential buckets; unit taken from the metric) become, per service and export interval, p99 latency,
 *       error ratio (5xx {@code http.response.status_code} / {@code http.status_code}, an {@code error.type}, or a
 *       server-fault gRPC status) and request rate. Cumulative points are differenced against the previous export
 *       (a drop in the count is a reset).
 *   <li><b>Call edges</b>: the client duration histograms ({@code http.client.request.duration} in s, the older
 *       {@code http.client.duration} and {@code rpc.client.duration} in ms, {@code rpc.client.call.duration}; unit,
 *       buckets and temporality as above) become, per caller, peer and export interval,
 *       {@link MetricNames#CLIENT_LATENCY_P50} and {@link MetricNames#CLIENT_LATENCY_P99} of the caller with
 *       {@code peer.service} naming the peer ({@link CallEdges}: {@code peer.service}, else {@code server.address};
 *       a point with neither is dropped as {@code no-peer}).
 *   <li><b>Memory</b>: {@code k8s.container.memory_limit_utilization} / {@code k8s.pod.memory_limit_utilization},
 *       or {@code container.memory.working_set} (or {@code .usage}) over the last {@code k8s.container.memory_limit}
 *       seen for that container, become {@link MetricNames#MEMORY_UTILIZATION} per pod.
 *   <li><b>Disk</b>: {@code system.filesystem.utilization}, {@code system.filesystem.usage} (used / (used + free))
 *       and {@code k8s.volume.available} / {@code k8s.volume.capacity} become
 *       {@link MetricNames#DISK_UTILIZATION} per host and mount point.
 *   <li><b>CPU</b>: {@code k8s.container.cpu_limit_utilization}, {@code k8s.pod.cpu_limit_utilization} and
 *       {@code system.cpu.utilization} (1 - mean idle) become {@link MetricNames#CPU_UTILIZATION}.
 *   <li>Every gauge and sum is also passed on under its own name; a monotonic sum (a counter) also as
 *       {@code <name>.rate} per second (cumulative points differenced, a drop is a counter reset). Spans keep ids (hex), kind, timing and error
 *       status; log records keep severity and body, and a Kubernetes OOM event ({@code k8s.event.reason}
 *       OOMKilling / OOMKilled, or a body that says OOMKilled) also becomes an {@code oom-killed}
 *       {@link ChangeEvent}.
 * </ul>
 * Points without a time, older than the accepted age, too far in the future, non-finite, or negative where a
 * counter cannot be, are dropped and counted by reason. Holds the previous cumulative point per histogram series and
 * the last memory limit per container (both bounded, least recently used evicted). Not thread-safe: the receiver
 * serialises calls.
 */
final class OtlpMapper {
  private static final int MAX_TRACKED = 100_000;
  private static final Pattern POD_SUFFIX = Pattern.compile("^(.+?)(?:-[a-z0-9]{6,10})?-[a-z0-9]{5}$");
  private static final Pattern ORDINAL = Pattern.compile("^(.+)-\\d+$");
  private static final Set<String> GRPC_SERVER_FAULTS =
      Set.of("2", "4", "12", "13", "14", "15", "UNKNOWN", "DEADLINE_EXCEEDED", "UNIMPLEMENTED", "INTERNAL",
          "UNAVAILABLE", "DATA_LOSS");
  private static final Set<String> OOM_REASONS = Set.of("OOMKilling", "OOMKilled");

  /**
   * The request duration histograms, most specific first: server ones (the first one present in a resource is used)
   * and client ones (call edges, see {@link CallEdges}).
   */
  enum Family {
    HTTP("http.server.request.duration", 1.0, "http.response.status_code", false),
    HTTP_OLD("http.server.duration", 1e-3, "http.status_code", false),
    RPC("rpc.server.call.duration", 1.0, null, false),
    RPC_OLD("rpc.server.duration", 1e-3, null, false),
    HTTP_CLIENT("http.client.request.duration", 1.0, "http.response.status_code", true),
    HTTP_CLIENT_OLD("http.client.duration", 1e-3, "http.status_code", true),
    RPC_CLIENT("rpc.client.call.duration", 1.0, null, true),
    RPC_CLIENT_OLD("rpc.client.duration", 1e-3, null, true);

    final String metric;
    final double defaultScale;
    final @Nullable String statusKey;
    final boolean client;

    Family(String metric, double defaultScale, @Nullable String statusKey, boolean client) {
      this.metric = metric;
      this.defaultScale = defaultScale;
      this.statusKey = statusKey;
      this.client = client;
    }

    static @Nullable Family of(String name) {
      for (Family f : values()) {
        if (f.metric.equals(name)) {
          return f;
        }
      }
      return null;
    }

    boolean isError(Map<String, String> attrs) {
      if (attrs.containsKey("error.type")) {
        return true;
      }
      if (statusKey != null) {
        return attrs.getOrDefault(statusKey, "").startsWith("5");
      }
      String grpc = attrs.getOrDefault("rpc.grpc.status_code", attrs.getOrDefault("rpc.response.status_code", ""));
      return GRPC_SERVER_FAULTS.contains(grpc);
    }
  }

  /** The last cumulative point of a series: bucket counts, total count, time. */
  private record Cumulative(double[] counts, double total, long time) {}

  /** The part of a cumulative point that is new since the previous export. */
  private record Delta(double[] counts, double total, long start) {}

  private final Map<String, Cumulative> previous = lru();
  private final Map<String, Double> memoryLimits = lru();
  private final dev.sreagent.api.port.Clock clock;
  private final Duration maxAge;
  private final Duration maxFuture;

  OtlpMapper(dev.sreagent.api.port.Clock clock, Duration maxAge, Duration maxFuture) {
    this.clock = clock;
    this.maxAge = maxAge;
    this.maxFuture = maxFuture;
  }

  private static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_TRACKED;
      }
    };
  }

  /** Entries of the bounded per-series state (cumulative histogram points and memory limits). */
  int trackedState() {
    return previous.size() + memoryLimits.size();
  }

  private static Map<String, String> attributes(List<KeyValue> kvs) {
    Map<String, String> out = new TreeMap<>();
    for (KeyValue kv : kvs) {
      out.put(kv.getKey(), text(kv.getValue()));
    }
    return out;
  }

  private static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case KVLIST_VALUE -> attributes(v.getKvlistValue().getValuesList()).toString();
      case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(OtlpMapper::text).toList().toString();
      default -> "";
    };
  }

  /** Resource attributes with {@code service.name} resolved (see the class comment). */
  static Map<String, String> resource(Resource r) {
    Map<String, String> attrs = attributes(r.getAttributesList());
    attrs.put(Attributes.SERVICE_NAME, serviceOf(attrs));
    return attrs;
  }

  static String serviceOf(Map<String, String> attrs) {
    String declared = attrs.getOrDefault(Attributes.SERVICE_NAME, "").strip();
    if (!declared.isEmpty() && !declared.startsWith(Attributes.UNKNOWN_SERVICE)) {
      return declared;
    }
    for (String k : List.of("k8s.deployment.name", "k8s.statefulset.name", "k8s.daemonset.name",
        "k8s.container.name")) {
      String v = attrs.getOrDefault(k, "").strip();
      if (!v.isEmpty()) {
        return v;
      }
    }
    String pod = attrs.getOrDefault(Attributes.K8S_POD_NAME,
        "Pod".equals(attrs.get("k8s.object.kind")) ? attrs.getOrDefault("k8s.object.name", "") : "").strip();
    if (!pod.isEmpty()) {
      Matcher m = POD_SUFFIX.matcher(pod);
      Matcher o = ORDINAL.matcher(pod);
      String workload = m.matches() ? m.group(1).strip() : o.matches() ? o.group(1).strip() : pod;
      return workload.isEmpty() ? pod : workload;
    }
    return declared.isEmpty() ? Attributes.UNKNOWN_SERVICE : declared;
  }

  private static Instant time(long unixNanos) {
    return Instant.ofEpochSecond(0, unixNanos);
  }

  /** Whether a point's time is present and within the accepted window; counts the reason when not. */
  private boolean validTime(long unixNanos, Rejections r) {
    if (unixNanos == 0) {
      r.add(Rejections.MISSING_TIME);
      return false;
    }
    Instant now = clock.now();
    Instant t = time(unixNanos);
    if (t.isBefore(now.minus(maxAge))) {
      r.add(Rejections.TOO_OLD);
      return false;
    }
    if (t.isAfter(now.plus(maxFuture))) {
      r.add(Rejections.IN_FUTURE);
      return false;
    }
    return true;
  }

  /** Per resource: what the conventions combine across the resource's points. */
  private static final class ResourceState {
    final Map<String, String> res;
    final Map<Family, HistogramWindow> windows = new EnumMap<>(Family.class);
    final CallEdges edges = new CallEdges();
    final Map<String, double[]> filesystems = new TreeMap<>(); // mount -> used, free, last time
    final Map<String, double[]> volumes = new TreeMap<>(); // volume -> available, capacity, last time
    double idleSum;
    int idleCount;
    long cpuTime;

    ResourceState(Map<String, String> res) {
      this.res = res;
    }
  }

  List<Signal> metrics(ExportMetricsServiceRequest req, Rejections rejected) {
    List<Signal> out = new ArrayList<>();
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      ResourceState st = new ResourceState(resource(rm.getResource()));
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          metric(m, st, out, rejected);
        }
      }
      finish(st, out);
    }
    return out;
  }

  private void metric(Metric m, ResourceState st, List<Signal> out, Rejections rejected) {
    switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsList().forEach(p -> number(m.getName(), p, false, st, out, rejected));
      case SUM -> {
        boolean monotonic = m.getSum().getIsMonotonic();
        boolean cumulative = isCumulative(m.getSum().getAggregationTemporality());
        for (NumberDataPoint p : m.getSum().getDataPointsList()) {
          if (number(m.getName(), p, monotonic, st, out, rejected) && monotonic) {
            counterRate(m.getName(), p, cumulative, out);
          }
        }
      }
      case HISTOGRAM -> {
        Family f = Family.of(m.getName());
        if (f != null) {
          boolean cumulative = isCumulative(m.getHistogram().getAggregationTemporality());
          double scale = unitScale(m.getUnit(), f.defaultScale);
          for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
            Map<String, String> attrs = attributes(p.getAttributesList());
            HistogramWindow w = window(st, f, attrs, rejected);
            if (w != null) {
              histogram(st.res, f, scale, p, attrs, cumulative, w, rejected);
            }
          }
        }
      }
      case EXPONENTIAL_HISTOGRAM -> {
        Family f = Family.of(m.getName());
        if (f != null) {
          boolean cumulative = isCumulative(m.getExponentialHistogram().getAggregationTemporality());
          double scale = unitScale(m.getUnit(), f.defaultScale);
          for (ExponentialHistogramDataPoint p : m.getExponentialHistogram().getDataPointsList()) {
            Map<String, String> attrs = attributes(p.getAttributesList());
            HistogramWindow w = window(st, f, attrs, rejected);
            if (w != null) {
              exponential(st.res, f, scale, p, attrs, cumulative, w, rejected);
            }
          }
        }
      }
      default -> { }
    }
  }

  /**
   * The window a duration point merges into: its service's for a server family, its call edge's for a client family
   * (null when the point names no peer; counted).
   */
  private static @Nullable HistogramWindow window(ResourceState st, Family f, Map<String, String> attrs,
      Rejections rejected) {
    return f.client ? st.edges.window(f, attrs, rejected) : st.windows.computeIfAbsent(f, k -> new HistogramWindow());
  }

  private static double unitScale(String unit, double fallback) {
    return switch (unit) {
      case "s" -> 1.0;
      case "ms" -> 1e-3;
      case "us", "\u00b5s" -> 1e-6;
      case "ns" -> 1e-9;
      default -> fallback;
    };
  }

  /**
   * Emits what the conventions derive from the whole resource: request signals, call edges, disk and CPU
   * utilisation.
   */
  private static void finish(ResourceState st, List<Signal> out) {
    String service = st.res.get(Attributes.SERVICE_NAME);
    for (HistogramWindow w : st.windows.values()) {
      if (w.count > 0) {
        Instant at = time(w.end);
        Map<String, String> attrs = Map.of(Attributes.SERVICE_NAME, service);
        out.add(new MetricSample(MetricNames.LATENCY_P99, w.quantile(HistogramWindow.P99), at, attrs));
        out.add(new MetricSample(MetricNames.ERROR_RATIO, w.errors / w.count, at, attrs));
        double seconds = Math.max(1e-3, (w.end - w.start) / 1e9);
        out.add(new MetricSample(MetricNames.REQUEST_RATE, w.count / seconds, at, attrs));
        break; // the most specific family only: instrumentations that emit two would count requests twice
      }
    }
    st.edges.emit(service, out);
    String host = st.res.getOrDefault(Attributes.HOST_NAME, st.res.getOrDefault("k8s.node.name",
        st.res.getOrDefault(Attributes.K8S_POD_NAME, service)));
    st.filesystems.forEach((mount, v) -> {
      if (v[0] + v[1] > 0) {
        out.add(disk(service, host, mount, v[0] / (v[0] + v[1]), (long) v[2]));
      }
    });
    st.volumes.forEach((volume, v) -> {
      if (v[1] > 0) {
        out.add(disk(service, host, volume, 1 - v[0] / v[1], (long) v[2]));
      }
    });
    if (st.idleCount > 0) {
      Map<String, String> attrs = Map.of(Attributes.SERVICE_NAME, service, Attributes.HOST_NAME, host);
      out.add(new MetricSample(MetricNames.CPU_UTILIZATION, clamp(1 - st.idleSum / st.idleCount),
          time(st.cpuTime), attrs));
    }
  }

  private static MetricSample disk(String service, String host, String mount, double used, long time) {
    return new MetricSample(MetricNames.DISK_UTILIZATION, clamp(used), time(time),
        Map.of(Attributes.SERVICE_NAME, service, Attributes.HOST_NAME, host, Attributes.FILESYSTEM_PATH, mount));
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }

  /**
   * A monotonic sum (a counter) also becomes {@code <name>.rate}, per second: a cumulative point is differenced
   * against the previous one of its series (a drop is a counter reset: the new value counts from zero), a delta
   * point is divided by its own interval. The first cumulative point of a series only sets the base.
   */
  private void counterRate(String name, NumberDataPoint p, boolean cumulative, List<Signal> out) {
    MetricSample sample = (MetricSample) out.get(out.size() - 1);
    double v = sample.value();
    long time = p.getTimeUnixNano();
    double increase;
    long start;
    if (cumulative) {
      Cumulative prev = previous.put("sum|" + sample.seriesKey(), new Cumulative(new double[0], v, time));
      if (prev == null || prev.time() >= time) {
        return;
      }
      increase = v >= prev.total() ? v - prev.total() : v;
      start = prev.time();
    } else {
      increase = v;
      start = p.getStartTimeUnixNano();
    }
    if (start <= 0 || start >= time) {
      return;
    }
    out.add(new MetricSample(name + ".rate", increase / ((time - start) / 1e9), sample.timestamp(),
        sample.attributes()));
  }

  /** Maps one number point; true when it was accepted (its sample is the last one in {@code out}). */
  private boolean number(String name, NumberDataPoint p, boolean monotonic, ResourceState st, List<Signal> out,
      Rejections rejected) {
    if (name.isBlank()) {
      rejected.add(Rejections.BAD_NAME);
      return false;
    }
    double v = p.hasAsDouble() ? p.getAsDouble() : p.getAsInt();
    if (!Double.isFinite(v)) {
      rejected.add(Rejections.NON_FINITE);
      return false;
    }
    if (monotonic && v < 0) {
      rejected.add(Rejections.NEGATIVE_COUNTER);
      return false;
    }
    if (!validTime(p.getTimeUnixNano(), rejected)) {
      return false;
    }
    Map<String, String> attrs = new TreeMap<>(st.res);
    attrs.putAll(attributes(p.getAttributesList()));
    attrs.put(Attributes.SERVICE_NAME, st.res.get(Attributes.SERVICE_NAME));
    String mount = attrs.getOrDefault(Attributes.FILESYSTEM_PATH, attrs.get("mountpoint"));
    Instant at = time(p.getTimeUnixNano());
    switch (name) {
      case MetricNames.DISK_UTILIZATION -> {
        if (mount != null) {
          attrs.put(Attributes.FILESYSTEM_PATH, mount);
        }
      }
      case "system.filesystem.usage" -> {
        String state = attrs.getOrDefault("state", attrs.getOrDefault("system.filesystem.state", ""));
        if (mount != null && (state.equals("used") || state.equals("free"))) {
          double[] acc = st.filesystems.computeIfAbsent(mount, k -> new double[3]);
          acc[state.equals("used") ? 0 : 1] += v;
          acc[2] = Math.max(acc[2], p.getTimeUnixNano());
        }
      }
      case "k8s.volume.available", "k8s.volume.capacity" -> {
        String volume = attrs.getOrDefault("k8s.volume.name", "volume");
        double[] acc = st.volumes.computeIfAbsent(volume, k -> new double[3]);
        acc[name.endsWith("available") ? 0 : 1] = v;
        acc[2] = Math.max(acc[2], p.getTimeUnixNano());
      }
      case "k8s.container.memory_limit_utilization", "k8s.pod.memory_limit_utilization" ->
          out.add(derived(MetricNames.MEMORY_UTILIZATION, v, at, attrs));
      case "k8s.container.memory_limit" -> memoryLimits.put(containerKey(attrs), v);
      case "container.memory.working_set", "container.memory.usage", "k8s.container.memory.working_set" -> {
        Double limit = memoryLimits.get(containerKey(attrs));
        if (limit != null && limit > 0) {
          out.add(derived(MetricNames.MEMORY_UTILIZATION, v / limit, at, attrs));
        }
      }
      case "k8s.container.cpu_limit_utilization", "k8s.pod.cpu_limit_utilization" ->
          out.add(derived(MetricNames.CPU_UTILIZATION, v, at, attrs));
      case "system.cpu.utilization" -> {
        if ("idle".equals(attrs.getOrDefault("state", attrs.get("cpu.mode")))) {
          st.idleSum += v;
          st.idleCount++;
          st.cpuTime = Math.max(st.cpuTime, p.getTimeUnixNano());
        }
      }
      default -> { }
    }
    out.add(new MetricSample(name, v, at, attrs));
    return true;
  }

  private static String containerKey(Map<String, String> attrs) {
    return attrs.getOrDefault(Attributes.K8S_NAMESPACE, "") + "/" + attrs.getOrDefault(Attributes.K8S_POD_NAME, "")
        + "/" + attrs.getOrDefault("k8s.container.name", "");
  }

  /** A derived sample keeps only the identifying attributes of the pod. */
  private static MetricSample derived(String name, double v, Instant at, Map<String, String> attrs) {
    Map<String, String> keep = new TreeMap<>();
    for (String k : List.of(Attributes.SERVICE_NAME, Attributes.K8S_NAMESPACE, Attributes.K8S_POD_NAME,
        "k8s.container.name", Attributes.HOST_NAME)) {
      String value = attrs.get(k);
      if (value != null) {
        keep.put(k, value);
      }
    }
    return new MetricSample(name, clamp(v), at, keep);
  }

  private void histogram(Map<String, String> res, Family f, double scale, HistogramDataPoint p,
      Map<String, String> attrs, boolean cumulative, HistogramWindow w, Rejections rejected) {
    int n = p.getBucketCountsCount();
    if (n == 0 || n != p.getExplicitBoundsCount() + 1) {
      rejected.add(Rejections.BAD_HISTOGRAM);
      return;
    }
    double[] counts = new double[n];
    for (int i = 0; i < n; i++) {
      counts[i] = p.getBucketCounts(i);
    }
    if (negative(counts, rejected)) {
      return;
    }
    double[] bounds = new double[n - 1];
    for (int i = 0; i < n - 1; i++) {
      bounds[i] = p.getExplicitBounds(i) * scale;
      if (!Double.isFinite(bounds[i]) || i > 0 && bounds[i] <= bounds[i - 1]) {
        rejected.add(Rejections.BAD_HISTOGRAM);
        return;
      }
    }
    if (!validTotal(p.getCount(), p.getTimeUnixNano(), rejected)) {
      return;
    }
    String key = f + "|" + res.get(Attributes.SERVICE_NAME) + "|" + attrs;
    Delta d = delta(key, counts, p.getCount(), p.getStartTimeUnixNano(), p.getTimeUnixNano(), cumulative, false);
    if (d.total() <= 0) {
      return;
    }
    w.addExplicit(bounds, d.counts());
    w.add(d.total(), d.start(), f.isError(attrs), p.getTimeUnixNano());
  }

  /** Whether a histogram has a negative bucket count (an unsigned count above 2^63); counts the rejection. */
  private static boolean negative(double[] counts, Rejections rejected) {
    for (double c : counts) {
      if (c < 0) {
        rejected.add(Rejections.NEGATIVE_COUNTER);
        return true;
      }
    }
    return false;
  }

  /** Whether a histogram point's total count is not negative and its time is acceptable; counts the rejection. */
  private boolean validTotal(long count, long timeUnixNano, Rejections rejected) {
    if (count < 0) {
      rejected.add(Rejections.NEGATIVE_COUNTER);
      return false;
    }
    return validTime(timeUnixNano, rejected);
  }

  private static boolean isCumulative(AggregationTemporality t) {
    return t == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
  }

  /**
   * For a cumulative point, subtracts the previous export of the same series (a drop in the total is a reset: the
   * point is taken whole); {@code mayGrow} allows the previous point to have fewer buckets (exponential histograms
   * grow at the top). Delta points pass through.
   */
  private Delta delta(String key, double[] counts, double total, long start, long time, boolean cumulative,
      boolean mayGrow) {
    if (!cumulative) {
      return new Delta(counts, total, start);
    }
    Cumulative prev = previous.put(key, new Cumulative(counts.clone(), total, time));
    boolean sameShape = prev != null && (mayGrow ? prev.counts().length <= counts.length
        : prev.counts().length == counts.length);
    if (!sameShape || prev.total() > total) {
      return new Delta(counts, total, start);
    }
    double[] diff = counts.clone();
    for (int i = 0; i < prev.counts().length; i++) {
      diff[i] -= prev.counts()[i];
    }
    return new Delta(diff, total - prev.total(), prev.time());
  }

  /**
   * An exponential histogram point: bucket {@code i} of the positive range covers
   * {@code (base^(offset+i), base^(offset+i+1)]} with {@code base = 2^(2^-scale)}. Cumulative points are differenced
   * when scale and offset are unchanged (otherwise treated as a reset). The interval's quantiles are interpolated
   * geometrically inside their buckets; the window keeps the highest of its points ({@link HistogramWindow}).
   */
  private void exponential(Map<String, String> res, Family f, double unit, ExponentialHistogramDataPoint p,
      Map<String, String> attrs, boolean cumulative, HistogramWindow w, Rejections rejected) {
    if (p.getScale() < -10 || p.getScale() > 20) {
      rejected.add(Rejections.BAD_HISTOGRAM);
      return;
    }
    int n = p.getPositive().getBucketCountsCount();
    double[] counts = new double[n + 1];
    counts[0] = p.getZeroCount();
    for (int i = 0; i < n; i++) {
      counts[i + 1] = p.getPositive().getBucketCounts(i);
    }
    if (negative(counts, rejected) || !validTotal(p.getCount(), p.getTimeUnixNano(), rejected)) {
      return;
    }
    String key = f + "|exp|" + p.getScale() + "|" + p.getPositive().getOffset() + "|"
        + res.get(Attributes.SERVICE_NAME) + "|" + attrs;
    Delta d = delta(key, counts, p.getCount(), p.getStartTimeUnixNano(), p.getTimeUnixNano(), cumulative, true);
    if (d.total() <= 0) {
      return;
    }
    w.addExponential(d.counts(), d.total(), p.getScale(), p.getPositive().getOffset(), unit);
    w.add(d.total(), d.start(), f.isError(attrs), p.getTimeUnixNano());
  }

  List<Signal> spans(ExportTraceServiceRequest req, Rejections rejected) {
    List<Signal> out = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    for (ResourceSpans rs : req.getResourceSpansList()) {
      String service = resource(rs.getResource()).get(Attributes.SERVICE_NAME);
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
          long start = s.getStartTimeUnixNano();
          long end = s.getEndTimeUnixNano();
          if (s.getTraceId().isEmpty() || s.getSpanId().isEmpty() || end < start) {
            rejected.add(Rejections.BAD_SPAN);
            continue;
          }
          if (!validTime(start, rejected)) {
            continue;
          }
          Span.Kind kind = switch (s.getKind()) {
            case SPAN_KIND_SERVER -> Span.Kind.SERVER;
            case SPAN_KIND_CLIENT -> Span.Kind.CLIENT;
            case SPAN_KIND_PRODUCER -> Span.Kind.PRODUCER;
            case SPAN_KIND_CONSUMER -> Span.Kind.CONSUMER;
            default -> Span.Kind.INTERNAL;
          };
          String parent = s.getParentSpanId().isEmpty() ? null : hex.formatHex(s.getParentSpanId().toByteArray());
          out.add(new Span(hex.formatHex(s.getTraceId().toByteArray()), hex.formatHex(s.getSpanId().toByteArray()),
              parent, service, s.getName().isBlank() ? "unnamed" : s.getName(), kind, time(start),
              Duration.ofNanos(end - start), s.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR));
        }
      }
    }
    return out;
  }

  List<Signal> logs(ExportLogsServiceRequest req, Rejections rejected) {
    List<Signal> out = new ArrayList<>();
    for (var rl : req.getResourceLogsList()) {
      Map<String, String> res = resource(rl.getResource());
      String service = res.get(Attributes.SERVICE_NAME);
      for (var sl : rl.getScopeLogsList()) {
        for (var lr : sl.getLogRecordsList()) {
          long t = lr.getTimeUnixNano() != 0 ? lr.getTimeUnixNano() : lr.getObservedTimeUnixNano();
          if (!validTime(t, rejected)) {
            continue;
          }
          Map<String, String> attrs = new TreeMap<>(res);
          attrs.putAll(attributes(lr.getAttributesList()));
          String severity = lr.getSeverityText().isEmpty() ? lr.getSeverityNumber().name() : lr.getSeverityText();
          String body = text(lr.getBody());
          out.add(new LogRecord(time(t), service, severity, body, attrs));
          String reason = attrs.getOrDefault("k8s.event.reason", attrs.getOrDefault("reason", ""));
          if (OOM_REASONS.contains(reason) || body.contains("OOMKilled")) {
            out.add(new ChangeEvent(time(t), service, ChangeEvent.OOM_KILLED, null,
                body.isBlank() ? "container killed for exceeding its memory limit" : abbreviate(body)));
          }
        }
      }
    }
    return out;
  }

  private static String abbreviate(String s) {
    String line = s.strip().replace('\n', ' ');
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "OtlpMapper[tracked=%d]", trackedState());
  }
}
