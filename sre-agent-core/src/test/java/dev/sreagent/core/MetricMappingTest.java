package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.detect.ErrorRateDetector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

/** Metrics of other names and units mapped onto the detectors' signals, from configuration keys. */
class MetricMappingTest {
  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

  static MetricMapping nezha() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("metrics.map.PodServerLatencyP99(s)", "latency-p99");
    config.put("metrics.map.PodSuccessRate(%)", "error-ratio * -0.01 + 1");
    config.put("metrics.map.MemoryUsageRate(%)", "memory-utilization * 0.01");
    config.put("metrics.map.job:requests:rate5m", "http.server.request.rate");
    config.put("otlp.listen", "127.0.0.1:4318");  // not a mapping key: ignored here
    List<String> problems = new ArrayList<>();
    MetricMapping m = MetricMapping.fromConfig(config, problems);
    assertThat(problems).isEmpty();
    return m;
  }

  @Test
  void samplesOfMappedNamesAreRenamedAndRescaledAndEverythingElsePasses() {
    MetricMapping m = nezha();
    assertThat(m.rules()).containsOnlyKeys("PodServerLatencyP99(s)", "PodSuccessRate(%)", "MemoryUsageRate(%)",
        "job:requests:rate5m");
    MetricSample success = MetricSample.of("PodSuccessRate(%)", 97.5, T0, "cart");
    Signal mapped = m.apply(success);
    assertThat(mapped).isInstanceOfSatisfying(MetricSample.class, s -> {
      assertThat(s.name()).isEqualTo(MetricNames.ERROR_RATIO);
      assertThat(s.value()).isCloseTo(0.025, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(s.timestamp()).isEqualTo(T0);
      assertThat(s.attributes()).isEqualTo(success.attributes());
    });
    assertThat(((MetricSample) m.apply(MetricSample.of("MemoryUsageRate(%)", 86, T0, "cart"))).value())
        .isCloseTo(0.86, org.assertj.core.data.Offset.offset(1e-12));
    MetricSample other = MetricSample.of("PodWorkload(Ops)", 12, T0, "cart");
    assertThat(m.apply(other)).isSameAs(other);
    assertThat(m.toString()).contains("metrics.map.PodSuccessRate(%) = error-ratio * -0.01 + 1.0");
  }

  @Test
  void everyBadRuleIsReportedNamingItsKeyAndTheFix() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("metrics.map.a", "latency");
    config.put("metrics.map.b", "error-ratio * x");
    config.put("metrics.map.c", "error-ratio * 0");
    config.put("metrics.map.d", "error-ratio + 1 extra");
    config.put("metrics.map.e", "");
    config.put("metrics.map.f", "latency-p99 *");
    List<String> problems = new ArrayList<>();
    MetricMapping m = MetricMapping.fromConfig(config, problems);
    assertThat(m.isEmpty()).isTrue();
    assertThat(problems).hasSize(6);
    assertThat(problems.get(0)).startsWith("metrics.map.a: 'latency' is not a signal kind; use one of latency-p99"
        + " (seconds), error-ratio (a fraction from 0 to 1)");
    assertThat(problems.get(1)).isEqualTo("metrics.map.b: 'x' is not a number (a scale after '*')");
    assertThat(problems.get(2)).startsWith("metrics.map.c: the scale must be a finite non-zero number");
    assertThat(problems.get(3)).startsWith("metrics.map.d: unexpected 'extra'");
    assertThat(problems.get(4)).startsWith("metrics.map.e needs a signal kind");
    assertThat(problems.get(5)).startsWith("metrics.map.f needs a scale after '*'");
    assertThatThrownBy(() -> MetricMapping.of(List.of(MetricMapping.parseRule("x", "latency-p99"),
        MetricMapping.parseRule("x", "error-ratio")))).hasMessageContaining("metrics.map.x is given twice");
  }

  @Property
  void aRuleIsTheLinearMapItsLineSays(@ForAll @DoubleRange(min = -1e6, max = 1e6) double x,
      @ForAll @DoubleRange(min = -100, max = 100) double scale, @ForAll @DoubleRange(min = -100, max = 100) double o) {
    if (scale == 0) {
      return;
    }
    MetricMapping.Rule r = MetricMapping.parseRule("m", "cpu-utilization * " + scale + (o < 0 ? " - " + (-o)
        : " + " + o));
    assertThat(r.apply(x)).isEqualTo(scale * x + o);
    assertThat(MetricMapping.parseRule("m", r.toString().substring(r.toString().indexOf('=') + 1))).isEqualTo(r);
  }

  @Test
  void aSuccessRateInPercentPagesThroughTheErrorRateDetectorOnceMapped() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    Clock clock = now::get;
    try (SreAgent agent = SreAgent.builder().setClock(clock).setDetectors(List.of(new ErrorRateDetector()))
        .setDiscovery(false).build()) {
      TelemetrySink sink = nezha().wrap(agent.sink());
      for (int i = 0; i < 80; i++) {  // 20 minutes at 99.9% success, then 3 minutes at 70%
        now.set(now.get().plusSeconds(15));
        sink.accept(MetricSample.of("PodSuccessRate(%)", i < 68 ? 99.9 : 70, now.get(), "cart"));
        agent.tick();
      }
      assertThat(agent.incidents()).singleElement().satisfies(i -> {
        assertThat(i.type()).isEqualTo(IncidentType.ERROR_RATE_SPIKE);
        assertThat(i.rootService()).isEqualTo("cart");
      });
    }
    try (SreAgent unmapped = SreAgent.builder().setClock(clock).setDetectors(List.of(new ErrorRateDetector()))
        .setDiscovery(false).build()) {
      for (int i = 0; i < 80; i++) {
        now.set(now.get().plusSeconds(15));
        unmapped.sink().accept(MetricSample.of("PodSuccessRate(%)", i < 68 ? 99.9 : 70, now.get(), "cart"));
        unmapped.tick();
      }
      assertThat(unmapped.incidents()).as("without the mapping the detectors never see it").isEmpty();
    }
  }

  @Test
  void aConfigurationFilesMappingRulesAreReadOtherKeysIgnoredAndEachBadLineNamed() {
    List<String> problems = new ArrayList<>();
    MetricMapping m = MetricMapping.fromLines(List.of(
        "# comment",
        "topology.file = edges.csv",
        "metrics.map.PodSuccessRate(%) = error-ratio * -0.01 + 1   # percent to a ratio",
        "metrics.map.latency_src50 = client-latency-p50",
        "metrics.map.x = nonsense",
        "metrics.map.PodSuccessRate(%) = error-ratio"), "m.conf", problems);

    assertThat(m.rules()).containsOnlyKeys("PodSuccessRate(%)", "latency_src50");
    assertThat(m.rules().get("PodSuccessRate(%)").apply(97)).isCloseTo(0.03, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(m.rules().get("latency_src50").kind().metric()).isEqualTo(MetricNames.CLIENT_LATENCY_P50);
    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).startsWith("m.conf:5: metrics.map.x: 'nonsense' is not a signal kind")
        .contains("client-latency-p50 (seconds)");
    assertThat(problems.get(1)).startsWith("m.conf:6: metrics.map.PodSuccessRate(%) is given twice");
  }
  /**
   * Two names mapped to one kind (the shipped bench mapping does so for two datasets), both sent by one service: the
   * first feeds the series and the other is refused and counted, never interleaved into one baseline; another service
   * or another pod is another series; a metric of no mapped kind passes untouched.
   */
  @Test
  void oneSeriesIsFedByTheFirstMetricThatArrivesForIt() {
    MetricMapping m = MetricMapping.fromLines(List.of("metrics.map.PodServerLatencyP99(s) = latency-p99",
        "metrics.map.latency_p99 = latency-p99", "metrics.map.cpu_pct = cpu-utilization * 0.01",
        "metrics.map.CpuUsageRate(%) = cpu-utilization * 0.01"), "t", new ArrayList<>());
    List<Signal> got = new ArrayList<>();
    TelemetrySink sink = m.wrap(signal -> got.add(signal));
    Instant t = Instant.parse("2026-12-07T00:00:00Z");

    assertThat(sink.accept(sample("PodServerLatencyP99(s)", 0.2, t, "cart", ""))).isTrue();
    assertThat(sink.accept(sample("latency_p99", 9.0, t, "cart", ""))).as("taken, not a full queue").isTrue();
    assertThat(sink.accept(sample(MetricNames.LATENCY_P99, 7.0, t, "cart", ""))).isTrue();
    sink.accept(sample("latency_p99", 0.3, t, "checkout", ""));
    sink.accept(sample("cpu_pct", 50, t, "cart", "cart-0"));
    sink.accept(sample("CpuUsageRate(%)", 60, t, "cart", "cart-1"));
    sink.accept(sample("CpuUsageRate(%)", 70, t, "cart", "cart-0"));
    sink.accept(sample("queue.depth", 12, t, "cart", ""));

    assertThat(got).extracting(x -> ((MetricSample) x).name() + "=" + ((MetricSample) x).value() + "@"
        + ((MetricSample) x).attributes().get("service.name") + ((MetricSample) x).attributes().getOrDefault(
            "k8s.pod.name", "")).containsExactly(MetricNames.LATENCY_P99 + "=0.2@cart",
        MetricNames.LATENCY_P99 + "=0.3@checkout", MetricNames.CPU_UTILIZATION + "=0.5@cartcart-0",
        MetricNames.CPU_UTILIZATION + "=0.6@cartcart-1", "queue.depth=12.0@cart");
    assertThat(m.conflictingSamples()).isEqualTo(3);
  }

  /**
   * A burst of junk series does not grow the check without bound: past {@link OneFeedPerSeries#MAX_TRACKED_SERIES}
   * series a new one is not checked (its samples pass as they are), and the series already tracked still are.
   */
  @Test
  void theCheckTracksAtMostItsBoundOfSeries() {
    MetricMapping m = MetricMapping.fromLines(List.of("metrics.map.a = latency-p99", "metrics.map.b = latency-p99"),
        "t", new ArrayList<>());
    List<Signal> got = new ArrayList<>();
    TelemetrySink sink = m.wrap(got::add);
    Instant t = Instant.parse("2026-12-07T00:00:00Z");
    for (int i = 0; i < OneFeedPerSeries.MAX_TRACKED_SERIES + 10; i++) {
      sink.accept(sample("a", 0.1, t, "junk-" + i, ""));
    }
    sink.accept(sample("b", 0.2, t, "junk-0", ""));
    sink.accept(sample("b", 0.3, t, "junk-" + (OneFeedPerSeries.MAX_TRACKED_SERIES + 5), ""));

    assertThat(m.conflictingSamples()).as("junk-0 is tracked: b refused").isEqualTo(1);
    assertThat(got).hasSize(OneFeedPerSeries.MAX_TRACKED_SERIES + 11);
  }

  private static MetricSample sample(String name, double v, Instant t, String service, String pod) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("service.name", service);
    if (!pod.isEmpty()) {
      a.put("k8s.pod.name", pod);
    }
    return new MetricSample(name, v, t, a);
  }
}
