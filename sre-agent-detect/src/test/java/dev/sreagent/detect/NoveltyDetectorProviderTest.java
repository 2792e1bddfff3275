package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.spi.DetectorProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class NoveltyDetectorProviderTest {
  private static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");

  @Test
  void itIsDiscoveredAndDoesNothingUntilMetricsAreNamed() {
    List<String> names = new ArrayList<>();
    ServiceLoader.load(DetectorProvider.class).forEach(p -> names.add(p.name()));
    assertThat(names).contains("novelty");
    Detector d = new NoveltyDetectorProvider().create(ConfigView.empty());
    assertThat(d.name()).isEqualTo("noop");
  }

  @Test
  void theConfiguredMetricsAreWatchedWithTheConfiguredSettings() {
    Detector d = new NoveltyDetectorProvider().create(ConfigView.of(Map.of("novelty.metrics",
        " app.queue.depth , jobs.lag ", "novelty.warm-up", "300", "novelty.period", "288", "novelty.type",
        "queue-news", "novelty.reasons", "new-level, extreme-value")));
    assertThat(d.name()).isEqualTo("novelty:app.queue.depth,jobs.lag");
    assertThat(d.type().name()).isEqualTo("queue-news");
    List<Anomaly> out = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      double v = i < 900 ? i % 5 : 50;
      out.addAll(d.observe(MetricSample.of("jobs.lag", v, T0.plusSeconds(15L * i), "batch")));
      out.addAll(d.observe(MetricSample.of("other.metric", v * 1000, T0.plusSeconds(15L * i), "batch")));
    }
    assertThat(out).singleElement().satisfies(a -> {
      assertThat(a.signal()).isEqualTo("jobs.lag");
      assertThat(a.detectedAt()).isEqualTo(T0.plusSeconds(15L * 900));
      assertThat(a.type().name()).isEqualTo("queue-news");
    });
  }

  @Test
  void everyBadValueIsReportedAtOnceWithItsKey() {
    assertThatThrownBy(() -> new NoveltyDetectorProvider().create(ConfigView.of(Map.of("novelty.metrics", "q",
        "novelty.warm-up", "a day", "novelty.threshold", "2", "novelty.hold", "30 minutes", "novelty.reasons",
        "new-level, vibes"))))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "novelty.warm-up must be a whole number of values such as 5760, but was 'a day'",
            "novelty.threshold must be a number in (0, 1] such as 0.1, but was '2' (threshold must be in (0, 1], "
                + "but was 2.0)",
            "novelty.hold must be a positive duration such as 500ms, 15s, 5m, 1h or 1d, but was '30 minutes'",
            "novelty.reasons must be some of new-level, extreme-value, unusual-stay, unusual-sequence, but was "
                + "'new-level, vibes' (unknown kind 'vibes')"));
  }
}
