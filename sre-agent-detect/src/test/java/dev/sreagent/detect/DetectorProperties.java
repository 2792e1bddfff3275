package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.port.Detector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class DetectorProperties {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Provide
  Arbitrary<List<Double>> values() {
    return Arbitraries.oneOf(Arbitraries.doubles().between(-10, 10), Arbitraries.of(Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -Double.MAX_VALUE, 0.0))
        .list().ofMaxSize(300);
  }

  @Property(tries = 200)
  void detectorsNeverThrowAndReportValidAnomalies(@ForAll("values") List<Double> values) {
    for (Detector d : BuiltInDetectors.create()) {
      String[] metrics = {MetricNames.MEMORY_UTILIZATION, MetricNames.LATENCY_P99, MetricNames.ERROR_RATIO,
          MetricNames.DISK_UTILIZATION, MetricNames.CERTIFICATE_TIME_TO_EXPIRY};
      for (int i = 0; i < values.size(); i++) {
        for (String m : metrics) {
          List<Anomaly> out = d.observe(MetricSample.of(m, values.get(i), T0.plusSeconds(15L * i), "svc"));
          for (Anomaly a : out) {
            assertThat(a.score()).isBetween(0.0, 1.0);
            assertThat(Double.isFinite(a.observed())).isTrue();
          }
        }
      }
    }
  }

  @Provide
  Arbitrary<List<Long>> clockSteps() {
    // mostly forward in 15 s steps, with duplicates, late samples and jumps back by up to a day
    return Arbitraries.oneOf(Arbitraries.just(15L), Arbitraries.just(0L), Arbitraries.longs().between(-86_400, -1),
        Arbitraries.longs().between(1, 86_400)).list().ofMinSize(1).ofMaxSize(300);
  }

  @Property(tries = 200)
  void timeGoingBackwardsNeverBreaksADetector(@ForAll("values") List<Double> values,
      @ForAll("clockSteps") List<Long> steps) {
    for (Detector d : BuiltInDetectors.create()) {
      Instant t = T0;
      for (int i = 0; i < values.size(); i++) {
        t = t.plusSeconds(steps.get(i % steps.size()));
        for (String m : List.of(MetricNames.MEMORY_UTILIZATION, MetricNames.LATENCY_P99, MetricNames.ERROR_RATIO,
            MetricNames.DISK_UTILIZATION, MetricNames.CERTIFICATE_TIME_TO_EXPIRY)) {
          for (Anomaly a : d.observe(MetricSample.of(m, values.get(i), t, "svc"))) {
            assertThat(a.score()).isBetween(0.0, 1.0);
            assertThat(Double.isFinite(a.observed())).isTrue();
          }
        }
      }
    }
  }

  @Property(tries = 200)
  void aSteadyConditionFiresAtMostOnce(@ForAll("values") List<Double> ignored) {
    MemoryPressureDetector d = new MemoryPressureDetector(0.85, Duration.ofMinutes(5));
    int fired = 0;
    for (int i = 0; i < 200; i++) {
      fired += d.observe(MetricSample.of(MetricNames.MEMORY_UTILIZATION, 0.99, T0.plusSeconds(15L * i), "svc"))
          .size();
    }
    assertThat(fired).isEqualTo(1);
  }
}
