package dev.sreagent.otel;

import static dev.sreagent.otel.OtlpIngestTest.T0;
import static dev.sreagent.otel.OtlpIngestTest.T0_NANOS;
import static dev.sreagent.otel.OtlpIngestTest.kv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Clock;
import dev.sreagent.otel.OtlpHttpReceiver.Endpoint;
import dev.sreagent.otel.OtlpHttpReceiver.Response;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Client duration histograms become the caller's call-edge latency ({@link CallEdges}). */
class OtlpCallEdgeTest {
  private static final long MINUTE = Duration.ofMinutes(1).toNanos();
  /** Seconds: 10, 20, 50, 100, 500 ms, 1 s. */
  static final double[] BOUNDS_S = {0.01, 0.02, 0.05, 0.1, 0.5, 1.0};
  private static final AggregationTemporality DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
  private static final AggregationTemporality CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;

  private final List<Signal> received = new ArrayList<>();
  private final AtomicLong nanos = new AtomicLong();

  private OtlpHttpReceiver receiver(UnaryOperator<OtlpHttpReceiver.Builder> config) {
    OtlpHttpReceiver r = config.apply(OtlpHttpReceiver.builder().setListen(false).setClock(Clock.fixed(T0))
        .setNanoTime(nanos::get)).build();
    r.start(received::add);
    return r;
  }

  /** An explicit-bucket point: {@code counts} per bucket of {@code bounds} (one more than the bounds). */
  static HistogramDataPoint point(double[] bounds, long[] counts, long start, long time, KeyValue... attrs) {
    HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder().setStartTimeUnixNano(start).setTimeUnixNano(time)
        .addAllAttributes(List.of(attrs));
    long total = 0;
    for (double b : bounds) {
      p.addExplicitBounds(b);
    }
    for (long c : counts) {
      p.addBucketCounts(c);
      total += c;
    }
    return p.setCount(total).build();
  }

  /** {@code n} calls in bucket {@code bucket} of {@link #BOUNDS_S} (scaled by {@code scale}), nothing elsewhere. */
  static HistogramDataPoint calls(int bucket, long n, double scale, long start, long time, KeyValue... attrs) {
    double[] bounds = new double[BOUNDS_S.length];
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = BOUNDS_S[i] * scale;
    }
    long[] counts = new long[bounds.length + 1];
    counts[bucket] = n;
    return point(bounds, counts, start, time, attrs);
  }

  static ExportMetricsServiceRequest histograms(String service, String metric, String unit,
      AggregationTemporality temporality, List<HistogramDataPoint> points) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(resource(service, Metric.newBuilder()
        .setName(metric).setUnit(unit).setHistogram(Histogram.newBuilder().setAggregationTemporality(temporality)
            .addAllDataPoints(points)).build())).build();
  }

  static ResourceMetrics resource(String service, Metric... metrics) {
    return ResourceMetrics.newBuilder().setResource(Resource.newBuilder().addAttributes(kv("service.name", service)))
        .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics))).build();
  }

  private Response send(OtlpHttpReceiver r, ExportMetricsServiceRequest req) {
    return r.receive(Endpoint.METRICS, "application/x-protobuf", req.toByteArray());
  }

  private List<MetricSample> samples(String name) {
    return received.stream().filter(s -> s instanceof MetricSample m && m.name().equals(name))
        .map(MetricSample.class::cast).toList();
  }

  /** The linear interpolation of quantile q inside (lower, upper] when every call falls in that bucket. */
  private static double inBucket(double lower, double upper, double q) {
    return lower + (upper - lower) * q;
  }

  @Test
  void aClientHistogramWithPeerServiceBecomesTheCallersP50AndP99OfThatEdge() {
    OtlpHttpReceiver r = receiver(b -> b);
    // two routes to payment merge into one edge; the edge carries nothing but the caller and the callee
    Response resp = send(r, histograms("checkout", "http.client.request.duration", "s", DELTA, List.of(
        calls(1, 60, 1, T0_NANOS - MINUTE, T0_NANOS, kv("peer.service", "payment"),
            kv("http.request.method", "POST"), kv("server.address", "payment.shop.svc"), kv("server.port", "8080")),
        calls(1, 40, 1, T0_NANOS - MINUTE, T0_NANOS, kv("peer.service", "payment"),
            kv("http.request.method", "GET")))));

    assertThat(resp.status()).isEqualTo(200);
    assertThat(resp.text()).isEmpty(); // no partial success: nothing dropped
    Map<String, String> edge = Map.of(Attributes.SERVICE_NAME, "checkout", Attributes.PEER_SERVICE, "payment");
    assertThat(samples(MetricNames.CLIENT_LATENCY_P50)).singleElement().satisfies(m -> {
      assertThat(m.attributes()).isEqualTo(edge);
      assertThat(m.timestamp()).isEqualTo(T0);
      assertThat(m.value()).isCloseTo(inBucket(0.01, 0.02, 0.5), within(1e-12));
    });
    assertThat(samples(MetricNames.CLIENT_LATENCY_P99)).singleElement().satisfies(m -> {
      assertThat(m.attributes()).isEqualTo(edge);
      assertThat(m.value()).isCloseTo(inBucket(0.01, 0.02, 0.99), within(1e-12));
    });
    // a client histogram says nothing about the caller's own serving
    assertThat(received).hasSize(2);
    assertThat(r.counters()).containsEntry("accepted.metrics", 2L);
  }

  @Test
  void withoutPeerServiceTheServerAddressNamesTheCalleeAsItIs() {
    OtlpHttpReceiver r = receiver(b -> b);
    send(r, histograms("frontend", "http.client.request.duration", "s", DELTA, List.of(
        calls(2, 10, 1, T0_NANOS - MINUTE, T0_NANOS, kv("server.address", "checkout.shop.svc.cluster.local"),
            kv("server.port", "8080")),
        calls(3, 10, 1, T0_NANOS - MINUTE, T0_NANOS, kv("server.address", "ads"), kv("peer.service", "adservice")),
        calls(3, 10, 1, T0_NANOS - MINUTE, T0_NANOS, kv("server.address", "  "), kv("peer.service", "")),
        // an address names a pod or a node, not a service: no edge (it would page on an IP that changes)
        calls(3, 10, 1, T0_NANOS - MINUTE, T0_NANOS, kv("server.address", "10.1.2.3"), kv("server.port", "8080")),
        calls(3, 10, 1, T0_NANOS - MINUTE, T0_NANOS, kv("server.address", "fd00::1:2")),
        calls(3, 10, 1, T0_NANOS - MINUTE, T0_NANOS, kv("server.address", "[2001:db8::7]")))));

    assertThat(samples(MetricNames.CLIENT_LATENCY_P99)).extracting(m -> m.attribute(Attributes.PEER_SERVICE))
        .containsExactlyInAnyOrder("checkout.shop.svc.cluster.local", "adservice");
    assertThat(samples(MetricNames.CLIENT_LATENCY_P50)).hasSize(2)
        .allSatisfy(m -> assertThat(m.attributes()).containsOnlyKeys(Attributes.SERVICE_NAME,
            Attributes.PEER_SERVICE));
    assertThat(r.counters()).containsEntry("rejected.no-peer", 4L);
    assertThat(CallEdges.isIpAddress("api.stripe.com")).isFalse();
    assertThat(CallEdges.isIpAddress("cafe")).as("a host name of hex letters").isFalse();
    assertThat(CallEdges.isIpAddress("1.2.3.4")).isTrue();
  }

  @Test
  void aClientPointThatNamesNoPeerIsNoEdgeAndIsCountedAsDropped() throws Exception {
    OtlpHttpReceiver r = receiver(b -> b);
    Response resp = send(r, histograms("checkout", "rpc.client.duration", "ms", DELTA, List.of(
        calls(1, 100, 1000, T0_NANOS - MINUTE, T0_NANOS, kv("rpc.system", "grpc"), kv("net.peer.name", "payment")))));

    assertThat(resp.status()).isEqualTo(200);
    ExportMetricsServiceResponse parsed = ExportMetricsServiceResponse.parseFrom(resp.body());
    assertThat(parsed.getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
    assertThat(parsed.getPartialSuccess().getErrorMessage()).isEqualTo("1 dropped: no-peer 1");
    assertThat(received).isEmpty();
    assertThat(r.mappingState()).as("no state is kept for a point that is not an edge").isZero();
  }

  @Test
  void theMetricsUnitDecidesTheScaleAndEachFamilyHasItsDefault() {
    OtlpHttpReceiver r = receiver(b -> b);
    double expected = inBucket(0.05, 0.1, 0.99);
    // the same calls, 50 to 100 ms, written in seconds, milliseconds and microseconds
    List<ExportMetricsServiceRequest> requests = List.of(
        histograms("a", "http.client.request.duration", "s", DELTA,
            List.of(calls(3, 100, 1, T0_NANOS - MINUTE, T0_NANOS, kv("peer.service", "s")))),
        histograms("a", "http.client.request.duration", "ms", DELTA,
            List.of(calls(3, 100, 1e3, T0_NANOS - MINUTE, T0_NANOS, kv("peer.service", "ms")))),
        histograms("a", "rpc.client.duration", "ms", DELTA,
            List.of(calls(3, 100, 1e3, T0_NANOS - MINUTE, T0_NANOS, kv("peer.service", "rpc-ms")))),
        histograms("a", "rpc.client.duration", "us", DELTA,
            List.of(calls(3, 100, 1e6, T0_NANOS - MINUTE, T0_NANOS, kv("peer.service", "rpc-us")))),
        // no unit: the older rpc.client.duration is in milliseconds, http.client.request.duration in seconds
        histograms("a", "rpc.client.duration", "", DELTA,
            List.of(calls(3, 100, 1e3, T0_NANOS - MINUTE, T0_NANOS, kv("peer.service", "rpc-default")))),
        histograms("a", "http.client.request.duration", "", DELTA,
            List.of(calls(3, 100, 1, T0_NANOS - MINUTE, T0_NANOS, kv("peer.service", "http-default")))));
    requests.forEach(req -> assertThat(send(r, req).status()).isEqualTo(200));

    assertThat(samples(MetricNames.CLIENT_LATENCY_P99)).hasSize(6).allSatisfy(m ->
        assertThat(m.value()).as(m.attribute(Attributes.PEER_SERVICE)).isCloseTo(expected, within(1e-9)));
  }

  @Test
  void cumulativePointsAreDifferencedAndADropInTheCountIsAReset() {
    OtlpHttpReceiver r = receiver(b -> b);
    long start = T0_NANOS - 10 * MINUTE;
    KeyValue payment = kv("peer.service", "payment");
    // minute 1: 100 fast calls; minute 2: 100 more, all slow (0.5 to 1 s); then the caller restarts: 10 fast calls
    long[][] cumulative = {{0, 100, 0, 0, 0, 0, 0}, {0, 100, 0, 0, 0, 100, 0}, {0, 10, 0, 0, 0, 0, 0}};
    long[] starts = {start, start, T0_NANOS - MINUTE / 2};
    for (int i = 0; i < cumulative.length; i++) {
      send(r, histograms("checkout", "http.client.request.duration", "s", CUMULATIVE,
          List.of(point(BOUNDS_S, cumulative[i], starts[i], T0_NANOS - (2 - i) * MINUTE, payment))));
    }

    assertThat(samples(MetricNames.CLIENT_LATENCY_P50)).extracting(MetricSample::value).containsExactly(
        inBucket(0.01, 0.02, 0.5), inBucket(0.5, 1.0, 0.5), inBucket(0.01, 0.02, 0.5));
    assertThat(samples(MetricNames.CLIENT_LATENCY_P99)).extracting(MetricSample::timestamp)
        .containsExactly(T0.minus(Duration.ofMinutes(2)), T0.minus(Duration.ofMinutes(1)), T0);
    assertThat(r.mappingState()).as("one cumulative point per edge series").isEqualTo(1);
  }

  @Test
  void exponentialClientHistogramsGiveTheMedianAndTheTail() {
    OtlpHttpReceiver r = receiver(b -> b);
    // scale 0 (base 2), offset 3: every call between 8 and 16 ms
    ExponentialHistogramDataPoint p = ExponentialHistogramDataPoint.newBuilder().setScale(0).setCount(100)
        .setStartTimeUnixNano(T0_NANOS - MINUTE).setTimeUnixNano(T0_NANOS).addAttributes(kv("peer.service", "cart"))
        .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(3).addBucketCounts(100)).build();
    send(r, ExportMetricsServiceRequest.newBuilder().addResourceMetrics(resource("frontend", Metric.newBuilder()
        .setName("rpc.client.duration").setUnit("ms").setExponentialHistogram(ExponentialHistogram.newBuilder()
            .setAggregationTemporality(DELTA).addDataPoints(p)).build())).build());

    assertThat(samples(MetricNames.CLIENT_LATENCY_P50)).singleElement()
        .satisfies(m -> assertThat(m.value()).isCloseTo(8e-3 * Math.pow(2, 0.5), within(1e-12)));
    assertThat(samples(MetricNames.CLIENT_LATENCY_P99)).singleElement()
        .satisfies(m -> assertThat(m.value()).isCloseTo(8e-3 * Math.pow(2, 0.99), within(1e-12)));
  }

  @Test
  void serverHistogramsOfTheSameResourceStillGiveTheServicesOwnSignals() {
    OtlpHttpReceiver r = receiver(b -> b);
    Metric server = Metric.newBuilder().setName("http.server.request.duration").setUnit("s").setHistogram(
        Histogram.newBuilder().setAggregationTemporality(DELTA).addDataPoints(calls(4, 99, 1, T0_NANOS - MINUTE,
            T0_NANOS, kv("http.response.status_code", "200")))
            .addDataPoints(calls(4, 1, 1, T0_NANOS - MINUTE, T0_NANOS, kv("http.response.status_code", "503"))))
        .build();
    Metric client = Metric.newBuilder().setName("http.client.request.duration").setUnit("s").setHistogram(
        Histogram.newBuilder().setAggregationTemporality(DELTA).addDataPoints(calls(1, 500, 1, T0_NANOS - MINUTE,
            T0_NANOS, kv("peer.service", "payment"), kv("http.response.status_code", "500")))).build();
    send(r, ExportMetricsServiceRequest.newBuilder().addResourceMetrics(resource("checkout", client, server)).build());

    assertThat(samples(MetricNames.LATENCY_P99)).singleElement()
        .satisfies(m -> assertThat(m.value()).isCloseTo(inBucket(0.1, 0.5, 0.99), within(1e-12)));
    assertThat(samples(MetricNames.ERROR_RATIO)).singleElement().satisfies(m -> assertThat(m.value()).isEqualTo(0.01));
    assertThat(samples(MetricNames.REQUEST_RATE)).singleElement()
        .satisfies(m -> assertThat(m.value()).isCloseTo(100 / 60.0, within(1e-12)));
    assertThat(samples(MetricNames.CLIENT_LATENCY_P99)).singleElement()
        .satisfies(m -> assertThat(m.attribute(Attributes.PEER_SERVICE)).isEqualTo("payment"));
  }

  @Test
  void aBurstOfJunkPeersStaysWithinTheCardinalityLimits() {
    OtlpHttpReceiver r = receiver(b -> b);
    int perService = 10_000; // the default limit of live series per service
    Metric server = Metric.newBuilder().setName("http.server.request.duration").setUnit("s").setHistogram(
        Histogram.newBuilder().setAggregationTemporality(DELTA)
            .addDataPoints(calls(1, 100, 1, T0_NANOS - MINUTE, T0_NANOS))).build();
    // 120,000 distinct peers within the idle timeout (none of the admitted ones can make room): beyond the mapper's
    // 100,000 entries of per-series state
    int bursts = 12;
    for (int burst = 0; burst < bursts; burst++) {
      Histogram.Builder junk = Histogram.newBuilder().setAggregationTemporality(CUMULATIVE);
      for (int i = 0; i < 10_000; i++) {
        junk.addDataPoints(calls(1, 1, 1, T0_NANOS - MINUTE, T0_NANOS, kv("server.address", burst + "-" + i)));
      }
      received.clear();
      Response resp = send(r, ExportMetricsServiceRequest.newBuilder().addResourceMetrics(resource("checkout", server,
          Metric.newBuilder().setName("http.client.request.duration").setUnit("s").setHistogram(junk).build()))
          .build());
      assertThat(resp.status()).isEqualTo(200);
      assertThat(r.liveSeries()).as("burst %d", burst).isLessThanOrEqualTo(perService);
      // the caller's own series, known before the junk, are still delivered
      assertThat(samples(MetricNames.LATENCY_P99)).as("burst %d", burst).hasSize(1);
    }
    // 2 series per peer; the first burst filled the service's room left after its own 3 series
    assertThat(r.counters()).containsEntry("rejected.cardinality", bursts * 20_000L - (perService - 3));
    assertThat(r.mappingState()).as("cumulative points of the junk edges: the least recently used are evicted")
        .isEqualTo(100_000);
  }
}
