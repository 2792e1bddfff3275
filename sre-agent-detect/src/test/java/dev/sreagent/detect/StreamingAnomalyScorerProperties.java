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
    assertThat(s.lastReason()).isNull();
    assertThat(s.onsets()).isZero();
  }

  @Property(tries = 50)
  void aWarmUpOfOrdinaryValuesReportsNothing(@ForAll long seed) {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    Random rng = new Random(seed);
    for (int i = 0; i < StreamingAnomalyScorer.DEFAULT_WARM_UP; i++) {
      assertThat(s.score(20 + 3 * rng.nextGaussian())).as("value %d of the warm-up", i).isZero();
    }
  }

  @Test
  void aLevelShiftScoresOnceAtItsOnset() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    Random rng = new Random(3);
    for (int i = 0; i < 2000; i++) {
      s.score(100 + rng.nextGaussian());
    }
    assertThat(s.score(140)).as("a level never visited").isPositive();
    assertThat(s.lastReason()).isEqualTo(StreamingAnomalyScorer.Reason.NEW_LEVEL);
    int reported = 0;
    for (int i = 0; i < 50; i++) {
      reported += s.score(140 + rng.nextGaussian()) > 0 ? 1 : 0;
    }
    assertThat(reported).as("held back while it lasts").isZero();
  }

  @Test
  void aReturnToKnownLevelsIsNotNews() {
    // bounded noise: with Gaussian noise a value in a never-visited tail level is news by design, whatever the seed
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    Random rng = new Random(5);
    for (int i = 0; i < 2000; i++) {
      s.score(((i / 500) % 2 == 0 ? 100 : 140) + 2 * rng.nextDouble() - 1);
    }
    double max = 0;
    for (int i = 0; i < 1000; i++) {
      max = Math.max(max, s.score(((i / 200) % 2 == 0 ? 100 : 140) + 2 * rng.nextDouble() - 1));
    }
    assertThat(max).as("both levels were seen before").isZero();
  }

  @Test
  void theFirstNewsOfAQuietSeriesOutscoresTheTenthOfARestlessOne() {
    StreamingAnomalyScorer quiet = new StreamingAnomalyScorer();
    StreamingAnomalyScorer restless = new StreamingAnomalyScorer();
    Random rng = new Random(6);
    double restlessLast = 0;
    for (int i = 0; i < 3000; i++) {
      quiet.score(10 + rng.nextGaussian());
      // a new record every 200 values
      double score = restless.score(10 + rng.nextGaussian() + (i >= 300 && i % 200 == 0 ? 100 + i : 0));
      restlessLast = score > 0 ? score : restlessLast;
    }
    double quietNews = quiet.score(1000);
    assertThat(quietNews).isPositive();
    assertThat(restlessLast).isPositive().isLessThan(quietNews);
  }

  @Test
  void aSeriesFlatAtZeroReportsItsFirstDeparture() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    for (int i = 0; i < 1000; i++) {
      assertThat(s.score(0)).isZero();
    }
    assertThat(s.score(2e7)).isEqualTo(1.0);
    for (int i = 0; i < 1000; i++) {
      s.score(i % 3 == 0 ? 2e7 : 0);
    }
    assertThat(s.score(2e9)).as("far beyond the first departure").isPositive();
  }

  @Test
  void aDailySpikeOfAQuantisedSeriesIsNotNewsAtEveryHeight() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    Random rng = new Random(7);
    // an idle VM's CPU utilisation in steps of 0.066 (four distinct values in its warm-up), and a nightly job at
    // 1.3 to 1.7 for one sample: the grid steps by 0.014, so each new height would be a level never visited
    int reports = 0;
    for (int i = 0; i < 288 * 14; i++) {
      double v = i % 288 == 150 ? 1.3 + 0.4 * rng.nextDouble() : 0.066 * (1 + rng.nextInt(2)) + 0.002 * rng.nextInt(2);
      double score = s.score(v);
      reports += i >= 288 * 4 && score > 0 ? 1 : 0;
    }
    assertThat(reports).as("the nightly job from its fifth night on").isLessThanOrEqualTo(1);
    // a job twice as heavy is still news
    double max = 0;
    for (int i = 0; i < 288; i++) {
      max = Math.max(max, s.score(i == 150 ? 3.2 : 0.066 * (1 + rng.nextInt(2)) + 0.002 * rng.nextInt(2)));
    }
    assertThat(max).isPositive();
    assertThat(s.lastReason()).isEqualTo(StreamingAnomalyScorer.Reason.NEW_LEVEL);
  }

  @Test
  void writeBurstsAfterAWarmUpOfZerosAreNotNewsAtEveryHeight() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    Random rng = new Random(1);
    // a disk's write bytes: zero through the warm-up, a first write of 2.4 MB (the grid steps by a fifth of it),
    // then bursts of 20 MB to 200 MB a few times a day
    int reports = 0;
    for (int i = 0; i < 288 * 14; i++) {
      boolean burst = i > 400 && rng.nextInt(50) == 0;
      double v = i == 400 ? 2.4e6 : burst ? 2e7 * Math.exp(Math.log(10) * rng.nextDouble()) : 0;
      double score = s.score(v);
      reports += i >= 288 * 4 && score > 0 ? 1 : 0;
    }
    assertThat(reports).as("bursts of known sizes from the fifth day on").isLessThanOrEqualTo(3);
    for (int i = 0; i < 200; i++) {
      s.score(0);
    }
    assertThat(s.score(2e9)).as("a burst ten times the largest").isPositive();
  }

  @Test
  void aSeriesThatGoesFlatWhereItUsedToMoveIsReported() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    Random rng = new Random(4);
    for (int i = 0; i < 288 * 10; i++) {
      s.score(50 + 40 * Math.sin(2 * Math.PI * i / 288) + rng.nextGaussian());
    }
    // the curve goes flat: every value is in a known level, the stay there is not
    double max = 0;
    for (int i = 0; i < 288; i++) {
      max = Math.max(max, s.score(60 + rng.nextGaussian() * 0.5));
    }
    assertThat(max).isPositive();
    // the level tests see the stay or the new order; the seasonal residual's 20-value mean sees the missing curve
    assertThat(s.lastReason()).isIn(StreamingAnomalyScorer.Reason.UNUSUAL_STAY,
        StreamingAnomalyScorer.Reason.UNUSUAL_SEQUENCE, StreamingAnomalyScorer.Reason.EXTREME_VALUE);
  }

  @Test
  void knownLevelsVisitedInANewOrderAreReportedOnce() {
    StreamingAnomalyScorer rising = new StreamingAnomalyScorer();
    StreamingAnomalyScorer reversed = new StreamingAnomalyScorer();
    // a sawtooth climbing 0, 1, 2, 3, 4: five known levels, always in the same order
    for (int i = 0; i < 1000; i++) {
      rising.score(i % 5);
      reversed.score(i % 5);
    }
    double control = 0;
    double news = 0;
    int reports = 0;
    for (int i = 0; i < 500; i++) {
      control = Math.max(control, rising.score(i % 5));
      // the same levels, now falling: every three-level sequence is new, no level, stay or value is
      double score = reversed.score(4 - i % 5);
      news = i < 10 ? Math.max(news, score) : news;
      reports += score > 0 ? 1 : 0;
    }
    assertThat(control).as("the known order").isZero();
    assertThat(news).as("the new order, within 10 values").isPositive();
    assertThat(reversed.lastReason()).isEqualTo(StreamingAnomalyScorer.Reason.UNUSUAL_SEQUENCE);
    assertThat(reports).as("one report for the episode").isEqualTo(1);
  }

  @Test
  void aSteadyCountdownIsNotNewsAtEveryLevelButItsAccelerationIs() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    // a certificate's seconds to expiry, sampled every 15 s: a new level below every ~80 values
    double ttl = 30 * 86_400;
    int reports = 0;
    for (int i = 0; i < 20_000; i++) {
      ttl -= 15;
      reports += s.score(ttl) > 0 ? 1 : 0;
    }
    assertThat(reports).as("the first records of the countdown only").isBetween(1, 2);
    // now it falls 10x faster: records arrive sooner than before
    double max = 0;
    for (int i = 0; i < 200; i++) {
      ttl -= 150;
      max = Math.max(max, s.score(ttl));
    }
    assertThat(max).isPositive();
  }

  @Test
  void spikesComingDenserAreReported() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer();
    // a load balancer's error count: zero, with a spike of 20 every 60 values
    int reports = 0;
    for (int i = 0; i < 3000; i++) {
      double score = s.score(i % 60 == 0 ? 20 : 0);
      reports += i >= 1000 && score > 0 ? 1 : 0;
    }
    assertThat(reports).as("spikes at their usual pace").isZero();
    // the same spikes, now every 15 values
    double max = 0;
    for (int i = 1; i <= 200; i++) {
      max = Math.max(max, s.score(i % 15 == 0 ? 20 : 0));
    }
    assertThat(max).isPositive();
    assertThat(s.lastReason()).isEqualTo(StreamingAnomalyScorer.Reason.DENSER_EXCURSIONS);
  }

  @Test
  void aSawtoothDropIsNewsOnce() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer(1500, 288, 300);
    // a log volume filling at a steady pace and rotated from 70% to 30% every 2,000 values, without noise
    int reports = 0;
    for (int i = 0; i < 20_000; i++) {
      double score = s.score(0.30 + 0.40 * (i % 2000) / 2000.0);
      reports += i >= 4000 && score > 0 ? 1 : 0;
    }
    assertThat(reports).as("once the first two rotations were seen").isZero();
  }

  @Test
  void stateStaysBoundedForAnEverGrowingSeries() {
    StreamingAnomalyScorer s = new StreamingAnomalyScorer(50, 24, 10);
    double v = 1;
    for (int i = 0; i < 100_000; i++) {
      v = v < 1e300 ? v * 1.01 : v;
      double score = s.score(v);
      assertThat(score).isBetween(0.0, 1.0);
    }
    assertThat(s.levelsTracked())
        .isEqualTo(StreamingAnomalyScorer.LEVELS + 1 + 2 * StreamingAnomalyScorer.OUTER_LEVELS);
  }
}
