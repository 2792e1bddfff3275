package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.port.Detector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import dev.sreagent.detect.WarmUpAbsurdReadingAttackProperties.Kind;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * One absurd reading of a broken exporter among a series' first samples (a latency a year long, an error ratio of
 * 5,000%) does not blind the detector: a real rise an hour later is paged as it is without the reading. Found by an
 * attack on the call-edge detector (2026-12-07): the reading set the weighted variance of the warm-up, and the
 * threshold stayed above any real value for hours. A warm-up without such a reading is learned exactly as before.
 */
class WarmUpAbsurdReadingProperties {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  /** The series' anomalies: an hour of noise around the level, with {@code absurd} at {@code at} (none if < 0), then a rise. */
  private static List<Anomaly> run(Kind kind, long seed, int at, double absurd) {
    Detector d = kind.make.get();
    Random rng = new Random(seed);
    List<Anomaly> fired = new ArrayList<>();
    long i = 0;
    for (; i < 240; i++) {
      fired.addAll(d.observe(kind.sample(i, i == at ? absurd : kind.level * Math.exp(0.05 * rng.nextGaussian()))));
    }
    assertThat(fired).as("nothing fires before the rise").isEmpty();
    for (; i < 280; i++) {
      fired.addAll(d.observe(kind.sample(i, kind.rise * kind.level * Math.exp(0.05 * rng.nextGaussian()))));
    }
    return fired;
  }

  @Property(tries = 60)
  void anAbsurdWarmUpReadingDoesNotHideALaterRise(@ForAll Kind kind,
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed, @ForAll @IntRange(min = 0, max = 19) int at,
      @ForAll @DoubleRange(min = 1_000, max = 3e7) double absurd) {
    assertThat(run(kind, seed, -1, 0)).as("the rise without the reading").hasSize(1);
    assertThat(run(kind, seed, at, absurd)).as("the rise with %s at warm-up sample %d", absurd, at).hasSize(1);
  }

  /** Held back and learned at once, a warm-up without an absurd reading gives the weighted mean one by one would. */
  @Property(tries = 200)
  void aWarmUpWithoutAbsurdReadingsIsLearnedAsOneByOne(@ForAll @LongRange(min = 0, max = 1_000_000) long seed,
      @ForAll @DoubleRange(min = -6, max = 6) double log10Level, @ForAll @DoubleRange(min = 0, max = 0.5) double spread) {
    double level = Math.pow(10, log10Level);
    LearnedBaseline held = new LearnedBaseline(1.0 / 40);
    Ewma oneByOne = new Ewma(1.0 / 40);
    Random rng = new Random(seed);
    for (int i = 0; i < 50; i++) { // (from 50 on, a value 6 robust sigmas out is not learned: another rule)
      double x = level * Math.exp(spread * rng.nextGaussian());
      held.learn(T0.plusSeconds(15L * i), x);
      oneByOne.update(x);
      assertThat(held.count()).isEqualTo(i + 1);
      if (i + 1 >= LatencyDetector.WARM_UP_SAMPLES) {
        assertThat(held.mean()).isEqualTo(oneByOne.mean());
        assertThat(held.stddev()).isEqualTo(oneByOne.stddev());
      }
    }
  }

  /**
   * Found in review of the attack's fix (readings that replace absurd ones are judged with the rest): a series whose
   * level moves for good by more than 100 times in its warm-up (15 readings at 100 ms, then 50 s on) had every new
   * reading dropped against the 15 old ones, so it never finished its warm-up and never paged. Once as many absurd
   * readings as a whole warm-up have come, they are the series' level: the hold starts again from them.
   */
  @Example
  void aSeriesThatMovesForGoodInItsWarmUpIsLearnedAtItsNewLevel() {
    for (Kind kind : List.of(Kind.LATENCY, Kind.CALL_EDGE)) {
      Detector d = kind.make.get();
      Random rng = new Random(5);
      List<Anomaly> fired = new ArrayList<>();
      long i = 0;
      for (; i < 15; i++) {
        fired.addAll(d.observe(kind.sample(i, kind.level * Math.exp(0.05 * rng.nextGaussian()))));
      }
      for (; i < 15 + 480; i++) {
        fired.addAll(d.observe(kind.sample(i, 500 * kind.level * Math.exp(0.05 * rng.nextGaussian()))));
      }
      assertThat(fired).as(kind + ": nothing before the rise").isEmpty();
      for (; i < 15 + 480 + 40; i++) {
        fired.addAll(d.observe(kind.sample(i, 3 * 500 * kind.level * Math.exp(0.05 * rng.nextGaussian()))));
      }
      assertThat(fired).as(kind + ": the rise from the new level").hasSize(1);
    }
  }

  /**
   * Found by the attack on the held warm-up: a latency or error-ratio series learned an exporter's -1 ("no data") like
   * any reading (the call-edge detector already ignored it). Sprinkled through a series with a rise, -1 readings
   * change nothing: the detector answers as it does without them.
   */
  @Property(tries = 40)
  void negativeSentinelsChangeNothing(@ForAll Kind kind, @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    Detector clean = kind.make.get();
    Detector dirty = kind.make.get();
    Random rng = new Random(seed);
    List<Anomaly> expected = new ArrayList<>();
    List<Anomaly> actual = new ArrayList<>();
    for (long i = 0; i < 280; i++) {
      double v = (i < 240 ? 1 : kind.rise) * kind.level * Math.exp(0.05 * rng.nextGaussian());
      if (rng.nextInt(4) == 0) {
        actual.addAll(dirty.observe(kind.sample(i, -1)));
      } else {
        actual.addAll(dirty.observe(kind.sample(i, v)));
        expected.addAll(clean.observe(kind.sample(i, v)));
      }
    }
    assertThat(actual).isEqualTo(expected).isNotEmpty();
  }
}
