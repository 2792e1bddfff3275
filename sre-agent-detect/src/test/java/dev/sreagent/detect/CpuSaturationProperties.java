package dev.sreagent.detect;

import static dev.sreagent.detect.CpuSaturationDetectorTest.T0;
import static dev.sreagent.detect.CpuSaturationDetectorTest.cpu;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The CPU saturation detector's invariants, at the paces real sources have (15 s, 60 s, 300 s). */
class CpuSaturationProperties {
  private static final long[] PACES = {15, 60, 300};

  @Property(tries = 200)
  void aConstantSeriesNeverPagesWhateverItsLevel(@ForAll @DoubleRange(min = 0, max = 1.25) double level,
      @ForAll @IntRange(min = 0, max = 2) int pace) {
    CpuSaturationDetector d = new CpuSaturationDetector();
    long step = PACES[pace];
    for (long t = 0; t < 2 * 86_400; t += step) {
      assertThat(d.observe(cpu("p", t, level))).as("level %s at %s s", level, step).isEmpty();
    }
  }

  @Property(tries = 150)
  void aSustainedJumpFromALowLevelPagesWhenTheSustainWindowEnds(
      @ForAll @DoubleRange(min = 0, max = 0.6) double level, @ForAll @DoubleRange(min = 0.95, max = 1.1) double hot,
      @ForAll @IntRange(min = 0, max = 2) int pace, @ForAll @LongRange(min = 0, max = 100_000) long seed) {
    CpuSaturationDetector d = new CpuSaturationDetector();
    long step = PACES[pace];
    Random rng = new Random(seed);
    long jump = step * Math.max(40, 7_200 / step);
    List<Anomaly> before = new ArrayList<>();
    for (long t = 0; t < jump; t += step) {
      before.addAll(d.observe(cpu("p", t, Math.max(0, level + 0.02 * rng.nextGaussian()))));
    }
    assertThat(before).isEmpty();
    // five minutes, and at least three samples at the series' own pace (two intervals)
    long sustain = Math.max(300, 2 * step);
    List<Anomaly> after = new ArrayList<>();
    for (long t = jump; t <= jump + sustain + 4 * step; t += step) {
      after.addAll(d.observe(cpu("p", t, hot)));
    }
    assertThat(after).as("at %s s from %s", step, level).singleElement()
        .satisfies(a -> assertThat(a.detectedAt()).isEqualTo(T0.plusSeconds(jump + sustain)));
  }

  @Property(tries = 60)
  void aHabitOfTheLastDayDoesNotPage(@ForAll @IntRange(min = 1, max = 4) int burstMinutes,
      @ForAll @IntRange(min = 2, max = 6) int everyHours, @ForAll @LongRange(min = 0, max = 100_000) long seed) {
    // bursts to the limit shorter than the sustain, every few hours for a day; then a burst of an hour
    CpuSaturationDetector d = new CpuSaturationDetector();
    Random rng = new Random(seed);
    List<Anomaly> out = new ArrayList<>();
    long day = 86_400;
    for (long t = 0; t < day + 3_600; t += 15) {
      boolean burst = t >= 7_200 && (t / 3_600) % everyHours == 0 && t % 3_600 < 60L * burstMinutes;
      double v = t >= day ? 1.0 : burst ? 1.0 : Math.max(0, 0.3 + 0.03 * rng.nextGaussian());
      out.addAll(d.observe(cpu("p", t, v)));
    }
    assertThat(out).isEmpty();
  }

  @Property(tries = 80)
  void junkSamplesNeverPageAndNeverPoisonTheBaseline(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    CpuSaturationDetector clean = new CpuSaturationDetector();
    CpuSaturationDetector dirty = new CpuSaturationDetector();
    Random rng = new Random(seed);
    List<Anomaly> expected = new ArrayList<>();
    List<Anomaly> actual = new ArrayList<>();
    int episodeLeft = 0;
    for (int i = 0; i < 2_000; i++) {
      if (episodeLeft == 0 && rng.nextInt(200) == 0) {
        episodeLeft = 5 + rng.nextInt(40);
      }
      double v = episodeLeft > 0 ? 0.97 : Math.max(0, 0.3 + 0.05 * rng.nextGaussian());
      episodeLeft = Math.max(0, episodeLeft - 1);
      long t = 15L * i;
      expected.addAll(clean.observe(cpu("p", t, v)));
      if (rng.nextInt(4) == 0) {
        double junk = switch (rng.nextInt(4)) {
          case 0 -> Double.NaN;
          case 1 -> -0.01 - rng.nextDouble();
          case 2 -> 1.26 + 100 * rng.nextDouble();
          default -> Double.POSITIVE_INFINITY;
        };
        actual.addAll(dirty.observe(cpu("p", t, junk)));
      }
      actual.addAll(dirty.observe(cpu("p", t, v)));
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(learned(dirty)).as("the same learned baseline").isEqualTo(learned(clean));
  }

  private static byte[] learned(CpuSaturationDetector d) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      d.state("p").baseline.write(out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
