package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class StreamingAnomalyScorerProperties {
  @Provide
  Arbitrary<List<Double>> anything() {
    return Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.doubles().between(-1e-6, 1e-6).ofScale(12),
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE,
            -Double.MAX_VALUE, Double.MIN_VALUE, 0.0, 1e300, -1e300)).list().ofMaxSize(2000);
  }

  @Property(tries = 300)
  void scoresAreFiniteAndInTheUnitIntervalForAnyInput(@ForAll("anything") List<Double> values) {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer(50, 24, 10);
    for (double v : values) {
      double score = s.score(v);
      assertThat(Double.isFinite(score)).isTrue();
      assertThat(score).isBetween(0.0, 1.0);
    }
  }

  @Property(tries = 100)
  void aConstantSeriesNeverFires(@ForAll @DoubleRange(min = -1e12, max = 1e12) double level) {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    for (int i = 0; i < 3000; i++) {
      assertThat(s.score(level)).isZero();
    }
  }

  @Test
  void aLevelShiftScoresOnceAtItsOnset() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    Random rng = new Random(3);
    for (int i = 0; i < 2000; i++) {
      s.score(100 + rng.nextGaussian());
    }
    double first = s.score(140);
    assertThat(first).isGreaterThan(0.999);
    int reported = 0;
    for (int i = 0; i < 50; i++) {
      reported += s.score(140 + rng.nextGaussian()) > 0 ? 1 : 0;
    }
    assertThat(reported).as("suppressed while it lasts").isZero();
  }

  @Test
  void aBrokenDailyShapeIsSeenThroughTheSeasonalResidual() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    Random rng = new Random(4);
    for (int i = 0; i < 288 * 10; i++) {
      s.score(50 + 40 * Math.sin(2 * Math.PI * i / 288) + rng.nextGaussian());
    }
    // the curve goes flat at its mean: every value is normal, the shape is not
    double max = 0;
    for (int i = 0; i < 100; i++) {
      max = Math.max(max, s.score(50 + rng.nextGaussian() * 0.5));
    }
    assertThat(max).isGreaterThan(0.99);
  }
}
