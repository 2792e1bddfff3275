package dev.sreagent.otel;

import dev.sreagent.api.model.Attributes;
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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps OTLP requests onto the SDK's signals.
 * <ul>
 *   <li>Resource attributes ({@code service.name}, {@code k8s.*}, {@code host.name}) are copied onto every sample.
 *   <li>Gauges and sums become samples under their own name (cumulative sums as their running value).
 *   <li>The HTTP server duration histogram ({@code http.server.request.duration}, seconds) is turned, per service
 *       and export interval, into the three signals the detectors read: p99 latency from the buckets, error ratio
 *       (points with {@code http.response.status_code} 5xx or an {@code error.type}) and request rate. Cumulative
 *       histograms are differenced against the previous export (a drop in count is a reset).
 *   <li>Spans keep their ids (hex), kind, timing and error status; logs keep severity and body.
 * </ul>
 * Holds the previous cumulative histogram per series (bounded). Not thread-safe: the receiver serialises calls.
 */
final class OtlpMapper {
  static final String HTTP_SERVER_DURATION = "http.server.request.duration";
  private static final int MAX_SERIES = 100_000;
  /** The last cumulative point of a series: bucket counts, total count, time. */
  private record Cumulative(double[] counts, double total, long time) {}

  /** The part of a cumulative point that is new since the previous export. */
  private record Delta(double[] counts, double total, long start) {}

  private final Map<String, Cumulative> previous = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Cumulative> eldest) {
      return size() > MAX_SERIES;
    }
  };

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
      default -> v.toString().trim();
    };
  }

  private static Map<String, String> resource(Resource r) {
    Map<String, String> attrs = attributes(r.getAttributesList());
    attrs.putIfAbsent(Attributes.SERVICE_NAME, Attributes.UNKNOWN_SERVICE);
    return attrs;
  }

  private static Instant time(long unixNanos) {
    return Instant.ofEpochSecond(0, unixNanos);
  }

  /** Per service and interval: merged histogram deltas. */
  private static final class Window {
    final Map<String, String> attrs;
    double count;
    double errors;
    double[] bounds = new double[0];
    double[] buckets = new double[0];
    long start = Long.MAX_VALUE;
    long end;
    double expP99;

    Window(Map<String, String> attrs) {
      this.attrs = attrs;
    }

    /** Counts a point's requests, and as errors when its status is 5xx or it carries {@code error.type}. */
    void add(Delta d, Map<String, String> pointAttrs, long time) {
      count += d.total();
      String status = pointAttrs.getOrDefault("http.response.status_code", "");
      if (status.startsWith("5") || pointAttrs.containsKey("error.type")) {
        errors += d.total();
      }
      start = Math.min(start, d.start());
      end = Math.max(end, time);
    }
  }

  List<Signal> metrics(ExportMetricsServiceRequest req, int[] rejected) {
    List<Signal> out = new ArrayList<>();
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      Map<String, String> res = resource(rm.getResource());
      Window http = null;
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          switch (m.getDataCase()) {
            case GAUGE -> m.getGauge().getDataPointsList().forEach(p -> number(m.getName(), p, res, out, rejected));
            case SUM -> m.getSum().getDataPointsList().forEach(p -> number(m.getName(), p, res, out, rejected));
            case HISTOGRAM -> {
              if (m.getName().equals(HTTP_SERVER_DURATION)) {
                boolean cumulative = isCumulative(m.getHistogram().getAggregationTemporality());
                for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                  if (http == null) {
                    http = new Window(res);
                  }
                  histogram(res, p, cumulative, http, rejected);
                }
              }
            }
            case EXPONENTIAL_HISTOGRAM -> {
              if (m.getName().equals(HTTP_SERVER_DURATION)) {
                boolean cumulative = isCumulative(m.getExponentialHistogram().getAggregationTemporality());
                for (var p : m.getExponentialHistogram().getDataPointsList()) {
                  if (http == null) {
                    http = new Window(res);
                  }
                  exponential(res, p, cumulative, http, rejected);
                }
              }
            }
            default -> { }
          }
        }
      }
      if (http != null && http.count > 0) {
        Instant at = time(http.end);
        Map<String, String> attrs = Map.of(Attributes.SERVICE_NAME, res.get(Attributes.SERVICE_NAME));
        double p99 = http.bounds.length > 0 || http.buckets.length > 0 ? quantile(http.bounds, http.buckets, 0.99)
            : http.expP99;
        out.add(new MetricSample(MetricNames.LATENCY_P99, Math.max(p99, http.expP99), at, attrs));
        out.add(new MetricSample(MetricNames.ERROR_RATIO, http.errors / http.count, at, attrs));
        double seconds = Math.max(1e-3, (http.end - http.start) / 1e9);
        out.add(new MetricSample(MetricNames.REQUEST_RATE, http.count / seconds, at, attrs));
      }
    }
    return out;
  }

  private static void number(String name, NumberDataPoint p, Map<String, String> res, List<Signal> out,
      int[] rejected) {
    double v = p.hasAsDouble() ? p.getAsDouble() : p.getAsInt();
    if (!Double.isFinite(v) || p.getTimeUnixNano() == 0) {
      rejected[0]++;
      return;
    }
    Map<String, String> attrs = new TreeMap<>(res);
    attrs.putAll(attributes(p.getAttributesList()));
    out.add(new MetricSample(name, v, time(p.getTimeUnixNano()), attrs));
  }

  private void histogram(Map<String, String> res, HistogramDataPoint p, boolean cumulative, Window w,
      int[] rejected) {
    Map<String, String> attrs = attributes(p.getAttributesList());
    int n = p.getBucketCountsCount();
    if (n == 0 || n != p.getExplicitBoundsCount() + 1 || p.getTimeUnixNano() == 0) {
      rejected[0]++;
      return;
    }
    double[] counts = new double[n];
    for (int i = 0; i < n; i++) {
      counts[i] = p.getBucketCounts(i);
    }
    String key = res.get(Attributes.SERVICE_NAME) + "|" + attrs;
    Delta d = delta(key, counts, p.getCount(), p.getStartTimeUnixNano(), p.getTimeUnixNano(), cumulative, false);
    counts = d.counts();
    if (d.total() <= 0) {
      return;
    }
    double[] bounds = new double[n - 1];
    for (int i = 0; i < n - 1; i++) {
      bounds[i] = p.getExplicitBounds(i);
    }
    if (w.bounds.length == 0) {
      w.bounds = bounds;
      w.buckets = new double[n];
    }
    if (java.util.Arrays.equals(w.bounds, bounds)) {
      for (int i = 0; i < n; i++) {
        w.buckets[i] += counts[i];
      }
    }
    w.add(d, attrs, p.getTimeUnixNano());
  }

  private static boolean isCumulative(io.opentelemetry.proto.metrics.v1.AggregationTemporality t) {
    return t == io.opentelemetry.proto.metrics.v1.AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
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
   * when scale and offset are unchanged (otherwise treated as a reset). The interval's p99 is interpolated
   * geometrically inside its bucket; the window keeps the highest p99 of its points.
   */
  private void exponential(Map<String, String> res, io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint p,
      boolean cumulative, Window w, int[] rejected) {
    if (p.getTimeUnixNano() == 0 || p.getScale() < -10 || p.getScale() > 20) {
      rejected[0]++;
      return;
    }
    Map<String, String> attrs = attributes(p.getAttributesList());
    int n = p.getPositive().getBucketCountsCount();
    double[] counts = new double[n + 1];
    counts[0] = p.getZeroCount();
    for (int i = 0; i < n; i++) {
      counts[i + 1] = p.getPositive().getBucketCounts(i);
    }
    String key = "exp|" + p.getScale() + "|" + p.getPositive().getOffset() + "|" + res.get(Attributes.SERVICE_NAME)
        + "|" + attrs;
    Delta d = delta(key, counts, p.getCount(), p.getStartTimeUnixNano(), p.getTimeUnixNano(), cumulative, true);
    counts = d.counts();
    double total = d.total();
    if (total <= 0) {
      return;
    }
    double base = Math.pow(2, Math.pow(2, -p.getScale()));
    double target = 0.99 * total;
    double seen = counts[0];
    double p99 = 0;
    if (seen < target) {
      for (int i = 1; i < counts.length; i++) {
        if (seen + counts[i] >= target && counts[i] > 0) {
          int index = p.getPositive().getOffset() + i - 1;
          double lower = Math.pow(base, index);
          double fraction = (target - seen) / counts[i];
          p99 = lower * Math.pow(base, fraction);
          break;
        }
        seen += counts[i];
      }
    }
    w.expP99 = Math.max(w.expP99, p99);
    w.add(d, attrs, p.getTimeUnixNano());
  }

  /** The q-quantile of explicit-bucket counts, interpolated linearly inside the bucket. */
  static double quantile(double[] bounds, double[] buckets, double q) {
    double total = 0;
    for (double b : buckets) {
      total += b;
    }
    if (total <= 0) {
      return 0;
    }
    double target = q * total;
    double seen = 0;
    for (int i = 0; i < buckets.length; i++) {
      if (seen + buckets[i] >= target && buckets[i] > 0) {
        double lower = i == 0 ? 0 : bounds[i - 1];
        double upper = i < bounds.length ? bounds[i] : lower;
        return lower + (upper - lower) * (target - seen) / buckets[i];
      }
      seen += buckets[i];
    }
    return bounds.length == 0 ? 0 : bounds[bounds.length - 1];
  }

  List<Signal> spans(ExportTraceServiceRequest req, int[] rejected) {
    List<Signal> out = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    for (ResourceSpans rs : req.getResourceSpansList()) {
      String service = resource(rs.getResource()).get(Attributes.SERVICE_NAME);
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
          long start = s.getStartTimeUnixNano();
          long end = s.getEndTimeUnixNano();
          if (s.getTraceId().isEmpty() || s.getSpanId().isEmpty() || start == 0 || end < start) {
            rejected[0]++;
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
              parent, service, s.getName().isEmpty() ? "unnamed" : s.getName(), kind, time(start),
              Duration.ofNanos(end - start), s.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR));
        }
      }
    }
    return out;
  }

  List<Signal> logs(ExportLogsServiceRequest req, int[] rejected) {
    List<Signal> out = new ArrayList<>();
    for (var rl : req.getResourceLogsList()) {
      Map<String, String> res = resource(rl.getResource());
      for (var sl : rl.getScopeLogsList()) {
        for (var lr : sl.getLogRecordsList()) {
          long t = lr.getTimeUnixNano() != 0 ? lr.getTimeUnixNano() : lr.getObservedTimeUnixNano();
          if (t == 0) {
            rejected[0]++;
            continue;
          }
          Map<String, String> attrs = new TreeMap<>(res);
          attrs.putAll(attributes(lr.getAttributesList()));
          String severity = lr.getSeverityText().isEmpty() ? lr.getSeverityNumber().name() : lr.getSeverityText();
          out.add(new LogRecord(time(t), res.get(Attributes.SERVICE_NAME), severity, text(lr.getBody()), attrs));
        }
      }
    }
    return out;
  }
}
