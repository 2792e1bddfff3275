package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelfInstrumentationTest {
  @Test
  void theAgentReportsItsOwnMetricsAndOneSpanPerIncident() {
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build();
    Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
    try (SreAgent agent = SreAgent.builder().setClock(() -> now[0]).setOpenTelemetry(otel).setDiscovery(false)
        .build()) {
      agent.sink().accept(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, 86400, now[0],
          Map.of(Attributes.SERVICE_NAME, "web", Attributes.TLS_CERTIFICATE, "web-tls")));
      agent.sink().accept(MetricSample.of(MetricNames.ERROR_RATIO, Double.NaN, now[0], "web"));
      agent.tick();
      now[0] = now[0].plusSeconds(120);
      agent.tick();
      agent.tick();
    }
    Collection<MetricData> data = metrics.collectAllMetrics();
    assertThat(data).extracting(MetricData::getName).contains("sreagent.signals", "sreagent.anomalies",
        "sreagent.incidents.opened", "sreagent.actions");
    MetricData signals = data.stream().filter(m -> m.getName().equals("sreagent.signals")).findFirst().orElseThrow();
    assertThat(signals.getLongSumData().getPoints()).anySatisfy(p -> {
      assertThat(p.getAttributes().asMap().values()).contains("rejected");
      assertThat(p.getValue()).isEqualTo(1);
    });
    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished).singleElement().satisfies(s -> {
      assertThat(s.getName()).isEqualTo("incident certificate-expiry");
      assertThat(s.getEvents()).extracting(e -> e.getName()).contains("INVESTIGATING", "DIAGNOSED", "ESCALATED");
      assertThat(s.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    });
  }
}
