package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.model.Span;
import dev.sreagent.detect.DependencyGraph;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real OpenTelemetry SDK (OTLP http/protobuf exporters, JDK sender) exports to the receiver. */
class OtlpHttpReceiverTest {
  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  private final List<Signal> received = new CopyOnWriteArrayList<>();
  private OtlpHttpReceiver receiver;

  @BeforeEach
  void start() {
    receiver = OtlpHttpReceiver.builder().setPort(0).setMaxBodyBytes(64 * 1024).build();
    receiver.start(received::add);
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + receiver.port() + path;
  }

  private static Resource service(String name) {
    return Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), name)));
  }

  private List<MetricSample> samples(String metric) {
    return received.stream().filter(s -> s instanceof MetricSample m && m.name().equals(metric))
        .map(s -> (MetricSample) s).toList();
  }

  @Test
  void httpServerHistogramsBecomeLatencyErrorsAndTrafficPerExportInterval() {
    OtlpHttpMetricExporter exporter = OtlpHttpMetricExporter.builder().setEndpoint(url("/v1/metrics")).build();
    SdkMeterProvider meters = SdkMeterProvider.builder().setResource(service("checkout"))
        .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
        .build();
    DoubleHistogram h = meters.get("test").histogramBuilder("http.server.request.duration").setUnit("s")
        .setExplicitBucketBoundariesAdvice(List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)).build();
    for (int i = 0; i < 990; i++) {
      h.record(0.02, Attributes.of(STATUS, 200L));
    }
    for (int i = 0; i < 10; i++) {
      h.record(2.0, Attributes.of(STATUS, 500L));
    }
    meters.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(samples(MetricNames.LATENCY_P99)).singleElement().satisfies(m -> {
      assertThat(m.service()).isEqualTo("checkout");
      assertThat(m.value()).isBetween(0.01, 0.025);
    });
    assertThat(samples(MetricNames.ERROR_RATIO)).singleElement()
        .satisfies(m -> assertThat(m.value()).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-9)));
    assertThat(samples(MetricNames.REQUEST_RATE)).singleElement().satisfies(m -> assertThat(m.value()).isPositive());

    // the SDK exports cumulative histograms: the next interval is the difference
    for (int i = 0; i < 100; i++) {
      h.record(2.0, Attributes.of(STATUS, 503L));
    }
    meters.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(samples(MetricNames.ERROR_RATIO)).hasSize(2).last()
        .satisfies(m -> assertThat(m.value()).isEqualTo(1.0));
    assertThat(samples(MetricNames.LATENCY_P99)).last().satisfies(m -> assertThat(m.value()).isBetween(1.0, 2.5));
    meters.close();
  }

  @Test
  void clientAndServerSpansFromTwoServicesBuildTheDependencyGraph() {
    SdkTracerProvider frontend = SdkTracerProvider.builder().setResource(service("frontend"))
        .addSpanProcessor(SimpleSpanProcessor.create(OtlpHttpSpanExporter.builder().setEndpoint(url("/v1/traces"))
            .build())).build();
    SdkTracerProvider checkout = SdkTracerProvider.builder().setResource(service("checkout"))
        .addSpanProcessor(SimpleSpanProcessor.create(OtlpHttpSpanExporter.builder().setEndpoint(url("/v1/traces"))
            .build())).build();
    io.opentelemetry.api.trace.Span client = frontend.get("t").spanBuilder("POST /checkout")
        .setSpanKind(SpanKind.CLIENT).startSpan();
    io.opentelemetry.api.trace.Span server = checkout.get("t").spanBuilder("POST /checkout")
        .setSpanKind(SpanKind.SERVER).setParent(Context.root().with(client)).startSpan();
    server.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
    server.end();
    client.end();
    frontend.forceFlush().join(10, TimeUnit.SECONDS);
    checkout.forceFlush().join(10, TimeUnit.SECONDS);

    List<Span> spans = received.stream().filter(s -> s instanceof Span).map(s -> (Span) s).toList();
    assertThat(spans).hasSize(2);
    DependencyGraph graph = new DependencyGraph();
    spans.forEach(graph::observe);
    assertThat(graph.edges()).singleElement().satisfies(e -> {
      assertThat(e.from() + "->" + e.to()).isEqualTo("frontend->checkout");
      assertThat(e.errors()).isEqualTo(1);
    });
    frontend.close();
    checkout.close();
  }

  @Test
  void badRequestsAreRefusedCountedAndNeverCrashTheReceiver() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    assertThat(http.send(HttpRequest.newBuilder(URI.create(url("/v1/metrics"))).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(url("/v1/metrics")))
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(415);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(url("/v1/traces")))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, 0x13, 0x37, 0x00, 0x42})).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(url("/v1/logs")))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[128 * 1024])).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(413);
    assertThat(receiver.counters()).containsEntry("rejected.method", 1L).containsEntry("rejected.content-type", 1L)
        .containsEntry("rejected.decode", 1L).containsEntry("rejected.too-large", 1L);
    httpServerHistogramsStillWork();
  }

  @Test
  void exponentialHistogramsGiveTheSameSignals() {
    OtlpHttpMetricExporter exporter = OtlpHttpMetricExporter.builder().setEndpoint(url("/v1/metrics"))
        .setDefaultAggregationSelector(io.opentelemetry.sdk.metrics.export.DefaultAggregationSelector.getDefault()
            .with(io.opentelemetry.sdk.metrics.InstrumentType.HISTOGRAM,
                io.opentelemetry.sdk.metrics.Aggregation.base2ExponentialBucketHistogram()))
        .build();
    SdkMeterProvider meters = SdkMeterProvider.builder().setResource(service("payments"))
        .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
        .build();
    DoubleHistogram h = meters.get("test").histogramBuilder("http.server.request.duration").setUnit("s").build();
    for (int i = 0; i < 980; i++) {
      h.record(0.040, Attributes.of(STATUS, 200L));
    }
    for (int i = 0; i < 20; i++) {
      h.record(1.5, Attributes.of(STATUS, 502L));
    }
    meters.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(samples(MetricNames.LATENCY_P99)).singleElement()
        .satisfies(m -> assertThat(m.value()).isBetween(1.2, 1.8));
    assertThat(samples(MetricNames.ERROR_RATIO)).singleElement()
        .satisfies(m -> assertThat(m.value()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-9)));
    meters.close();
  }

  @Test
  void aLabelExplosionIsCappedPerServiceAndCounted() {
    receiver.close();
    receiver = OtlpHttpReceiver.builder().setPort(0).setMaxSeriesPerService(5).build();
    receiver.start(received::add);
    OtlpHttpMetricExporter exporter = OtlpHttpMetricExporter.builder().setEndpoint(url("/v1/metrics")).build();
    SdkMeterProvider meters = SdkMeterProvider.builder().setResource(service("cart"))
        .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
        .build();
    var counter = meters.get("t").counterBuilder("orders").build();
    for (int i = 0; i < 50; i++) {
      counter.add(1, Attributes.of(AttributeKey.stringKey("user.id"), "user-" + i));
    }
    meters.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(samples("orders")).hasSize(5);
    assertThat(receiver.counters()).containsEntry("rejected.cardinality", 45L);
    meters.close();
  }

  private void httpServerHistogramsStillWork() {
    OtlpHttpMetricExporter exporter = OtlpHttpMetricExporter.builder().setEndpoint(url("/v1/metrics")).build();
    SdkMeterProvider meters = SdkMeterProvider.builder().setResource(service("cart"))
        .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
        .build();
    meters.get("t").gaugeBuilder("container.memory.utilization").buildWithCallback(g -> g.record(0.5));
    meters.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(samples("container.memory.utilization")).singleElement()
        .satisfies(m -> assertThat(m.service()).isEqualTo("cart"));
    meters.close();
  }
}
