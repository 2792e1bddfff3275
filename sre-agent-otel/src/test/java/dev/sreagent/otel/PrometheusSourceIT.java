package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Against a real Prometheus (started by .ci/run, scraping this test's exporter every second): an instrumented
 * "service" serves requests with 10% errors; the source's default queries turn them into error ratio, request rate
 * and p99 samples. Needs -Dprometheus.url and -Dexporter.port.
 */
class PrometheusSourceIT {
  @Test
  void defaultQueriesTurnHttpServerMetricsIntoTheDetectorsSignals() throws Exception {
    String url = System.getProperty("prometheus.url", "");
    String port = System.getProperty("exporter.port", "");
    if (url.isBlank() || port.isBlank() || url.startsWith("$")) {
      throw new IllegalStateException("set -Dprometheus.url and -Dexporter.port (.ci/run starts Prometheus)");
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    Histogram duration = Histogram.builder().name("http_server_request_duration_seconds")
        .labelNames("service", "http_response_status_code")
        .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5).register(registry);
    AtomicBoolean running = new AtomicBoolean(true);
    Thread load = new Thread(() -> {
      Random rng = new Random(1);
      while (running.get()) {
        for (int i = 0; i < 100; i++) {
          boolean error = rng.nextInt(10) == 0;
          duration.labelValues("checkout", error ? "503" : "200").observe(error ? 1.2 : 0.02);
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    load.start();
    try (HTTPServer exporter = HTTPServer.builder().hostname("127.0.0.1").port(Integer.parseInt(port))
        .registry(registry).buildAndStart()) {
      HttpClient http = HttpClient.newHttpClient();
      String up = url + "/api/v1/query?query=" + java.net.URLEncoder.encode(
          "sum_over_time(up{job=\"test\"}[1m])", java.nio.charset.StandardCharsets.UTF_8);
      // wait for six successful scrapes (up == 1); failed scrapes before the exporter started count as samples
      // too, so counting them (count_over_time) would not wait for any data
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        String body = http.send(HttpRequest.newBuilder(URI.create(up)).build(), HttpResponse.BodyHandlers.ofString())
            .body();
        if (body.matches("(?s).*\"value\":\\[[0-9.]+,\"([6-9]|[1-9][0-9]+)\"\\].*")) {
          break;
        }
        Thread.sleep(500);
      }
      List<Signal> got = new CopyOnWriteArrayList<>();
      PrometheusSource source = PrometheusSource.builder(url).setStep(java.time.Duration.ofSeconds(1)).build();
      source.attach(got::add);
      int delivered = source.poll(Instant.now());
      assertThat(delivered).isPositive();
      List<MetricSample> samples = got.stream().map(s -> (MetricSample) s).toList();
      assertThat(samples).filteredOn(m -> m.name().equals(MetricNames.ERROR_RATIO)).isNotEmpty()
          .allSatisfy(m -> {
            assertThat(m.service()).isEqualTo("checkout");
            assertThat(m.value()).isBetween(0.03, 0.2);
          });
      assertThat(samples).filteredOn(m -> m.name().equals(MetricNames.REQUEST_RATE)).isNotEmpty()
          .allSatisfy(m -> assertThat(m.value()).isPositive());
      assertThat(samples).filteredOn(m -> m.name().equals(MetricNames.LATENCY_P99)).isNotEmpty()
          .allSatisfy(m -> assertThat(m.value()).isBetween(0.5, 2.5));
      int again = source.poll(Instant.now());
      assertThat(again).as("incremental: the second poll returns only new points").isLessThan(delivered);
    } finally {
      running.set(false);
      load.interrupt();
    }
  }
}
