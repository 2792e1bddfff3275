package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Review of the tail floor on a series with a daily cycle (1-minute data, four days, from midnight). */
class TailFloorSeasonalTest {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");
  private static final int DAY = 1440;

  /**
   * Four days of a latency with a daily cycle ({@code night} at night, {@code night + swing} at noon), optionally a
   * two-sample spike to 3x at noon of the last day and another at 13:20 (two hours: a habit), and a 20-minute step to {@code step} at 23:00 of the last day.
   */
  private static List<Anomaly> run(double night, double swing, boolean spike, double step, boolean[] seasonal) {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(5);
    List<Anomaly> out = new ArrayList<>();
    for (int i = 0; i < 4 * DAY; i++) {
      double level = night + swing * Math.max(0, Math.sin(Math.PI * (i % DAY - 360) / 720.0));
      double v = level * Math.exp(0.05 * rng.nextGaussian());
      if (spike && (i >= 3 * DAY + 700 && i < 3 * DAY + 702 || i >= 3 * DAY + 800 && i < 3 * DAY + 802)) {
        v = level * 3;
      }
      if (i >= 3 * DAY + 1380 && i < 3 * DAY + 1400) {
        v = step;
      }
      if (i == 3 * DAY + 1380) {
        seasonal[0] = d.state("api").baseline.seasonal();
      }
      out.addAll(d.observe(new MetricSample(MetricNames.LATENCY_P99, v, T0.plusSeconds(60L * i),
          Map.of(Attributes.SERVICE_NAME, "api"))));
    }
    return out;
  }

  /**
   * (b) A peak-hour spike to 3x raises the quiet hours' floor to 3x their own level, not to the peak's value: a step
   * at 23:00 to 4x the night level still pages, one to 2.5x no longer does (it did without the spike).
   */
  @Test
  void aPeakHourSpikeRaisesTheQuietHoursFloorAsARatioNotAsAValue() {
    boolean[] seasonal = new boolean[1];
    assertThat(run(0.1, 0.04, false, 0.25, seasonal)).singleElement()
        .satisfies(a -> assertThat(a.detectedAt()).isEqualTo(T0.plusSeconds(60L * (3 * DAY + 1382))));
    assertThat(seasonal[0]).isTrue();
    assertThat(run(0.1, 0.04, true, 0.25, seasonal)).isEmpty();
    assertThat(run(0.1, 0.04, true, 0.4, seasonal)).singleElement()
        .satisfies(a -> assertThat(a.threshold()).isBetween(0.25, 0.4));
  }

  /**
   * Finding (not from the tail floor; it decides whether the ratio form is ever used): a cycle wider than the +50%
   * relative floor, learned from a start at night, is never learned. The morning rise breaches and fires, a firing
   * episode is not learned, so the daily profile never becomes usable: one latency incident every morning at
   * 06:3x, four days running, and the series is still "no daily cycle" (the floor is the value itself) on day four.
   */
  @Test
  void aWideDailyCycleStartedAtNightPagesEveryMorningAndIsNeverLearned() {
    boolean[] seasonal = new boolean[1];
    List<Anomaly> out = run(0.1, 0.4, false, 0.1, seasonal);
    assertThat(out).hasSize(4).allSatisfy(a -> assertThat(a.detectedAt().toString()).contains("T06:3"));
    assertThat(seasonal[0]).isFalse();
  }
}
