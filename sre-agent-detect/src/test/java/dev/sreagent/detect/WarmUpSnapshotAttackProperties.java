package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.port.Detector;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Snapshots taken while a warm-up is held (with or without absurd readings in it), and damaged ones. */
class WarmUpSnapshotAttackProperties {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  /** Latency, CPU, request rate, error ratio and a call edge of one service; absurd readings at {@code absurd}. */
  private static List<MetricSample> series(long seed, int[] absurd) {
    Random rng = new Random(seed);
    List<MetricSample> out = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Instant t = T0.plusSeconds(15L * i);
      boolean bad = false;
      for (int a : absurd) {
        bad |= a == i;
      }
      boolean after = i >= 140;
      double f = bad ? 1e6 : 1;
      for (String pod : List.of("api-1", "api-2")) {
        out.add(new MetricSample(MetricNames.CPU_UTILIZATION, (after ? 0.69 : 0.38) * Math.exp(0.03 * rng.nextGaussian())
            * (pod.equals("api-1") ? f : 1), t, Map.of(Attributes.SERVICE_NAME, "api", Attributes.K8S_POD_NAME, pod)));
      }
      out.add(MetricSample.of(MetricNames.LATENCY_P99, f * (after ? 0.13 : 0.1) * Math.exp(0.05 * rng.nextGaussian()),
          t, "api"));
      out.add(MetricSample.of(MetricNames.REQUEST_RATE, 100 * Math.exp(0.02 * rng.nextGaussian()) / f, t, "api"));
      out.add(MetricSample.of(MetricNames.ERROR_RATIO, bad ? 50 : (after ? 0.3 : rng.nextInt(4) == 0 ? 0.01 : 0), t,
          "api"));
      out.add(new MetricSample(MetricNames.CLIENT_LATENCY_P50, f * (after ? 0.15 : 0.05)
          * Math.exp(0.05 * rng.nextGaussian()), t, Map.of(Attributes.SERVICE_NAME, "api",
          Attributes.PEER_SERVICE, "payments")));
    }
    return out;
  }

  @Property(tries = 60)
  void aDetectorRestoredInTheMiddleOfItsWarmUpAnswersAsTheUninterruptedOne(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed, @ForAll @IntRange(min = 0, max = 30) int cutAt,
      @ForAll @IntRange(min = -1, max = 25) int absurd1, @ForAll @IntRange(min = -1, max = 25) int absurd2) {
    List<MetricSample> samples = series(seed, new int[] {absurd1, absurd2});
    int cut = Math.min(samples.size(), cutAt * 6 + (int) (seed % 6));
    for (Supplier<Detector> make : List.<Supplier<Detector>>of(LatencyDetector::new, ErrorRateDetector::new,
        CallEdgeLatencyDetector::new)) {
      Detector uninterrupted = make.get();
      Detector before = make.get();
      for (MetricSample s : samples.subList(0, cut)) {
        uninterrupted.observe(s);
        before.observe(s);
      }
      Detector restored = make.get();
      restored.restore(before.snapshot().orElseThrow());
      List<Anomaly> expected = SnapshotReplay.answersAlike(uninterrupted, restored,
          samples.subList(cut, samples.size()));
      if (absurd1 < 0 && absurd2 < 0) {
        assertThat(expected).as("the rise of %s", uninterrupted.name()).hasSize(1);
      }
    }
  }

  /** A snapshot claiming a billion held warm-up readings (or another impossible count) is refused, not allocated. */
  @Example
  void aDamagedCountOfHeldReadingsIsRefused() {
    ErrorRateDetector d = new ErrorRateDetector();
    for (int i = 0; i < 5; i++) {
      d.observe(MetricSample.of(MetricNames.ERROR_RATIO, 0.01, T0.plusSeconds(15L * i), "cart"));
    }
    byte[] good = d.snapshot().orElseThrow();
    int countAt = good.length - 1 - 5 * 16 - 4; // the count, 5 readings, then the byte of dropped readings
    assertThat(ByteBuffer.wrap(good, countAt, 4).getInt()).isEqualTo(5);
    for (int n : new int[] {1_000_000_000, Integer.MAX_VALUE, Integer.MIN_VALUE, -2, 20, 19}) {
      byte[] bad = good.clone();
      ByteBuffer.wrap(bad, countAt, 4).putInt(n);
      assertThatThrownBy(() -> d.restore(bad)).as("%d held", n).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("it starts cold");
      assertThat(d.snapshot().orElseThrow()).isEqualTo(good);
    }
    for (byte dropped : new byte[] {-1, 20, Byte.MAX_VALUE}) {
      byte[] bad = good.clone();
      bad[bad.length - 1] = dropped;
      assertThatThrownBy(() -> d.restore(bad)).as("%d dropped", dropped).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("it starts cold");
      assertThat(d.snapshot().orElseThrow()).isEqualTo(good);
    }
  }
  /**
   * A one-off series (a pod seen once) keeps its one held reading and nothing else for the warm-up: at most one double
   * and one long with their array headers (48 bytes) over all the baselines of a latency state, the CPU ones
   * included, which hold nothing (arrays shared by every fresh baseline are not counted).
   */
  @Example
  void aOneOffSeriesHoldsLittleMoreThanItsOneReading() throws ReflectiveOperationException {
    LatencyDetector d = new LatencyDetector();
    d.observe(MetricSample.of(MetricNames.LATENCY_P99, 0.1, T0, "api"));
    LatencyDetector.State st = d.state("api");
    long bytes = heldBytes(st.baseline);
    for (String name : List.of("utilisation", "perRequest")) {
      java.lang.reflect.Field f = LatencyDetector.Utilisation.class.getDeclaredField(name);
      f.setAccessible(true);
      bytes += heldBytes((LearnedBaseline) f.get(st.utilisation));
    }
    assertThat(bytes).isLessThanOrEqualTo(48);
    ErrorRateDetector e = new ErrorRateDetector();
    e.observe(MetricSample.of(MetricNames.ERROR_RATIO, 0.01, T0, "api"));
    assertThat(heldBytes(e.state("api").baseline)).isLessThanOrEqualTo(48);
  }

  /** The bytes of the arrays {@code b} holds that a fresh baseline does not share (16-byte headers, 8-byte elements). */
  private static long heldBytes(LearnedBaseline b) throws IllegalAccessException {
    LearnedBaseline fresh = new LearnedBaseline(1.0 / 40);
    long bytes = 0;
    for (java.lang.reflect.Field f : LearnedBaseline.class.getDeclaredFields()) {
      if (!f.getType().isArray() || java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      f.setAccessible(true);
      Object held = f.get(b);
      if (held != null && held != f.get(fresh)) {
        bytes += 16 + 8L * java.lang.reflect.Array.getLength(held);
      }
    }
    return bytes;
  }
}
