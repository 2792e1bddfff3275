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
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * (e) NaN, infinite, duplicate-time and out-of-order samples sprinkled through a spiky series - around its episodes,
 * while a tail value is held - change nothing: the detector answers every sample as it does in the clean series.
 */
class TailFloorJunkSampleProperties {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  private static MetricSample s(String metric, long sec, double v) {
    return new MetricSample(metric, v, T0.plusSeconds(sec), Map.of(Attributes.SERVICE_NAME, "fn"));
  }

  @Property(tries = 60)
  void junkSamplesAroundEpisodesChangeNothing(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    for (String metric : List.of(MetricNames.LATENCY_P99, MetricNames.ERROR_RATIO)) {
      Supplier<Detector> make = metric.equals(MetricNames.LATENCY_P99) ? LatencyDetector::new : ErrorRateDetector::new;
      Detector clean = make.get();
      Detector dirty = make.get();
      Random rng = new Random(seed);
      List<Anomaly> expected = new ArrayList<>();
      List<Anomaly> actual = new ArrayList<>();
      int episodeLeft = 0;
      double height = 1;
      for (int i = 0; i < 3000; i++) {
        if (episodeLeft == 0 && rng.nextInt(30) == 0) {
          episodeLeft = 1 + rng.nextInt(8);
          height = 2 + 10 * rng.nextDouble();
        }
        double v = metric.equals(MetricNames.LATENCY_P99)
            ? 0.1 * Math.exp(0.05 * rng.nextGaussian()) * (episodeLeft > 0 ? height : 1)
            : episodeLeft > 0 ? Math.min(1, 0.08 * height) : Math.max(0, 0.005 + 0.002 * rng.nextGaussian());
        episodeLeft = Math.max(0, episodeLeft - 1);
        long t = 60L * i;
        MetricSample good = s(metric, t, v);
        expected.addAll(clean.observe(good));
        int junk = rng.nextInt(6);
        if (junk == 0) {
          actual.addAll(dirty.observe(s(metric, t, rng.nextBoolean() ? Double.NaN : Double.POSITIVE_INFINITY)));
        }
        actual.addAll(dirty.observe(good));
        if (junk == 1 && i > 0) {
          actual.addAll(dirty.observe(s(metric, t, 50.0))); // a duplicate time, spiking
        } else if (junk == 2 && i > 0) {
          actual.addAll(dirty.observe(s(metric, t - 30 - rng.nextInt(600), 50.0))); // late, spiking
        } else if (junk == 3) {
          actual.addAll(dirty.observe(s(metric, t, Double.NaN)));
        }
      }
      assertThat(actual).as(metric).isEqualTo(expected);
    }
  }
}
