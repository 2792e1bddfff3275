package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class BaselineProperties {
  @Provide
  Arbitrary<List<Double>> wild() {
    return Arbitraries.oneOf(Arbitraries.doubles().between(-1e9, 1e9),
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, 1e300, -1e300))
        .list().ofMaxSize(500);
  }

  @Property(tries = 500)
  void theRobustBaselineStaysFiniteWhateverArrives(@ForAll("wild") List<Double> values) {
    RobustBaseline b = new RobustBaseline();
    values.forEach(b::update);
    assertThat(b.median()).isFinite();
    assertThat(b.mad()).isFinite().isGreaterThanOrEqualTo(0);
    assertThat(b.count()).isEqualTo(values.stream().filter(Double::isFinite).count());
  }

  @Property(tries = 200)
  void aConstantSeriesHasNoSpreadAndNothingStandsOut(@ForAll double c) {
    RobustBaseline b = new RobustBaseline();
    for (int i = 0; i < 200; i++) {
      b.update(c);
    }
    assertThat(b.median()).isEqualTo(c);
    assertThat(b.z(c)).isZero();
  }

  @Test
  void learnsMedianAndSpreadAndABurstOfOutliersBarelyMovesThem() {
    Random rng = new Random(3);
    RobustBaseline robust = new RobustBaseline();
    Ewma plain = new Ewma(1.0 / 40);
    for (int i = 0; i < 5_000; i++) {
      double x = 10 + rng.nextGaussian();
      robust.update(x);
      plain.update(x);
    }
    assertThat(robust.median()).isCloseTo(10, org.assertj.core.data.Offset.offset(0.2));
    assertThat(robust.sigma()).isCloseTo(1, org.assertj.core.data.Offset.offset(0.3));
    double before = robust.median();
    for (int i = 0; i < 20; i++) {
      robust.update(1e6);
      plain.update(1e6);
    }
    assertThat(Math.abs(robust.median() - before)).as("median shift in sigmas").isLessThan(1.5);
    assertThat(plain.mean() - 10).as("a mean is dragged away").isGreaterThan(1e5);
  }

  @Test
  void aDailyCycleIsLearnedAndNoiseIsNot() {
    Random rng = new Random(9);
    SeasonalProfile cycle = SeasonalProfile.daily();
    SeasonalProfile noise = SeasonalProfile.daily();
    Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
    for (int i = 0; i < 4 * 288; i++) {
      Instant t = t0.plus(Duration.ofMinutes(5L * i));
      double hour = (t.getEpochSecond() % 86_400) / 3600.0;
      cycle.update(t, 100 + 50 * Math.sin(2 * Math.PI * hour / 24) + 3 * rng.nextGaussian());
      noise.update(t, 100 + 20 * rng.nextGaussian());
    }
    assertThat(cycle.usable()).isTrue();
    assertThat(cycle.strength()).isGreaterThan(0.8);
    Instant six = Instant.parse("2026-11-05T06:30:00Z");
    assertThat(cycle.expected(six)).isCloseTo(100 + 50 * Math.sin(2 * Math.PI * 6.5 / 24),
        org.assertj.core.data.Offset.offset(10.0));
    assertThat(noise.usable()).isFalse();
    assertThat(noise.expected(six)).isNaN();
  }
}
