package dev.sreagent.otel;

import static dev.sreagent.otel.OtlpCallEdgeTest.point;
import static dev.sreagent.otel.OtlpCallEdgeTest.resource;
import static dev.sreagent.otel.OtlpIngestTest.kv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology.Dependency;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.StaticTopology;
import dev.sreagent.otel.OtlpHttpReceiver.Endpoint;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * End to end: standard OpenTelemetry server and client duration histograms, as OTLP/JSON, through the receiver into an
 * agent built with the builder; a network delay on checkout's calls to payment is blamed on the edge's callee.
 */
class CallEdgeIncidentTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  /** The OpenTelemetry SDK's default bucket boundaries for durations in seconds. */
  private static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};
  private static final int FAULT_MINUTE = 30;
  private static final int MINUTES = 40;
  private static final int CALLS = 600; // per minute and series

  private final Random random = new Random(18);

  /** A minute of {@code CALLS} calls around {@code seconds} (lognormal jitter), as a delta histogram point. */
  private HistogramDataPoint minute(double seconds, long endNanos, io.opentelemetry.proto.common.v1.KeyValue... attrs) {
    long[] counts = new long[BOUNDS.length + 1];
    for (int i = 0; i < CALLS; i++) {
      double v = seconds * Math.exp(0.15 * random.nextGaussian());
      int bucket = 0;
      while (bucket < BOUNDS.length && v > BOUNDS[bucket]) {
        bucket++;
      }
      counts[bucket]++;
    }
    return point(BOUNDS, counts, endNanos - 60_000_000_000L, endNanos, attrs);
  }

  private static Metric histogram(String name, HistogramDataPoint p) {
    return Metric.newBuilder().setName(name).setUnit("s").setHistogram(Histogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA).addDataPoints(p)).build();
  }

  /**
   * One minute's export of the three services: payment serves in 8 ms throughout; checkout's calls to it take 10 ms,
   * then (the fault) 1 s, 100 times more; checkout serves in its own 20 ms plus that call, frontend in its own 25 ms
   * plus its call to checkout.
   */
  private byte[] export(int minute, long endNanos) {
    double toPayment = minute >= FAULT_MINUTE ? 1.0 : 0.010;
    double checkout = 0.020 + toPayment;
    double toCheckout = checkout + 0.002;
    double frontend = 0.025 + toCheckout;
    ExportMetricsServiceRequest req = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(resource("payment", histogram("http.server.request.duration",
            minute(0.008, endNanos, kv("http.response.status_code", "200")))))
        .addResourceMetrics(resource("checkout",
            histogram("http.server.request.duration", minute(checkout, endNanos,
                kv("http.response.status_code", "200"))),
            histogram("http.client.request.duration", minute(toPayment, endNanos,
                kv("peer.service", "payment"), kv("server.address", "payment.shop.svc"),
                kv("http.request.method", "POST")))))
        .addResourceMetrics(resource("frontend",
            histogram("http.server.request.duration", minute(frontend, endNanos,
                kv("http.response.status_code", "200"))),
            histogram("http.client.request.duration", minute(toCheckout, endNanos,
                kv("peer.service", "checkout"), kv("http.request.method", "GET")))))
        .build();
    return OtlpJson.print(req);
  }

  @Test
  void aDelayOnTheCallToPaymentPutsPaymentFirstWithTheCallerAsEvidence() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    OtlpHttpReceiver receiver = OtlpHttpReceiver.builder().setListen(false).setClock(now::get).build();
    List<Incident> seen = new ArrayList<>();
    try (SreAgent agent = SreAgent.builder().setClock(now::get).setDiscovery(false).setDefaultPhase(Phase.OBSERVE)
        .addTelemetrySource(receiver)
        .setTopologyProvider(StaticTopology.of(List.of(new Dependency("frontend", "checkout"),
            new Dependency("checkout", "payment"))))
        .addNotifier(e -> {
          if (e.kind() == IncidentEvent.Kind.OPENED || e.kind() == IncidentEvent.Kind.UPDATED) {
            seen.add(e.incident());
          }
        }).build()) {
      agent.start();
      for (int i = 0; i < MINUTES; i++) {
        Instant at = T0.plusSeconds(60L * i);
        now.set(at);
        long endNanos = at.getEpochSecond() * 1_000_000_000L;
        assertThat(receiver.receive(Endpoint.METRICS, "application/json", export(i, endNanos)).text())
            .as("minute %d: nothing dropped", i).isEqualTo("{}");
        agent.tick();
        now.set(at.plusSeconds(30));
        agent.tick();
      }
    }

    assertThat(seen).as("an incident opened on the slow callers").isNotEmpty();
    assertThat(seen).allSatisfy(i -> assertThat(i.openedAt()).isAfterOrEqualTo(T0.plusSeconds(60L * FAULT_MINUTE)));
    Incident last = seen.get(seen.size() - 1);
    List<String> ranked = last.candidates().stream().map(RootCandidate::service).toList();
    assertThat(ranked).as("candidates of %s", last).startsWith("payment").contains("checkout", "frontend");
    RootCandidate top = last.candidates().get(0);
    assertThat(top.signal()).isIn(MetricNames.CLIENT_LATENCY_P50, MetricNames.CLIENT_LATENCY_P99);
    assertThat(top.evidence()).contains("of calls from checkout").contains("its own server latency did not move");
    assertThat(top.faultClass()).isEqualTo(dev.sreagent.api.model.FaultClass.NETWORK_DELAY);
  }
}
