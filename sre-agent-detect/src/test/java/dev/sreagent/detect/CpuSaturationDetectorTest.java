package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/** Examples and the adversarial cases of the CPU saturation promises: hot habits stay quiet, real saturation pages. */
class CpuSaturationDetectorTest {
  static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  static MetricSample cpu(String pod, long sec, double v) {
    return new MetricSample(MetricNames.CPU_UTILIZATION, v, T0.plusSeconds(sec),
        Map.of(Attributes.SERVICE_NAME, "checkout", Attributes.K8S_POD_NAME, pod));
  }

  /** Feeds {@code value(second)} every {@code step} seconds for {@code seconds}; the anomalies with their times. */
  static List<Anomaly> feed(CpuSaturationDetector d, long from, long seconds, long step, LongToDoubleFunction value) {
    List<Anomaly> out = new ArrayList<>();
    for (long t = from; t < from + seconds; t += step) {
      out.addAll(d.observe(cpu("checkout-0", t, value.applyAsDouble(t))));
    }
    return out;
  }

  static LongToDoubleFunction noisy(double level, long seed) {
    Random rng = new Random(seed);
    return t -> Math.max(0, Math.min(1, level + 0.03 * rng.nextGaussian()));
  }

  @Test
  void aJumpToTheLimitFromAQuietLevelPagesAfterFiveMinutes() {
    CpuSaturationDetector d = new CpuSaturationDetector();
    assertThat(feed(d, 0, 7_200, 15, noisy(0.3, 1))).isEmpty();
    List<Anomaly> a = feed(d, 7_200, 1_800, 15, t -> 0.97);

    assertThat(a).singleElement().satisfies(x -> {
      assertThat(x.type()).isEqualTo(IncidentType.CPU_SATURATION);
      assertThat(x.service()).isEqualTo("checkout");
      assertThat(x.resource()).isEqualTo("checkout-0");
      assertThat(x.severity()).isEqualTo(Severity.SEV3);
      assertThat(x.threshold()).isEqualTo(0.9);
      assertThat(x.detectedAt()).isEqualTo(T0.plusSeconds(7_200 + 300));
      assertThat(x.summary()).contains("checkout-0").contains("97% of its CPU limit").contains("usually 30%");
    });
    assertThat(d.isFiring("checkout")).isTrue();
  }

  @Test
  void aReadingOverTheLimitIsTheLimitAndOneFarOverItIsNoReading() {
    CpuSaturationDetector d = new CpuSaturationDetector();
    feed(d, 0, 7_200, 15, noisy(0.3, 2));
    assertThat(feed(d, 7_200, 600, 15, t -> 1.1)).as("cgroup overshoot at the limit").hasSize(1);

    CpuSaturationDetector percent = new CpuSaturationDetector();
    feed(percent, 0, 7_200, 15, noisy(0.3, 2));
    assertThat(feed(percent, 7_200, 3_600, 15, t -> 97)).as("a percentage fed as a fraction").isEmpty();
    assertThat(feed(percent, 10_800, 3_600, 15, t -> -0.5)).isEmpty();
    assertThat(percent.rejectedImplausible()).isEqualTo(480);
    assertThat(percent.isFiring("checkout")).isFalse();
  }

  @Test
  void aPodThatAlwaysRunsHotNeverPages() {
    // adversarial: 92% all day, with noise that reaches its limit now and then, and whole minutes at 100%
    CpuSaturationDetector d = new CpuSaturationDetector();
    Random rng = new Random(3);
    List<Anomaly> a = feed(d, 0, 2 * 86_400, 15, t -> Math.min(1, 0.92 + 0.04 * rng.nextGaussian()
        + (t % 3_600 < 240 ? 0.08 : 0)));
    assertThat(a).isEmpty();
  }

  @Test
  void aPodAtEightyPercentOrMoreNeverPagesOnCpuAlone() {
    CpuSaturationDetector d = new CpuSaturationDetector();
    feed(d, 0, 7_200, 15, t -> 0.8);
    assertThat(feed(d, 7_200, 7_200, 15, t -> 1.0)).as("a rise of a fifth of the limit is needed").isEmpty();
  }

  @Test
  void aDailyHabitOfShortBurstsDoesNotPageWhenItRecurs() {
    // bursts to the limit for 4 minutes (under the sustain) in every hour of a day set a floor at the limit
    CpuSaturationDetector d = new CpuSaturationDetector();
    LongToDoubleFunction quiet = noisy(0.3, 4);
    List<Anomaly> day = feed(d, 0, 86_400, 15, t -> t >= 7_200 && t % 3_600 < 240 ? 1.0 : quiet.applyAsDouble(t));
    assertThat(day).isEmpty();
    // the next day the burst lasts 10 minutes: what the pod did in two hours of the last day is not paged
    assertThat(feed(d, 86_400, 3_600, 15, t -> t % 3_600 < 600 ? 1.0 : quiet.applyAsDouble(t))).isEmpty();
  }

  @Test
  void oneEarlierBlipDoesNotHideARealSaturation() {
    // adversarial: a 4-minute burst to the limit once, an hour before a sustained saturation
    CpuSaturationDetector d = new CpuSaturationDetector();
    LongToDoubleFunction quiet = noisy(0.25, 5);
    feed(d, 0, 7_200, 15, quiet);
    assertThat(feed(d, 7_200, 240, 15, t -> 1.0)).as("shorter than the sustain").isEmpty();
    feed(d, 7_440, 3_600, 15, quiet);
    List<Anomaly> a = feed(d, 11_040, 1_200, 15, t -> 1.0);
    assertThat(a).as("a one-off sets no floor").singleElement()
        .satisfies(x -> assertThat(x.detectedAt()).isEqualTo(T0.plusSeconds(11_040 + 300)));
  }

  @Test
  void aSaturationThatFiredIsNeverLearnedAsNormal() {
    CpuSaturationDetector d = new CpuSaturationDetector();
    feed(d, 0, 7_200, 15, noisy(0.3, 6));
    assertThat(feed(d, 7_200, 4 * 3_600, 15, t -> 0.97)).hasSize(1);
    assertThat(d.isFiring("checkout")).as("hours later, still the same episode").isTrue();
    RuleDetector.BaselineState st = d.state("checkout-0");
    assertThat(st.baseline.mean()).isLessThan(0.4);
  }

  @Test
  void eachPodIsJudgedAgainstItsOwnLevel() {
    CpuSaturationDetector d = new CpuSaturationDetector();
    List<Anomaly> a = new ArrayList<>();
    for (long t = 0; t < 7_200 + 900; t += 15) {
      a.addAll(d.observe(cpu("hot", t, 0.95)));
      a.addAll(d.observe(cpu("cool", t, t < 7_200 ? 0.2 : 0.95)));
    }
    assertThat(a).singleElement().satisfies(x -> assertThat(x.resource()).isEqualTo("cool"));
  }

  @Test
  void settingsAreValidatedWithTheBadValue() {
    assertThatThrownBy(() -> new CpuSaturationDetector(1.5, 0.2, Duration.ofMinutes(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("saturation").hasMessageContaining("1.5");
    assertThatThrownBy(() -> new CpuSaturationDetector(0.9, 1, Duration.ofMinutes(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minRise");
    assertThatThrownBy(() -> new CpuSaturationDetector(0.9, 0.2, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sustain");
  }

  @Test
  void isABuiltInDetector() {
    assertThat(BuiltInDetectors.create()).anyMatch(x -> x instanceof CpuSaturationDetector
        && x.type().equals(IncidentType.CPU_SATURATION) && x.name().equals("cpu-saturation"));
  }
}
