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

class LearnedBaselineTest {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  private static MetricSample p99(int i, double v) {
    return new MetricSample(MetricNames.LATENCY_P99, v, T0.plusSeconds(15L * i), Map.of(Attributes.SERVICE_NAME,
        "api"));
  }

  @Test
  void outliersThatDoNotBreachDoNotPoisonTheBaseline() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(4);
    int i = 0;
    for (; i < 300; i++) {
      d.observe(p99(i, 0.100 + 0.002 * rng.nextGaussian()));
    }
    // a run of slow-but-under-threshold samples (40% up: under the +50% rule) mixed into normal traffic
    for (int k = 0; k < 60; k++, i++) {
      d.observe(p99(i, k % 3 == 0 ? 0.140 : 0.100 + 0.002 * rng.nextGaussian()));
    }
    // a real slowdown to +60% must still fire: the 0.14 samples were kept out of the mean and variance
    List<Anomaly> fired = new ArrayList<>();
    for (int k = 0; k < 20; k++, i++) {
      fired.addAll(d.observe(p99(i, 0.160)));
    }
    assertThat(fired).singleElement().satisfies(a -> assertThat(a.threshold()).isLessThan(0.16));
  }

  private static double noisy(Random rng, double level) {
    return level * Math.exp(0.05 * rng.nextGaussian());
  }

  @Test
  void aStepUnderTheFloorIsNotLearnedWhileItLastsSoItsCreepIsCaught() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(6);
    List<Anomaly> fired = new ArrayList<>();
    int i = 0;
    for (; i < 160; i++) { // 40 min at 100 ms, 5% noise
      fired.addAll(d.observe(p99(i, noisy(rng, 0.100))));
    }
    // a capacity loss: +40%, some 8 sigma up but under the +50% floor, for 40 minutes - no page yet
    for (; i < 320; i++) {
      fired.addAll(d.observe(p99(i, noisy(rng, 0.140))));
    }
    assertThat(fired).isEmpty();
    // traffic grows and the loss shows: +65% of the level before the step. Had the step been learned, this would
    // be +18% of the learned level and nothing would fire.
    for (; i < 340; i++) {
      fired.addAll(d.observe(p99(i, noisy(rng, 0.165))));
    }
    assertThat(fired).singleElement().satisfies(a -> assertThat(a.threshold()).isLessThan(0.16));
  }

  @Test
  void aQuietNewLevelIsLearnedAfterTheHoldButAFiringOneNever() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(7);
    int i = 0;
    for (; i < 160; i++) {
      d.observe(p99(i, noisy(rng, 0.100)));
    }
    // a new release is 30% slower for good: quiet (under the floor) for longer than the hold, then learned
    int hold = (int) (LearnedBaseline.RELEARN_AFTER.toSeconds() / 15);
    for (int k = 0; k < hold + 160; k++, i++) {
      assertThat(d.observe(p99(i, noisy(rng, 0.130)))).isEmpty();
    }
    List<Anomaly> fired = new ArrayList<>();
    for (int k = 0; k < 20; k++, i++) { // +60% of the old level is +23% of the new one
      fired.addAll(d.observe(p99(i, noisy(rng, 0.160))));
    }
    assertThat(fired).isEmpty();
    // a slowdown that fires stays an anomaly however long it lasts: its samples under the threshold are not
    // learned either
    for (int k = 0; k < 3 * hold; k++, i++) {
      fired.addAll(d.observe(p99(i, noisy(rng, k < 20 || k % 2 == 0 ? 0.40 : 0.18))));
    }
    assertThat(fired).hasSize(1);
    assertThat(d.isFiring("api")).isTrue();
    assertThat(d.state("api").baseline.mean()).isBetween(0.12, 0.14);
  }

  @Test
  void aSmoothDailyCycleRaisesTheExpectedLevelAtItsPeak() {
    LearnedBaseline b = new LearnedBaseline(1.0 / 40);
    Random rng = new Random(2);
    for (int i = 0; i < 4 * 5760; i++) { // four days of 15 s samples
      Instant t = T0.plusSeconds(15L * i);
      double hour = (t.getEpochSecond() % 86_400) / 3600.0;
      b.learn(t, 0.2 + 0.1 * Math.sin(2 * Math.PI * (hour - 6) / 24) + 0.005 * rng.nextGaussian());
    }
    assertThat(b.seasonal()).isTrue();
    Instant noon = T0.plusSeconds(4 * 86_400L + 12 * 3600);
    assertThat(b.level(noon)).isGreaterThan(0.28);
  }
}
