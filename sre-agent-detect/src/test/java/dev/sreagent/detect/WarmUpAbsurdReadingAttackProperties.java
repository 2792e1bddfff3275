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
import java.util.function.IntToDoubleFunction;
import java.util.function.Supplier;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Attacks on the held warm-up of {@link LearnedBaseline} (commit 636d14e): absurd readings of a broken exporter that
 * the first version still learned.
 */
class WarmUpAbsurdReadingAttackProperties {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  enum Kind {
    LATENCY(MetricNames.LATENCY_P99, LatencyDetector::new, 0.1, 3),
    ERROR_RATIO(MetricNames.ERROR_RATIO, ErrorRateDetector::new, 0.005, 30),
    CALL_EDGE(MetricNames.CLIENT_LATENCY_P50, CallEdgeLatencyDetector::new, 0.05, 3);

    final String metric;
    final Supplier<Detector> make;
    final double level;
    final double rise;

    Kind(String metric, Supplier<Detector> make, double level, double rise) {
      this.metric = metric;
      this.make = make;
      this.level = level;
      this.rise = rise;
    }

    MetricSample sample(long i, double v) {
      Map<String, String> attributes = this == CALL_EDGE
          ? Map.of(Attributes.SERVICE_NAME, "checkout", Attributes.PEER_SERVICE, "payments")
          : Map.of(Attributes.SERVICE_NAME, "payments");
      return new MetricSample(metric, v, T0.plusSeconds(15 * i), attributes);
    }
  }

  /**
   * The anomalies of an hour of {@code usual} readings (some replaced by {@code absurd}, which gives NaN for "no
   * replacement"), then ten minutes of {@code risen} ones; nothing may fire in the hour.
   */
  static List<Anomaly> run(Kind kind, IntToDoubleFunction usual, IntToDoubleFunction absurd, IntToDoubleFunction risen) {
    Detector d = kind.make.get();
    List<Anomaly> fired = new ArrayList<>();
    int i = 0;
    for (; i < 240; i++) {
      double a = absurd.applyAsDouble(i);
      fired.addAll(d.observe(kind.sample(i, Double.isNaN(a) ? usual.applyAsDouble(i) : a)));
    }
    assertThat(fired).as("nothing fires before the rise").isEmpty();
    for (; i < 280; i++) {
      fired.addAll(d.observe(kind.sample(i, risen.applyAsDouble(i))));
    }
    return fired;
  }

  private static IntToDoubleFunction noisy(double level, long seed) {
    Random rng = new Random(seed);
    return i -> level * Math.exp(0.05 * rng.nextGaussian());
  }

  private static IntToDoubleFunction at(double value, int... positions) {
    return i -> {
      for (int p : positions) {
        if (p == i) {
          return value;
        }
      }
      return Double.NaN;
    };
  }

  /**
   * An exporter broken for two or three scrapes at the end of the warm-up: the reading that is left out is replaced by
   * the next one, and that one must be judged too (the first version learned it unchecked, and the rise an hour later
   * never paged).
   */
  @Property(tries = 60)
  void absurdReadingsThatOutlastTheWarmUpDoNotHideALaterRise(@ForAll Kind kind,
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed, @ForAll @IntRange(min = 15, max = 19) int first,
      @ForAll @IntRange(min = 2, max = 3) int scrapes, @ForAll @DoubleRange(min = 1_000, max = 3e7) double absurd) {
    int[] positions = new int[scrapes];
    for (int k = 0; k < scrapes; k++) {
      positions[k] = first + k;
    }
    assertThat(run(kind, noisy(kind.level, seed), at(Double.NaN), noisy(kind.rise * kind.level, seed + 1)))
        .as("the rise without the readings").hasSize(1);
    assertThat(run(kind, noisy(kind.level, seed), at(absurd, positions), noisy(kind.rise * kind.level, seed + 1)))
        .as("the rise with %s at samples %s", absurd, java.util.Arrays.toString(positions)).hasSize(1);
  }

  /** Two absurd readings far apart: one in the warm-up, one as the 21st sample (the first replacement). */
  @Example
  void anAbsurdReadingAsTheFirstReplacementDoesNotHideALaterRise() {
    for (Kind kind : Kind.values()) {
      assertThat(run(kind, noisy(kind.level, 7), at(1e6, 5, 20), noisy(kind.rise * kind.level, 8)))
          .as("%s with absurd readings at samples 5 and 20", kind).hasSize(1);
    }
  }
  /**
   * The capacity-loss evidence of {@link LatencyDetector}: p99 of "api" at 100 ms, then +30% from sample 160 (under the
   * +50% floor) while its two pods' CPU goes from 38% to 69% at the same 100 requests/s; {@code rateAt} gets an absurd
   * request rate, {@code cpuAt} an absurd CPU reading of one pod (none when negative).
   */
  static List<Anomaly> capacityLoss(int rateAt, double rate, int cpuAt, double cpu) {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(3);
    List<Anomaly> fired = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      Instant t = T0.plusSeconds(15L * i);
      boolean after = i >= 160;
      for (String pod : List.of("api-1", "api-2")) {
        double v = (after ? 0.69 : 0.38) * Math.exp(0.03 * rng.nextGaussian());
        d.observe(new MetricSample(MetricNames.CPU_UTILIZATION, i == cpuAt && pod.equals("api-1") ? cpu : v, t,
            Map.of(Attributes.SERVICE_NAME, "api", Attributes.K8S_POD_NAME, pod)));
      }
      double p99 = (after ? 0.13 : 0.1) * Math.exp(0.05 * rng.nextGaussian());
      fired.addAll(d.observe(MetricSample.of(MetricNames.LATENCY_P99, p99, t, "api")));
      double r = 100 * Math.exp(0.02 * rng.nextGaussian());
      d.observe(MetricSample.of(MetricNames.REQUEST_RATE, i == rateAt ? rate : r, t, "api"));
    }
    return fired;
  }

  /**
   * The CPU baselines of the latency detector learn in lockstep while the cost per request warms up: an absurd request
   * rate leaves a cost reading out (the utilisation keeps its reading), and an absurd CPU reading at the next sample
   * must not be learned unchecked by the utilisation (nor by the cost), or the capacity loss later is not seen.
   */
  @Example
  void anAbsurdRequestRateThenAnAbsurdCpuReadingInTheWarmUpDoNotHideACapacityLoss() {
    assertThat(capacityLoss(-1, 0, -1, 0)).as("without absurd readings").singleElement()
        .satisfies(a -> assertThat(a.summary()).contains("while its CPU utilisation rose to"));
    assertThat(capacityLoss(5, 1e-6, -1, 0)).as("an absurd request rate").singleElement()
        .satisfies(a -> assertThat(a.summary()).contains("while its CPU utilisation rose to"));
    assertThat(capacityLoss(5, 1e-6, 21, 1e6)).as("an absurd request rate, then an absurd CPU reading")
        .singleElement().satisfies(a -> assertThat(a.summary()).contains("while its CPU utilisation rose to"));
  }
  /**
   * A healthy service's error ratio is 0 through its warm-up (its median and MAD are 0, so the first version found no
   * scale to call anything absurd by and learned it all): an absurd ratio among them (100,000% and more) must not
   * hide an outage an hour later.
   */
  @Property(tries = 40)
  void anAbsurdErrorRatioInAWarmUpOfZerosDoesNotHideALaterOutage(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed, @ForAll @IntRange(min = 0, max = 19) int at,
      @ForAll @DoubleRange(min = 1_000, max = 3e7) double absurd, @ForAll @IntRange(min = 0, max = 3) int blips) {
    Random rng = new Random(seed);
    java.util.Set<Integer> blipAt = new java.util.HashSet<>();
    while (blipAt.size() < blips) {
      blipAt.add(rng.nextInt(20));
    }
    IntToDoubleFunction usual = i -> blipAt.contains(i) ? 0.01 : 0.0; // now and then one failed request in 100
    IntToDoubleFunction outage = noisy(0.3, seed);
    assertThat(run(Kind.ERROR_RATIO, usual, at(Double.NaN), outage)).as("the outage without the reading").hasSize(1);
    assertThat(run(Kind.ERROR_RATIO, usual, at(absurd, at), outage)).as("the outage with %s at sample %d", absurd, at)
        .hasSize(1);
  }
}
