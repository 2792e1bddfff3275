package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.port.Detector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the tail floor and the sustain in samples promise on coarse, spiky data (PetShop's serverless functions):
 * what a series did without an incident does not page again, what goes beyond it still does, and an incident never
 * teaches the floor.
 */
class TailFloorTest {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");
  private static final int STEP = 300; // 5-minute data
  private static final int DAY = 86_400 / STEP;

  private static MetricSample sample(String metric, int i, double v) {
    return new MetricSample(metric, v, T0.plusSeconds((long) STEP * i), Map.of(Attributes.SERVICE_NAME, "fn"));
  }

  /** A function at 200 ms whose cold starts take 1 s: one sample in ten, sometimes two in a row. */
  private static double coldStarts(Random rng, int i) {
    return rng.nextInt(10) == 0 || (i % 37 == 0) || (i % 37 == 1) ? 1.0 + 0.05 * rng.nextGaussian()
        : 0.2 * Math.exp(0.1 * rng.nextGaussian());
  }

  private static List<Anomaly> feed(Detector d, String metric, int from, int to, java.util.function.IntToDoubleFunction f) {
    List<Anomaly> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.addAll(d.observe(sample(metric, i, f.applyAsDouble(i))));
    }
    return out;
  }

  /** A steady 100 ms with 5% noise. */
  private static java.util.function.IntToDoubleFunction quiet(Random rng) {
    return i -> 0.1 * Math.exp(0.05 * rng.nextGaussian());
  }

  @Test
  void coldStartsTheSeriesMadeWithoutAnIncidentDoNotPageAgain() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(11);
    List<Anomaly> firstDay = feed(d, MetricNames.LATENCY_P99, 0, DAY, i -> coldStarts(rng, i));
    List<Anomaly> nextTwoDays = feed(d, MetricNames.LATENCY_P99, DAY, 3 * DAY, i -> coldStarts(rng, i));
    assertThat(firstDay).hasSizeLessThanOrEqualTo(1);
    assertThat(nextTwoDays).isEmpty();
  }

  @Test
  void aSlowdownBeyondWhatTheSeriesDidStillPages() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(12);
    feed(d, MetricNames.LATENCY_P99, 0, 2 * DAY, i -> coldStarts(rng, i));
    // every call now takes 2.5 s, past the 1 s cold starts: three 5-minute samples in a row page
    List<Anomaly> fired = feed(d, MetricNames.LATENCY_P99, 2 * DAY, 2 * DAY + 6, i -> 2.5);
    assertThat(fired).singleElement().satisfies(a -> {
      assertThat(a.threshold()).isBetween(1.0, 2.5);
      assertThat(a.detectedAt()).isEqualTo(T0.plusSeconds((long) STEP * (2 * DAY + 2)));
    });
  }

  @Test
  void anIncidentNeverRaisesTheFloorSoTheSameFaultPagesAgain() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(13);
    java.util.function.IntToDoubleFunction quiet = quiet(rng);
    int i = DAY;
    feed(d, MetricNames.LATENCY_P99, 0, i, quiet);
    List<Anomaly> first = feed(d, MetricNames.LATENCY_P99, i, i + 6, k -> 0.5);
    feed(d, MetricNames.LATENCY_P99, i + 6, i + 30, quiet);
    List<Anomaly> again = feed(d, MetricNames.LATENCY_P99, i + 30, i + 36, k -> 0.5);
    assertThat(first).hasSize(1);
    assertThat(again).hasSize(1);
  }

  @Test
  void aBlipSeenInTwoHoursWithoutAnIncidentDoesNotPageAgainButAHigherOneDoes() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(14);
    java.util.function.IntToDoubleFunction quiet = quiet(rng);
    feed(d, MetricNames.LATENCY_P99, 0, DAY, quiet);
    // one sample at 0.6 s, too short to page, in two different hours: a habit, remembered for a day
    assertThat(feed(d, MetricNames.LATENCY_P99, DAY, DAY + 1, i -> 0.6)).isEmpty();
    feed(d, MetricNames.LATENCY_P99, DAY + 1, DAY + 14, quiet);
    assertThat(feed(d, MetricNames.LATENCY_P99, DAY + 14, DAY + 15, i -> 0.6)).isEmpty();
    feed(d, MetricNames.LATENCY_P99, DAY + 15, DAY + 30, quiet);
    assertThat(feed(d, MetricNames.LATENCY_P99, DAY + 30, DAY + 36, i -> 0.55)).isEmpty();
    feed(d, MetricNames.LATENCY_P99, DAY + 36, DAY + 50, quiet);
    assertThat(feed(d, MetricNames.LATENCY_P99, DAY + 50, DAY + 56, i -> 0.7)).hasSize(1);
  }

  @Test
  void aOneOffBlipSetsNoFloor() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(19);
    java.util.function.IntToDoubleFunction quiet = quiet(rng);
    feed(d, MetricNames.LATENCY_P99, 0, DAY, quiet);
    assertThat(feed(d, MetricNames.LATENCY_P99, DAY, DAY + 1, i -> 0.6)).isEmpty();
    feed(d, MetricNames.LATENCY_P99, DAY + 1, DAY + 20, quiet);
    assertThat(feed(d, MetricNames.LATENCY_P99, DAY + 20, DAY + 26, i -> 0.55)).hasSize(1);
  }

  @Test
  void aBlipIsForgottenAfterADay() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(15);
    java.util.function.IntToDoubleFunction quiet = quiet(rng);
    feed(d, MetricNames.LATENCY_P99, 0, DAY, quiet);
    feed(d, MetricNames.LATENCY_P99, DAY, DAY + 1, i -> 0.6);
    feed(d, MetricNames.LATENCY_P99, DAY + 1, DAY + 14, quiet);
    feed(d, MetricNames.LATENCY_P99, DAY + 14, DAY + 15, i -> 0.6);
    feed(d, MetricNames.LATENCY_P99, DAY + 15, 2 * DAY + 13, quiet);
    assertThat(feed(d, MetricNames.LATENCY_P99, 2 * DAY + 13, 2 * DAY + 19, i -> 0.55)).hasSize(1);
  }

  @Test
  void anErrorRatioThatFailedWholeWithoutAnIncidentIsNotPagedForFailingWholeAgain() {
    // a function called a few times per 5 minutes: its error ratio jumps between 0 and 1
    ErrorRateDetector d = new ErrorRateDetector();
    Random rng = new Random(16);
    java.util.function.IntToDoubleFunction flaky = i -> rng.nextInt(12) == 0 ? 1.0 : 0.0;
    feed(d, MetricNames.ERROR_RATIO, 0, DAY, flaky);
    assertThat(feed(d, MetricNames.ERROR_RATIO, DAY, 2 * DAY, i -> i % 50 < 3 ? 1.0 : flaky.applyAsDouble(i)))
        .isEmpty();
  }

  @Test
  void withFiveMinuteDataTwoBreachingSamplesDoNotPageAndThreeDo() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(17);
    java.util.function.IntToDoubleFunction quiet = quiet(rng);
    feed(d, MetricNames.LATENCY_P99, 0, 100, quiet);
    assertThat(feed(d, MetricNames.LATENCY_P99, 100, 102, i -> 0.5)).isEmpty();
    feed(d, MetricNames.LATENCY_P99, 102, 140, quiet);
    assertThat(feed(d, MetricNames.LATENCY_P99, 140, 143, i -> 0.9)).hasSize(1);
  }

  @Test
  void withOneMinuteDataTheSustainIsStillTwoMinutes() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(18);
    List<Anomaly> out = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      out.addAll(d.observe(new MetricSample(MetricNames.LATENCY_P99, 0.1 * Math.exp(0.05 * rng.nextGaussian()),
          T0.plusSeconds(60L * i), Map.of(Attributes.SERVICE_NAME, "api"))));
    }
    for (int i = 200; i < 206; i++) {
      out.addAll(d.observe(new MetricSample(MetricNames.LATENCY_P99, 0.5, T0.plusSeconds(60L * i),
          Map.of(Attributes.SERVICE_NAME, "api"))));
    }
    assertThat(out).singleElement().satisfies(a -> assertThat(a.detectedAt()).isEqualTo(T0.plusSeconds(60L * 202)));
  }
}
