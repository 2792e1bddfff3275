package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongToDoubleFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link CallEdgeLatencyDetector}: a delay on the calls into a service pages on that service, as the recorded network
 * delays of Online Boutique showed it (the calls 40 to 200 times slower for three minutes, the callee's own latency
 * flat); a caller's latency without a callee, a blip or a rise under the floor never does.
 */
class CallEdgeLatencyDetectorTest {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  private static MetricSample call(String caller, @Nullable String callee, long sec, double seconds) {
    Map<String, String> attrs = new HashMap<>(Map.of(Attributes.SERVICE_NAME, caller));
    if (callee != null) {
      attrs.put(Attributes.PEER_SERVICE, callee);
    }
    return new MetricSample(MetricNames.CLIENT_LATENCY_P50, seconds, T0.plusSeconds(sec), attrs);
  }

  private static List<Anomaly> feed(CallEdgeLatencyDetector d, @Nullable String callee, long from, long seconds,
      long step, LongToDoubleFunction value) {
    List<Anomaly> out = new ArrayList<>();
    for (long t = from; t < from + seconds; t += step) {
      out.addAll(d.observe(call("checkout", callee, t, value.applyAsDouble(t))));
    }
    return out;
  }

  private static LongToDoubleFunction noisy(double level, long seed) {
    Random rng = new Random(seed);
    return t -> Math.max(0, level * (1 + 0.1 * rng.nextGaussian()));
  }

  @Test
  void aThreeMinuteDelayOnTheCallsIntoAServicePagesOnThatServiceNamingTheCaller() {
    CallEdgeLatencyDetector d = new CallEdgeLatencyDetector();
    assertThat(feed(d, "cart", 0, 1_800, 60, noisy(0.005, 1))).isEmpty();
    List<Anomaly> a = feed(d, "cart", 1_800, 180, 60, t -> 0.21);

    assertThat(a).singleElement().satisfies(x -> {
      assertThat(x.type()).isEqualTo(IncidentType.HIGH_LATENCY);
      assertThat(x.service()).isEqualTo("cart");
      assertThat(x.resource()).isEqualTo("checkout->cart");
      assertThat(x.signal()).isEqualTo(MetricNames.CLIENT_LATENCY_P50);
      assertThat(x.severity()).isEqualTo(Severity.SEV2);
      assertThat(x.startedAt()).isEqualTo(T0.plusSeconds(1_800));
      assertThat(x.detectedAt()).isEqualTo(T0.plusSeconds(1_800 + 120));
      assertThat(x.summary()).contains("calls from checkout to cart take 210 ms at the median")
          .contains("a delay in cart or on the way to it");
    });
    assertThat(d.isFiring("cart")).isTrue();
    assertThat(d.isFiring("checkout")).as("the caller is where it is seen, not where it is").isFalse();
    feed(d, "cart", 1_980, 300, 60, noisy(0.005, 2));
    assertThat(d.isFiring("cart")).as("cleared once the calls are fast again").isFalse();
  }

  @Test
  void aCallersLatencyWithoutACalleeIsNotJudged() {
    CallEdgeLatencyDetector d = new CallEdgeLatencyDetector();
    feed(d, null, 0, 1_800, 60, noisy(0.005, 3));
    assertThat(feed(d, null, 1_800, 600, 60, t -> 0.5)).isEmpty();
    assertThat(d.trackedResources()).isZero();
    assertThat(feed(d, " ", 2_400, 600, 60, t -> 0.5)).as("a blank callee").isEmpty();
  }

  @Test
  void twoBadSamplesARiseUnderTheRelativeFloorAndANegativeReadingDoNotPage() {
    CallEdgeLatencyDetector d = new CallEdgeLatencyDetector();
    feed(d, "cart", 0, 1_800, 60, noisy(0.005, 4));
    assertThat(feed(d, "cart", 1_800, 120, 60, t -> 0.5)).as("two minutes of a 1-minute series").isEmpty();
    feed(d, "cart", 1_920, 600, 60, noisy(0.005, 5));
    CallEdgeLatencyDetector steady = new CallEdgeLatencyDetector();
    feed(steady, "cart", 0, 1_800, 60, t -> 0.100);
    assertThat(feed(steady, "cart", 1_800, 600, 60, t -> 0.140)).as("+40%, under +50%").isEmpty();
    assertThat(feed(steady, "cart", 2_400, 600, 60, t -> -1)).isEmpty();
    assertThat(steady.isFiring("cart")).isFalse();
  }

  @Test
  void eachEdgeHasItsOwnBaselineAndTheSlowerCalleePages() {
    CallEdgeLatencyDetector d = new CallEdgeLatencyDetector();
    List<Anomaly> out = new ArrayList<>();
    for (long t = 0; t < 2_400; t += 60) {
      out.addAll(d.observe(call("frontend", "cart", t, t >= 1_800 ? 0.25 : 0.005)));
      out.addAll(d.observe(call("frontend", "ads", t, 0.300))); // a slow callee by habit
    }
    assertThat(out).extracting(Anomaly::service).containsExactly("cart");
    assertThat(d.trackedResources()).isEqualTo(2);
  }

  /** Found by attack: "a->b" calling c and a calling "b->c" made one key, one baseline; the second edge's delay went unseen. */
  @Test
  void anEdgeWhoseKeyWouldReadTwoWaysIsNotMixedWithAnother() {
    CallEdgeLatencyDetector d = new CallEdgeLatencyDetector();
    List<Anomaly> out = new ArrayList<>();
    for (long t = 0; t < 2_400; t += 60) {
      out.addAll(d.observe(call("a->b", "c", t, 0.300)));
      out.addAll(d.observe(call("a", "b->c", t, t >= 1_800 ? 0.5 : 0.005)));
    }
    assertThat(out).singleElement().satisfies(x -> {
      assertThat(x.service()).isEqualTo("b->c");
      assertThat(x.resource()).isEqualTo("a->b->c");
      assertThat(x.summary()).contains("calls from a to b->c");
    });
    assertThat(d.trackedResources()).as("the caller holding '->' is not judged").isEqualTo(1);
  }

  /** Found by attack: a mapped column's " cart " paged a service " cart " that no topology or graph knows. */
  @Test
  void aCalleeIsNamedWithoutSurroundingWhitespace() {
    CallEdgeLatencyDetector d = new CallEdgeLatencyDetector();
    feed(d, "cart", 0, 900, 60, noisy(0.005, 7));
    feed(d, " cart ", 900, 900, 60, noisy(0.005, 8));
    assertThat(d.trackedResources()).as("one edge").isEqualTo(1);
    assertThat(feed(d, "cart\t", 1_800, 180, 60, t -> 0.21)).singleElement().satisfies(x -> {
      assertThat(x.service()).isEqualTo("cart");
      assertThat(x.resource()).isEqualTo("checkout->cart");
    });
  }

  /**
   * Found by attack: a series of zeros (an interval without calls, as some exporters write it) learned a level of 0,
   * so its +50% floor and 3 sigma were 0 and the next 1 ms call paged SEV2 ("above their baseline 0.0 ms"). A zero
   * median is no reading of a call.
   */
  @Test
  void zerosAreNoReadingSoACallAfterThemDoesNotPage() {
    CallEdgeLatencyDetector d = new CallEdgeLatencyDetector();
    assertThat(feed(d, "cart", 0, 1_800, 60, t -> 0.0)).isEmpty();
    assertThat(feed(d, "cart", 1_800, 600, 60, t -> 0.001)).isEmpty();
    assertThat(d.isFiring("cart")).isFalse();
  }

  /**
   * Any two distinct edges, names drawn from an alphabet of arrows, dashes, spaces and non-ASCII letters: each keeps
   * its own state, a step on the first pages once on its callee (stripped) naming its caller, the steady second never.
   */
  @Property(tries = 300)
  void anyTwoEdgesKeepTheirOwnStateWhateverTheirNames(
      @ForAll @net.jqwik.api.constraints.StringLength(min = 1, max = 6)
      @net.jqwik.api.constraints.Chars({'a', '-', '>', ' ', '\u00e9', '\u7f51'}) String caller1,
      @ForAll @net.jqwik.api.constraints.StringLength(min = 1, max = 6)
      @net.jqwik.api.constraints.Chars({'a', '-', '>', ' ', '\u00e9', '\u7f51'}) String callee1,
      @ForAll @net.jqwik.api.constraints.StringLength(min = 1, max = 6)
      @net.jqwik.api.constraints.Chars({'a', '-', '>', ' ', '\u00e9', '\u7f51'}) String caller2,
      @ForAll @net.jqwik.api.constraints.StringLength(min = 1, max = 6)
      @net.jqwik.api.constraints.Chars({'a', '-', '>', ' ', '\u00e9', '\u7f51'}) String callee2) {
    net.jqwik.api.Assume.that(!caller1.contains("->") && !caller2.contains("->") && !callee1.isBlank()
        && !callee2.isBlank() && !(caller1.equals(caller2) && callee1.strip().equals(callee2.strip())));
    CallEdgeLatencyDetector d = new CallEdgeLatencyDetector();
    List<Anomaly> out = new ArrayList<>();
    for (long t = 0; t < 2_400; t += 60) {
      out.addAll(d.observe(call(caller1, callee1, t, t >= 1_800 ? 0.5 : 0.005)));
      out.addAll(d.observe(call(caller2, callee2, t, 0.005)));
    }
    assertThat(d.trackedResources()).isEqualTo(2);
    assertThat(out).singleElement().satisfies(x -> {
      assertThat(x.service()).isEqualTo(callee1.strip());
      assertThat(x.resource()).isEqualTo(caller1 + "->" + callee1.strip());
      assertThat(x.summary()).startsWith("calls from " + caller1 + " to " + callee1.strip() + " take");
    });
  }

  @Test
  void itsSettingsComeFromTheEdgesKeys() {
    List<dev.sreagent.api.port.Detector> all = DetectorSettings.of(Map.of("detect.edges.sustain", "5m",
        "detect.edges.sigmas", "4")).create();
    assertThat(all).extracting(dev.sreagent.api.port.Detector::name).contains("call-edge-latency");
    assertThat(DetectorSettings.of(Map.of("detect.edges.enabled", "false")).create())
        .extracting(dev.sreagent.api.port.Detector::name).doesNotContain("call-edge-latency");
    CallEdgeLatencyDetector slow = new CallEdgeLatencyDetector(3, Duration.ofMinutes(5), 0.5);
    feed(slow, "cart", 0, 1_800, 60, noisy(0.005, 6));
    assertThat(feed(slow, "cart", 1_800, 180, 60, t -> 0.21)).as("three minutes under a 5-minute sustain").isEmpty();
  }

  /**
   * Any edge: after a steady warm-up, a step to {@code factor} times its level for {@code minutes} pages once on the
   * callee exactly when it lasts three samples (the 2-minute sustain at 1-minute samples), never before; any noise
   * within a tenth of the level never pages.
   */
  @Property(tries = 200)
  void aStepPagesOnceOnTheCalleeWhenItLastsThreeSamplesAndNoiseNever(
      @ForAll @DoubleRange(min = 0.001, max = 2) @net.jqwik.api.constraints.Scale(4) double level, @ForAll @DoubleRange(min = 2, max = 500) double factor,
      @ForAll @IntRange(min = 1, max = 10) int minutes, @ForAll @LongRange(min = 0, max = 1_000) long seed) {
    CallEdgeLatencyDetector d = new CallEdgeLatencyDetector();
    Random rng = new Random(seed);
    LongToDoubleFunction quiet = t -> level * (1 + 0.05 * (rng.nextDouble() - 0.5));
    assertThat(feed(d, "cart", 0, 3_600, 60, quiet)).isEmpty();
    List<Anomaly> a = feed(d, "cart", 3_600, minutes * 60L, 60, t -> level * factor);
    if (minutes >= 3) {
      assertThat(a).singleElement().extracting(Anomaly::service).isEqualTo("cart");
    } else {
      assertThat(a).isEmpty();
    }
  }
}
