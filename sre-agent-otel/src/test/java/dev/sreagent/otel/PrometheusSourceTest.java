package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.MetricNames;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusSourceTest {
  @Test
  void defaultQueriesCoverTheBuiltInIncidentTypes() {
    assertThat(PrometheusSource.defaultQueries()).containsKeys(MetricNames.MEMORY_UTILIZATION,
        MetricNames.LATENCY_P99, MetricNames.ERROR_RATIO, MetricNames.REQUEST_RATE, MetricNames.DISK_UTILIZATION,
        MetricNames.CERTIFICATE_TIME_TO_EXPIRY);
  }

  @Test
  void anUnreachableServerFailsThePollAndTheScheduledLoopCountsAndBacksOff() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PrometheusSource source = PrometheusSource.builder("http://127.0.0.1:" + port)
        .setQueries(Map.of(MetricNames.ERROR_RATIO, "up")).setInterval(Duration.ofMillis(20)).build();
    source.attach(s -> true);
    assertThatThrownBy(() -> source.poll(Instant.now())).isInstanceOf(IOException.class);
    source.start(s -> true);
    Thread.sleep(400);
    source.close();
    assertThat(source.counters().get("poll.failed")).isBetween(1L, 10L);
  }

  @Test
  void badSettingsAreRefusedWithTheValue() {
    assertThatThrownBy(() -> PrometheusSource.builder("http://x").setQueries(Map.of()))
        .hasMessageContaining("queries must not be empty");
    assertThatThrownBy(() -> PrometheusSource.builder("http://x").setInterval(Duration.ZERO))
        .hasMessageContaining("interval must be positive, but was PT0S");
  }
}
