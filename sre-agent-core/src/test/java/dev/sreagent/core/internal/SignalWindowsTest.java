package dev.sreagent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.MetricWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignalWindowsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static MetricSample memory(String service, String pod, double v, Instant t) {
    return new MetricSample(MetricNames.MEMORY_UTILIZATION, v, t,
        Map.of(Attributes.SERVICE_NAME, service, Attributes.K8S_POD_NAME, pod));
  }

  private static LogRecord warn(String service, Instant t) {
    return new LogRecord(t, service, "WARN", "slow request", Map.of());
  }

  private static SignalWindows windows(int maxSeries, int maxLogSources) {
    return new SignalWindows(120, maxSeries, 100, 20, maxLogSources, Duration.ofHours(1));
  }

  @Test
  void aBurstOfOneOffSeriesNeitherDisplacesLiveSeriesNorKeepsOutTheSeriesThatComeAfterIt() {
    SignalWindows w = windows(1_000, 100);
    Instant t = T0;
    for (int step = 0; step < 10; step++, t = t.plusSeconds(15)) {
      w.advanceTo(t);
      for (int pod = 0; pod < 20; pod++) {
        w.add(memory("cart", "cart-" + pod, 0.5, t));
      }
      if (step == 5) {
        for (int j = 0; j < 50_000; j++) { // one sample each from 50,000 pods: 50 times the cap
          w.add(memory("burst-" + j % 100, "junk-" + j, 0.4, t));
        }
      }
      if (step >= 7) { // a pod that starts after the burst (a restart, a scale-out)
        w.add(memory("cart", "cart-new", 0.6, t));
      }
    }
    assertThat(w.trackedSeries()).isLessThanOrEqualTo(1_000);
    assertThat(w.windows("cart", T0)).hasSize(21).filteredOn(m -> m.series().contains("cart-new")).singleElement()
        .satisfies(m -> assertThat(m.count()).isEqualTo(3));
    assertThat(w.windows("cart", T0)).filteredOn(m -> !m.series().contains("cart-new"))
        .allSatisfy(m -> assertThat(m.count()).as(m.series()).isEqualTo(10));
    assertThat(w.evictedSeries()).isEqualTo(50_000 + 1 - 980);
    assertThat(w.latest("cart", MetricNames.MEMORY_UTILIZATION)).hasSize(21);
  }

  @Test
  void aRingGrowsToItsCapacityAndKeepsTheLastPoints() {
    SignalWindows w = windows(10, 10);
    for (int i = 0; i < 300; i++) {
      w.add(memory("cart", "cart-1", i, T0.plusSeconds(15L * i)));
      if (i == 0 || i == 4 || i == 5 || i == 119 || i == 299) {
        int n = Math.min(i + 1, 120);
        double first = i + 1 - n;
        assertThat(w.windows("cart", T0)).singleElement().satisfies(m -> {
          assertThat(m.count()).isEqualTo(n);
          assertThat(m.min()).isEqualTo(first);
          assertThat(m.max()).isEqualTo(m.last()).isEqualTo(first + n - 1);
          assertThat(m.from()).isEqualTo(T0.plusSeconds(15L * (long) first));
        });
      }
    }
  }

  @Test
  void seriesAndLogSourcesIdleForTheRetentionTimeAreDropped() {
    SignalWindows w = windows(1_000, 100);
    w.advanceTo(T0);
    w.add(memory("cart", "cart-1", 0.5, T0));
    w.add(memory("ads", "ads-1", 0.5, T0));
    w.add(warn("cart", T0));
    w.add(warn("ads", T0));
    Instant later = T0.plus(Duration.ofMinutes(50));
    w.advanceTo(later);
    w.add(memory("ads", "ads-1", 0.5, later));
    w.add(warn("ads", later));
    w.advanceTo(T0.plus(Duration.ofMinutes(61)));
    assertThat(w.windows("cart", T0)).isEmpty();
    assertThat(w.logs("cart")).isEmpty();
    assertThat(w.windows("ads", T0)).extracting(MetricWindow::count).containsExactly(2);
    assertThat(w.logs("ads")).hasSize(2);
    assertThat(w.trackedSeries()).isEqualTo(1);
    assertThat(w.trackedLogSources()).isEqualTo(1);
    assertThat(w.expiredSeries()).isEqualTo(1);
    assertThat(w.evictedSeries()).isZero();
  }

  @Test
  void aBurstOfServicesThatLogOnceDoesNotDisplaceTheLogsOfServicesThatKeepLogging() {
    SignalWindows w = windows(1_000, 100);
    w.add(warn("checkout", T0));
    w.add(warn("checkout", T0.plusSeconds(1)));
    for (int j = 0; j < 10_000; j++) {
      w.add(warn("junk-" + j, T0.plusSeconds(2)));
    }
    w.add(warn("checkout", T0.plusSeconds(3)));
    assertThat(w.logs("checkout")).hasSize(3);
    assertThat(w.trackedLogSources()).isEqualTo(100);
    assertThat(w.evictedLogSources()).isEqualTo(10_000 - 99);
  }

  @Test
  void aCallEdgesSeriesKeepsItsCalleeAndTheServicesOwnSeriesHasNone() {
    SignalWindows w = windows(100, 10);
    for (int i = 0; i < 3; i++) {
      Instant t = T0.plusSeconds(60L * i);
      w.advanceTo(t);
      w.add(new MetricSample(MetricNames.CLIENT_LATENCY_P50, 0.005 * (i + 1), t,
          Map.of(Attributes.SERVICE_NAME, "frontend", Attributes.PEER_SERVICE, "cart")));
      w.add(new MetricSample(MetricNames.CLIENT_LATENCY_P50, 0.004, t,
          Map.of(Attributes.SERVICE_NAME, "frontend", Attributes.PEER_SERVICE, "ads")));
      w.add(MetricSample.of(MetricNames.CLIENT_LATENCY_P50, 0.02, t, "frontend"));
    }
    var points = w.points("frontend", MetricNames.CLIENT_LATENCY_P50);
    assertThat(points).extracting(dev.sreagent.api.port.RootCauseRanking.Points::peer)
        .containsExactlyInAnyOrder("cart", "ads", "");
    assertThat(points).filteredOn(p -> p.peer().equals("cart")).singleElement()
        .satisfies(p -> assertThat(p.values()).containsExactly(new double[] {0.005, 0.01, 0.015},
            org.assertj.core.data.Offset.offset(1e-6)));
    assertThat(w.points("cart", MetricNames.CLIENT_LATENCY_P50)).isEmpty();
  }

  private static MetricSample edge(String caller, String callee, Instant t) {
    return new MetricSample(MetricNames.CLIENT_LATENCY_P50, 0.01, t,
        Map.of(Attributes.SERVICE_NAME, caller, Attributes.PEER_SERVICE, callee));
  }

  @Test
  void theCallEdgesNamedBySeriesAreStrippedWithoutSelfCallsFollowTheSeriesAndAreCapped() {
    SignalWindows w = windows(100_000, 100);
    w.advanceTo(T0);
    w.add(edge("checkout", " payment ", T0));
    w.add(edge("checkout", "checkout", T0));
    w.add(memory("cart", "cart-0", 0.5, T0));
    assertThat(w.callEdges()).containsExactly(new dev.sreagent.api.model.Topology.Dependency("checkout", "payment"));
    w.advanceTo(T0.plus(Duration.ofHours(2)));
    assertThat(w.callEdges()).as("the series expired, so did its edge").isEmpty();
    Instant t = T0.plus(Duration.ofHours(2));
    for (int i = 0; i < SignalWindows.MAX_CALL_EDGES + 5_000; i++) {
      w.add(edge("frontend", "junk-" + i, t));
    }
    assertThat(w.callEdges()).hasSize(SignalWindows.MAX_CALL_EDGES);
  }

  /**
   * Found by attack: a caller named " " (service.name is not checked for blanks) made a dependency that
   * {@code Topology.Dependency} refuses, so building the agent's topology threw for every anomaly after it.
   */
  @Test
  void aBlankCallerNamesNoCallEdge() {
    SignalWindows w = windows(100, 100);
    w.advanceTo(T0);
    w.add(edge(" ", "payment", T0));
    w.add(edge("checkout", "payment", T0));
    assertThat(w.callEdges()).containsExactly(new dev.sreagent.api.model.Topology.Dependency("checkout", "payment"));
  }
}
