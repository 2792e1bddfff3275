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
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * A snapshot taken anywhere in a spiky series - in particular mid-episode, with a tail value held but not yet
 * committed or dropped, and across the hour boundaries where the floor's cache is recomputed - restores to a
 * detector that answers the rest of the series exactly as the uninterrupted one.
 */
class TailFloorSnapshotProperties {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  @Property(tries = 60)
  void aSnapshotMidEpisodeRestoresToTheSameAnswers(@ForAll @LongRange(min = 0, max = 1_000_000) long seed,
      @ForAll @IntRange(min = 0, max = 2) int paceIndex, @ForAll @IntRange(min = 0, max = 1999) int cut) {
    long pace = new long[] {15, 60, 300}[paceIndex];
    List<MetricSample> samples = new ArrayList<>();
    Random rng = new Random(seed);
    int episodeLeft = 0;
    double height = 1;
    long t = 0;
    for (int i = 0; i < 2000; i++) {
      if (episodeLeft == 0 && rng.nextInt(40) == 0) {
        episodeLeft = 1 + rng.nextInt(12);
        height = 2 + 10 * rng.nextDouble();
      }
      double base = 0.1 * Math.exp(0.05 * rng.nextGaussian());
      double latency = episodeLeft > 0 ? base * height : base;
      double errors = episodeLeft > 0 ? Math.min(1, 0.1 * height) : Math.max(0, 0.005 + 0.002 * rng.nextGaussian());
      if (episodeLeft > 0) {
        episodeLeft--;
      }
      t += rng.nextInt(50) == 0 ? pace * (1 + rng.nextInt(3)) : pace; // now and then a missed sample
      Instant at = T0.plusSeconds(t);
      samples.add(new MetricSample(MetricNames.LATENCY_P99, latency, at, Map.of(Attributes.SERVICE_NAME, "fn")));
      samples.add(new MetricSample(MetricNames.ERROR_RATIO, errors, at, Map.of(Attributes.SERVICE_NAME, "fn")));
    }
    int split = 2 * cut;
    for (Supplier<Detector> make : List.<Supplier<Detector>>of(LatencyDetector::new, ErrorRateDetector::new)) {
      Detector uninterrupted = make.get();
      List<Anomaly> before = new ArrayList<>();
      for (MetricSample s : samples.subList(0, split)) {
        before.addAll(uninterrupted.observe(s));
      }
      Detector restored = make.get();
      restored.restore(uninterrupted.snapshot().orElseThrow());
      SnapshotReplay.answersAlike(uninterrupted, restored, samples.subList(split, samples.size()));
    }
  }
}
