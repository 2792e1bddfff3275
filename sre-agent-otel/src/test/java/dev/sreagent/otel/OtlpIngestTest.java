package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.AlertEvent;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.model.Span;
import dev.sreagent.api.port.Clock;
import dev.sreagent.otel.OtlpHttpReceiver.Endpoint;
import dev.sreagent.otel.OtlpHttpReceiver.Response;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Requests handled in-process: the JSON encoding, validation, conventions, limits and the Alertmanager webhook. */
class OtlpIngestTest {
  static final Instant T0 = Instant.ofEpochSecond(1_700_000_000L);
  static final long T0_NANOS = 1_700_000_000_000_000_000L;
  private final List<Signal> received = new ArrayList<>();
  private final AtomicLong nanos = new AtomicLong();

  private OtlpHttpReceiver receiver(java.util.function.UnaryOperator<OtlpHttpReceiver.Builder> config) {
    OtlpHttpReceiver r = config.apply(OtlpHttpReceiver.builder().setListen(false).setClock(Clock.fixed(T0))
        .setNanoTime(nanos::get)).build();
    r.start(received::add);
    return r;
  }

  static byte[] resource(String name) {
    try (InputStream in = OtlpIngestTest.class.getResourceAsStream("/otlp-json/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<MetricSample> samples(String name) {
    return received.stream().filter(s -> s instanceof MetricSample m && m.name().equals(name))
        .map(MetricSample.class::cast).toList();
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static ExportMetricsServiceRequest gauges(Map<String, String> resource, String name, double value, long time,
      KeyValue... attrs) {
    Resource.Builder res = Resource.newBuilder();
    resource.forEach((k, v) -> res.addAttributes(kv(k, v)));
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder().setResource(res)
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName(name)
            .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder().setAsDouble(value)
                .setTimeUnixNano(time).addAllAttributes(List.of(attrs))))))).build();
  }

  @Test
  void otlpJsonAsTheSpecificationWritesItIsAcceptedAndMapped() {
    OtlpHttpReceiver r = receiver(b -> b);
    Response resp = r.receive(Endpoint.METRICS, "application/json", resource("metrics.json"));
    assertThat(resp.status()).isEqualTo(200);
    assertThat(resp.contentType()).isEqualTo("application/json");
    assertThat(resp.text()).isEqualTo("{}");
    assertThat(samples("queue.depth")).singleElement().satisfies(m -> {
      assertThat(m.value()).isEqualTo(42);
      assertThat(m.service()).isEqualTo("checkout");
      assertThat(m.attribute("queue")).isEqualTo("orders");
      assertThat(m.timestamp()).isEqualTo(T0);
    });
    assertThat(samples("orders.placed")).singleElement().satisfies(m -> assertThat(m.value()).isEqualTo(1234));
    assertThat(samples(MetricNames.ERROR_RATIO)).singleElement()
        .satisfies(m -> assertThat(m.value()).isEqualTo(25.0 / 125));
    assertThat(samples(MetricNames.REQUEST_RATE)).singleElement()
        .satisfies(m -> assertThat(m.value()).isEqualTo(125.0 / 60));
    assertThat(samples(MetricNames.LATENCY_P99)).singleElement()
        .satisfies(m -> assertThat(m.value()).isBetween(0.05, 0.25));

    assertThat(r.receive(Endpoint.TRACES, "application/json; charset=utf-8", resource("traces.json")).status())
        .isEqualTo(200);
    assertThat(received.stream().filter(Span.class::isInstance).map(Span.class::cast)).singleElement()
        .satisfies(s -> {
          assertThat(s.traceId()).isEqualTo("5b8efff798038103d269b633813fc60c");
          assertThat(s.spanId()).isEqualTo("eee19b7ec3c1b174");
          assertThat(s.parentSpanId()).isEqualTo("eee19b7ec3c1b173");
          assertThat(s.kind()).isEqualTo(Span.Kind.CLIENT);
          assertThat(s.error()).isTrue();
          assertThat(s.duration()).isEqualTo(Duration.ofMillis(250));
        });
  }

  @Test
  void malformedJsonGets400WithAMessageThatSaysWhatAndWhere() {
    OtlpHttpReceiver r = receiver(b -> b);
    Response broken = r.receive(Endpoint.METRICS, "application/json",
        "{\"resourceMetrics\": [ {\"resource\": }] }".getBytes(StandardCharsets.UTF_8));
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.text()).contains("\"code\":3").contains("malformed JSON").contains("line 1, column 36");

    Response badId = r.receive(Endpoint.TRACES, "application/json",
        new String(resource("traces.json"), StandardCharsets.UTF_8).replace("EEE19B7EC3C1B174", "not-hex")
            .getBytes(StandardCharsets.UTF_8));
    assertThat(badId.status()).isEqualTo(400);
    assertThat(badId.text()).contains("$.resourceSpans[0].scopeSpans[0].spans[0].spanId must be a hex string");

    Response badType = r.receive(Endpoint.METRICS, "application/json",
        "{\"resourceMetrics\": [{\"scopeMetrics\": [{\"metrics\": [{\"name\": \"x\", \"gauge\": {\"dataPoints\":"
            .concat(" [{\"asInt\": \"many\"}]}}]}]}]}").getBytes(StandardCharsets.UTF_8));
    assertThat(badType.status()).isEqualTo(400);
    assertThat(badType.text()).contains("many");
    assertThat(r.counters()).containsEntry("rejected.decode", 3L);
    assertThat(received).isEmpty();
  }

  @Test
  void invalidPointsAreDroppedCountedByReasonAndReportedAsPartialSuccess() throws Exception {
    OtlpHttpReceiver r = receiver(b -> b.setMaxSampleAge(Duration.ofHours(1)).setMaxClockSkew(Duration.ofMinutes(5)));
    Map<String, String> res = Map.of("service.name", "cart");
    ExportMetricsServiceRequest req = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(gauges(res, "ok", 1, T0_NANOS).getResourceMetrics(0))
        .addResourceMetrics(gauges(res, "nan", Double.NaN, T0_NANOS).getResourceMetrics(0))
        .addResourceMetrics(gauges(res, "old", 1, T0_NANOS - Duration.ofHours(2).toNanos()).getResourceMetrics(0))
        .addResourceMetrics(gauges(res, "future", 1, T0_NANOS + Duration.ofHours(1).toNanos()).getResourceMetrics(0))
        .addResourceMetrics(gauges(res, "untimed", 1, 0).getResourceMetrics(0))
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(
            Metric.newBuilder().setName("requests").setSum(Sum.newBuilder().setIsMonotonic(true).addDataPoints(
                NumberDataPoint.newBuilder().setAsInt(-5).setTimeUnixNano(T0_NANOS))))))
        .build();
    Response resp = r.receive(Endpoint.METRICS, "application/x-protobuf", req.toByteArray());
    assertThat(resp.status()).isEqualTo(200);
    ExportMetricsServiceResponse parsed = ExportMetricsServiceResponse.parseFrom(resp.body());
    assertThat(parsed.getPartialSuccess().getRejectedDataPoints()).isEqualTo(5);
    assertThat(parsed.getPartialSuccess().getErrorMessage())
        .isEqualTo("5 dropped: in-future 1, missing-time 1, negative-counter 1, non-finite 1, too-old 1");
    assertThat(received).singleElement().satisfies(s -> assertThat(((MetricSample) s).name()).isEqualTo("ok"));
    assertThat(r.counters()).containsEntry("accepted.metrics", 1L).containsEntry("rejected.too-old", 1L)
        .containsEntry("rejected.in-future", 1L).containsEntry("rejected.non-finite", 1L)
        .containsEntry("rejected.negative-counter", 1L).containsEntry("rejected.missing-time", 1L);
  }

  @Test
  void systemContainerAndKubernetesConventionsNeedNoMappingConfig() {
    OtlpHttpReceiver r = receiver(b -> b);
    // kubeletstats: no service.name; the workload comes from the pod name
    Map<String, String> pod = Map.of("k8s.namespace.name", "shop", "k8s.pod.name", "cart-5f7c9d8b6-abcde",
        "k8s.container.name", "cart");
    r.receive(Endpoint.METRICS, "application/x-protobuf",
        gauges(pod, "k8s.container.memory_limit", 512e6, T0_NANOS).toByteArray());
    r.receive(Endpoint.METRICS, "application/x-protobuf",
        gauges(pod, "container.memory.working_set", 448e6, T0_NANOS).toByteArray());
    assertThat(samples(MetricNames.MEMORY_UTILIZATION)).singleElement().satisfies(m -> {
      assertThat(m.value()).isEqualTo(448e6 / 512e6);
      assertThat(m.service()).isEqualTo("cart");
      assertThat(m.attribute("k8s.pod.name")).isEqualTo("cart-5f7c9d8b6-abcde");
    });
    r.receive(Endpoint.METRICS, "application/x-protobuf", gauges(Map.of("k8s.pod.name", "db-0"),
        "k8s.pod.memory_limit_utilization", 0.91, T0_NANOS).toByteArray());
    assertThat(samples(MetricNames.MEMORY_UTILIZATION)).last().satisfies(m -> {
      assertThat(m.value()).isEqualTo(0.91);
      assertThat(m.service()).isEqualTo("db");
    });
    // hostmetrics file system usage by state, and CPU by state
    ExportMetricsServiceRequest fs = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(
        ResourceMetrics.newBuilder().setResource(Resource.newBuilder().addAttributes(kv("host.name", "node-1"))
            .addAttributes(kv("service.name", "node")))
            .addScopeMetrics(ScopeMetrics.newBuilder()
                .addMetrics(Metric.newBuilder().setName("system.filesystem.usage").setSum(Sum.newBuilder()
                    .addDataPoints(point(85e9, kv("mountpoint", "/var"), kv("state", "used")))
                    .addDataPoints(point(15e9, kv("mountpoint", "/var"), kv("state", "free")))
                    .addDataPoints(point(5e9, kv("mountpoint", "/var"), kv("state", "reserved")))))
                .addMetrics(Metric.newBuilder().setName("system.cpu.utilization").setGauge(Gauge.newBuilder()
                    .addDataPoints(point(0.2, kv("cpu", "cpu0"), kv("state", "idle")))
                    .addDataPoints(point(0.4, kv("cpu", "cpu1"), kv("state", "idle")))
                    .addDataPoints(point(0.5, kv("cpu", "cpu1"), kv("state", "user")))))))
        .build();
    r.receive(Endpoint.METRICS, "application/x-protobuf", fs.toByteArray());
    assertThat(samples(MetricNames.DISK_UTILIZATION)).singleElement().satisfies(m -> {
      assertThat(m.value()).isEqualTo(0.85);
      assertThat(m.attribute("system.filesystem.mountpoint")).isEqualTo("/var");
      assertThat(m.attribute("host.name")).isEqualTo("node-1");
    });
    assertThat(samples(MetricNames.CPU_UTILIZATION)).singleElement()
        .satisfies(m -> assertThat(m.value()).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-12)));
    // a Kubernetes OOM event (k8s events receiver) is also an oom-killed change of the workload
    assertThat(r.receive(Endpoint.LOGS, "application/json", resource("logs.json")).status()).isEqualTo(200);
    assertThat(received.stream().filter(ChangeEvent.class::isInstance).map(ChangeEvent.class::cast))
        .singleElement().satisfies(e -> {
          assertThat(e.kind()).isEqualTo(ChangeEvent.OOM_KILLED);
          assertThat(e.service()).isEqualTo("payments");
        });
  }

  private static NumberDataPoint point(double v, KeyValue... attrs) {
    return NumberDataPoint.newBuilder().setAsDouble(v).setTimeUnixNano(T0_NANOS).addAllAttributes(List.of(attrs))
        .build();
  }

  @Test
  void aTenantOverItsRateIsToldWhenToRetryAndLosesNothingOnRetry() {
    OtlpHttpReceiver r = receiver(b -> b.setPointsPerSecond(10));
    byte[] one = gauges(Map.of("service.name", "cart"), "g", 1, T0_NANOS).toByteArray();
    for (int i = 0; i < 20; i++) { // the burst: two seconds' worth
      assertThat(r.receive(Endpoint.METRICS, "application/x-protobuf", one).status()).isEqualTo(200);
    }
    Response limited = r.receive(Endpoint.METRICS, "application/x-protobuf", one);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.retryAfterSeconds()).isEqualTo(1);
    assertThat(received).hasSize(20);
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(r.receive(Endpoint.METRICS, "application/x-protobuf", one).status()).isEqualTo(200);
    assertThat(received).hasSize(21);
    assertThat(r.counters()).containsEntry("rejected.rate-limited", 1L);
  }

  @Test
  void newSeriesBeyondTheLimitTakeThePlaceOfIdleOnesOrAreDropped() {
    for (OverflowPolicy policy : OverflowPolicy.values()) {
      received.clear();
      nanos.set(0);
      OtlpHttpReceiver r = receiver(b -> b.setMaxSeriesPerService(2).setOverflowPolicy(policy)
          .setIdleSeriesTimeout(Duration.ofMinutes(10)));
      for (String pod : List.of("a", "b")) {
        r.receive(Endpoint.METRICS, "application/x-protobuf",
            gauges(Map.of("service.name", "cart"), "g", 1, T0_NANOS, kv("pod", pod)).toByteArray());
      }
      byte[] c = gauges(Map.of("service.name", "cart"), "g", 1, T0_NANOS, kv("pod", "c")).toByteArray();
      r.receive(Endpoint.METRICS, "application/x-protobuf", c);
      assertThat(received).as(policy + ": c refused while a and b are live").hasSize(2);
      nanos.addAndGet(Duration.ofMinutes(11).toNanos());
      r.receive(Endpoint.METRICS, "application/x-protobuf", c);
      assertThat(received).as(policy.toString()).hasSize(policy == OverflowPolicy.EVICT_IDLE ? 3 : 2);
      assertThat(r.liveSeries()).isEqualTo(2);
    }
  }

  @Test
  void tenantsAreCapped() {
    OtlpHttpReceiver r = receiver(b -> b.setMaxTenants(2));
    byte[] one = gauges(Map.of("service.name", "cart"), "g", 1, T0_NANOS).toByteArray();
    for (String t : List.of("a", "b", "c")) {
      Response resp = r.receive(Endpoint.METRICS, "application/x-protobuf", null, t,
          new java.io.ByteArrayInputStream(one));
      assertThat(resp.status()).isEqualTo(t.equals("c") ? 429 : 200);
    }
  }

  @Test
  void alertmanagerNotificationsBecomeAlertEvents() {
    OtlpHttpReceiver r = receiver(b -> b);
    assertThat(r.receive(Endpoint.ALERTMANAGER, "application/json", resource("alertmanager.json")).status())
        .isEqualTo(200);
    List<AlertEvent> alerts = received.stream().map(AlertEvent.class::cast).toList();
    assertThat(alerts).hasSize(2);
    assertThat(alerts.get(0)).satisfies(a -> {
      assertThat(a.name()).isEqualTo("KubeContainerOOMKilled");
      assertThat(a.firing()).isTrue();
      assertThat(a.service()).isEqualTo("payments");
      assertThat(a.severity()).isEqualTo("critical");
      assertThat(a.timestamp()).isEqualTo(Instant.parse("2023-11-14T22:12:00Z"));
      assertThat(a.fingerprint()).isEqualTo("c6a2d33cfd6f8c1e");
      assertThat(a.summary()).isEqualTo("Container payments in pod payments-7d9f8b6c5d-x2x4z was OOM killed.; rule:"
          + " increase(kube_pod_container_status_restarts_total{reason=\"OOMKilled\"}[5m]) > 0");
    });
    assertThat(alerts.get(1)).satisfies(a -> {
      assertThat(a.firing()).isFalse();
      assertThat(a.timestamp()).isEqualTo(Instant.parse("2023-11-14T22:10:00Z"));
      assertThat(a.summary()).startsWith("Filesystem on /var");
    });
    Response bad = r.receive(Endpoint.ALERTMANAGER, "application/json",
        "{\"alerts\": [{\"labels\": {}}]}".getBytes(StandardCharsets.UTF_8));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.text()).contains("alerts[0].labels.alertname is missing");
  }

  @Test
  void countersBecomeRatesWithResetsAndDeltasHandled() {
    OtlpHttpReceiver r = receiver(b -> b);
    long minute = Duration.ofMinutes(1).toNanos();
    for (long[] point : new long[][] {{100, T0_NANOS - 2 * minute}, {160, T0_NANOS - minute}, {30, T0_NANOS}}) {
      r.receive(Endpoint.METRICS, "application/x-protobuf", counter(point[0], point[1],
          io.opentelemetry.proto.metrics.v1.AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, 0)
          .toByteArray());
    }
    assertThat(samples("requests.total.rate")).extracting(MetricSample::value).containsExactly(1.0, 0.5);
    received.clear();
    r.receive(Endpoint.METRICS, "application/x-protobuf", counter(90, T0_NANOS,
        io.opentelemetry.proto.metrics.v1.AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
        T0_NANOS - 30_000_000_000L).toByteArray());
    assertThat(samples("requests.total.rate")).extracting(MetricSample::value).containsExactly(3.0);
  }

  private static ExportMetricsServiceRequest counter(long value, long time,
      io.opentelemetry.proto.metrics.v1.AggregationTemporality temporality, long start) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", "cart"))).addScopeMetrics(
            ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("requests.total").setSum(Sum.newBuilder()
                .setIsMonotonic(true).setAggregationTemporality(temporality).addDataPoints(NumberDataPoint
                    .newBuilder().setAsInt(value).setTimeUnixNano(time).setStartTimeUnixNano(start))))))
        .build();
  }
}
