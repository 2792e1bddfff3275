package dev.sreagent.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.Require;
import dev.sreagent.api.Polling;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Polls a Prometheus server's HTTP API ({@code /api/v1/query_range}) for a set of PromQL queries, each mapped to
 * one of the SDK's metric names, in incremental windows (each poll asks only for what it has not seen). A failed
 * poll is counted and retried at the next interval with exponential backoff (up to 8 intervals). The label named by
 * {@code serviceLabel} (default {@code service}, then {@code job}) becomes {@code service.name}; other labels are
 * kept. {@link #defaultQueries()} covers the five built-in incident types with kube-state-metrics, cAdvisor,
 * node-exporter, blackbox-exporter and OpenTelemetry HTTP metric names.
 */
public final class PrometheusSource implements TelemetrySource {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final URI base;
  private final Map<String, String> queries;
  private final Duration interval;
  private final Duration step;
  private final String serviceLabel;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, Instant> lastEnd = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private @Nullable Polling polling;
  private @Nullable TelemetrySink sink;

  private final Clock clock;

  private PrometheusSource(Builder b) {
    this.base = b.base;
    this.queries = Map.copyOf(b.queries);
    this.interval = b.interval;
    this.step = b.step;
    this.serviceLabel = b.serviceLabel;
    this.clock = b.clock;
  }

  /** A builder for the Prometheus at {@code baseUrl}, for example {@code http://prometheus:9090}. */
  public static Builder builder(String baseUrl) {
    return new Builder(URI.create(Objects.requireNonNull(baseUrl, "baseUrl").replaceAll("/+$", "")));
  }

  /** Default PromQL per SDK metric name. */
  public static Map<String, String> defaultQueries() {
    Map<String, String> q = new LinkedHashMap<>();
    q.put(MetricNames.MEMORY_UTILIZATION, "max by (namespace, pod, container) (container_memory_working_set_bytes"
        + "{container!=\"\"}) / on (namespace, pod, container) max by (namespace, pod, container) "
        + "(kube_pod_container_resource_limits{resource=\"memory\"})");
    q.put(MetricNames.LATENCY_P99, "histogram_quantile(0.99, sum by (service, le) "
        + "(rate(http_server_request_duration_seconds_bucket[5m])))");
    q.put(MetricNames.ERROR_RATIO, "sum by (service) (rate(http_server_request_duration_seconds_count"
        + "{http_response_status_code=~\"5..\"}[5m])) / sum by (service) "
        + "(rate(http_server_request_duration_seconds_count[5m]))");
    q.put(MetricNames.REQUEST_RATE, "sum by (service) (rate(http_server_request_duration_seconds_count[5m]))");
    q.put(MetricNames.DISK_UTILIZATION, "1 - node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay\"} / "
        + "node_filesystem_size_bytes{fstype!~\"tmpfs|overlay\"}");
    q.put(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, "probe_ssl_earliest_cert_expiry - time()");
    return q;
  }

  /** Builder of {@link PrometheusSource}. */
  public static final class Builder {
    private final URI base;
    private Map<String, String> queries = defaultQueries();
    private Duration interval = Duration.ofSeconds(15);
    private Duration step = Duration.ofSeconds(15);
    private String serviceLabel = "service";
    private Clock clock = Clock.system();

    private Builder(URI base) {
      this.base = base;
    }

    /** The queries: SDK metric name -> PromQL. Replaces the defaults. */
    public Builder setQueries(Map<String, String> queries) {
      if (queries.isEmpty()) {
        throw new IllegalArgumentException("queries must not be empty, but was {}");
      }
      this.queries = Map.copyOf(queries);
      return this;
    }

    public Builder setInterval(Duration interval) {
      this.interval = Require.positive(interval, "interval");
      return this;
    }

    public Builder setStep(Duration step) {
      this.step = Require.positive(step, "step");
      return this;
    }

    public Builder setServiceLabel(String label) {
      this.serviceLabel = Objects.requireNonNull(label, "label");
      return this;
    }

    /** The clock that says up to when each poll queries (default the system clock). */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public PrometheusSource build() {
      return new PrometheusSource(this);
    }
  }

  @Override
  public String name() {
    return "prometheus";
  }

  @Override
  public synchronized void start(TelemetrySink target) {
    if (polling != null) {
      return;
    }
    this.sink = Objects.requireNonNull(target, "target");
    polling = Polling.start("sre-agent-prometheus", interval, true, () -> poll(clock.now()),
        (e, inARow, next) -> count("poll.failed", 1));
  }

  /** Sets the sink without scheduling polls (for callers that drive {@link #poll(Instant)} themselves). */
  void attach(TelemetrySink target) {
    this.sink = Objects.requireNonNull(target, "target");
  }

  /** One poll of every query up to {@code now}; returns the samples delivered. */
  public int poll(Instant now) throws IOException, InterruptedException {
    int delivered = 0;
    for (Map.Entry<String, String> q : queries.entrySet()) {
      Instant start = lastEnd.getOrDefault(q.getKey(), now.minus(Duration.ofMinutes(5)));
      if (!start.isBefore(now)) {
        continue;
      }
      String url = base + "/api/v1/query_range?query=" + URLEncoder.encode(q.getValue(), StandardCharsets.UTF_8)
          + "&start=" + start.getEpochSecond() + "&end=" + now.getEpochSecond() + "&step=" + step.toSeconds();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
          .build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("Prometheus answered " + r.statusCode() + " for " + q.getKey() + ": "
            + r.body().substring(0, Math.min(200, r.body().length())));
      }
      JsonNode root = MAPPER.readTree(r.body());
      for (JsonNode series : root.path("data").path("result")) {
        Map<String, String> attrs = new TreeMap<>();
        series.path("metric").properties().forEach(e -> attrs.put(e.getKey(), e.getValue().asText()));
        String service = attrs.getOrDefault(serviceLabel, attrs.getOrDefault("job",
            attrs.getOrDefault("container", Attributes.UNKNOWN_SERVICE)));
        attrs.put(Attributes.SERVICE_NAME, service);
        if (attrs.containsKey("pod")) {
          attrs.put(Attributes.K8S_POD_NAME, attrs.get("pod"));
        }
        for (JsonNode point : series.path("values")) {
          Instant t = Instant.ofEpochMilli(Math.round(point.get(0).asDouble() * 1000));
          if (!t.isAfter(start) && lastEnd.containsKey(q.getKey())) {
            continue;
          }
          double v;
          try {
            v = Double.parseDouble(point.get(1).asText());
          } catch (NumberFormatException e) {
            count("rejected.value", 1);
            continue;
          }
          TelemetrySink target = sink;
          if (target != null && target.accept(new MetricSample(q.getKey(), v, t, attrs))) {
            delivered++;
          }
        }
      }
      lastEnd.put(q.getKey(), now);
    }
    count("samples", delivered);
    return delivered;
  }

  private void count(String key, long n) {
    counters.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(n);
  }

  /** Counters: samples delivered, failed polls, rejected values. */
  public Map<String, Long> counters() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Override
  public synchronized void close() {
    if (polling != null) {
      polling.close();
      polling = null;
    }
  }
}
