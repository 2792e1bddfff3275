package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.port.Detector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A detector restored from a snapshot answers the following samples exactly as the detector that was never
 * interrupted: the same anomalies, the same firing services, and the same snapshot at the end.
 */
class DetectorSnapshotProperties {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String[] METRICS = {MetricNames.MEMORY_UTILIZATION, MetricNames.LATENCY_P99,
      MetricNames.ERROR_RATIO, MetricNames.DISK_UTILIZATION, MetricNames.CERTIFICATE_TIME_TO_EXPIRY,
      MetricNames.CPU_UTILIZATION, MetricNames.REQUEST_RATE, MetricNames.CLIENT_LATENCY_P50};
  private static final List<String> SERVICES = List.of("cart", "checkout", "search");

  /** One sample: which metric, service and pod, its value, and how far the clock moves before it. */
  record Step(int metric, int service, int pod, double value, long advanceSeconds) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Double> values = Arbitraries.oneOf(Arbitraries.doubles().between(0, 1),
        Arbitraries.doubles().between(0.1, 0.12), Arbitraries.doubles().between(0.9, 50),
        Arbitraries.of(Double.NaN, 0.0, 1.0, 2e6));
    Arbitrary<Long> advance = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.just(5L),
        Arbitraries.longs().between(-60, -1), Arbitraries.longs().between(1, 400));
    return Combinators.combine(Arbitraries.integers().between(0, METRICS.length - 1),
        Arbitraries.integers().between(0, SERVICES.size() - 1), Arbitraries.integers().between(0, 6), values,
        advance).as(Step::new).list().ofMinSize(1).ofMaxSize(1500);
  }

  private static List<Supplier<Detector>> detectors() {
    return List.of(MemoryPressureDetector::new, LatencyDetector::new, ErrorRateDetector::new,
        DiskExhaustionDetector::new, CertificateExpiryDetector::new, CpuSaturationDetector::new,
        CallEdgeLatencyDetector::new,
        // a cap smaller than the pods: evictions and their order must survive the snapshot too
        () -> new MemoryPressureDetector(0.85, Duration.ofMinutes(5), 4));
  }

  @Property(tries = 150)
  void aRestoredDetectorAnswersExactlyAsTheUninterruptedOne(@ForAll("steps") List<Step> steps,
      @ForAll @IntRange(min = 0, max = 1500) int cut) {
    int split = Math.min(cut, steps.size());
    List<MetricSample> samples = samples(steps);
    for (Supplier<Detector> make : detectors()) {
      Detector uninterrupted = make.get();
      Detector before = make.get();
      for (MetricSample s : samples.subList(0, split)) {
        uninterrupted.observe(s);
        before.observe(s);
      }
      byte[] snapshot = before.snapshot().orElseThrow();
      Detector restored = make.get();
      restored.restore(snapshot);
      assertThat(restored.snapshot().orElseThrow()).isEqualTo(snapshot);
      SnapshotReplay.answersAlike(uninterrupted, restored, samples.subList(split, samples.size()));
      for (String svc : SERVICES) {
        assertThat(restored.isFiring(svc)).isEqualTo(uninterrupted.isFiring(svc));
      }
      assertThat(restored.evictedStates() <= uninterrupted.evictedStates()).isTrue();
    }
  }

  private static List<MetricSample> samples(List<Step> steps) {
    List<MetricSample> out = new ArrayList<>();
    Instant t = T0;
    for (Step s : steps) {
      t = t.plusSeconds(s.advanceSeconds());
      String svc = SERVICES.get(s.service());
      Map<String, String> attrs = new java.util.HashMap<>(Map.of(Attributes.SERVICE_NAME, svc,
          Attributes.K8S_POD_NAME, svc + "-" + s.pod(), Attributes.HOST_NAME, "node-" + s.pod()));
      if (s.pod() < 6) { // a call edge to another service (pod 6: a client latency without a callee)
        attrs.put(Attributes.PEER_SERVICE, SERVICES.get((s.service() + 1 + s.pod() % 2) % SERVICES.size()));
      }
      out.add(new MetricSample(METRICS[s.metric()], s.value(), t, attrs));
    }
    return out;
  }

  @Test
  void aRestoredLatencyDetectorFiresWithoutAWarmUpWhereAFreshOneLearnsTheFault() {
    LatencyDetector learned = new LatencyDetector();
    Instant t = T0;
    for (int i = 0; i < 200; i++, t = t.plusSeconds(15)) {
      learned.observe(MetricSample.of(MetricNames.LATENCY_P99, 0.1 + 0.001 * (i % 5), t, "checkout"));
    }
    LatencyDetector restored = new LatencyDetector();
    restored.restore(learned.snapshot().orElseThrow());
    LatencyDetector fresh = new LatencyDetector();
    List<Anomaly> restoredFound = new ArrayList<>();
    List<Anomaly> freshFound = new ArrayList<>();
    for (int i = 0; i < 40; i++, t = t.plusSeconds(15)) {
      MetricSample slow = MetricSample.of(MetricNames.LATENCY_P99, 0.5, t, "checkout");
      restoredFound.addAll(restored.observe(slow));
      freshFound.addAll(fresh.observe(slow));
    }
    assertThat(restoredFound).hasSize(1);
    assertThat(freshFound).isEmpty(); // it learned the slow latency as its baseline during its warm-up
  }

  @Test
  void aSnapshotOfAnotherVersionAnotherDetectorOrDamagedIsRefusedAndLeavesTheDetectorAsItWas() {
    ErrorRateDetector d = new ErrorRateDetector();
    for (int i = 0; i < 30; i++) {
      d.observe(MetricSample.of(MetricNames.ERROR_RATIO, 0.01, T0.plusSeconds(15L * i), "cart"));
    }
    byte[] before = d.snapshot().orElseThrow();
    byte[] otherVersion = before.clone();
    int versionAt = 4 + 4 + "error-rate".length();
    otherVersion[versionAt + 3] = 9;
    assertThatThrownBy(() -> d.restore(otherVersion)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format version 9, this version reads 3");
    byte[] latency = new LatencyDetector().snapshot().orElseThrow();
    assertThatThrownBy(() -> d.restore(latency)).hasMessageContaining("is a snapshot of detector latency");
    assertThatThrownBy(() -> d.restore(Arrays.copyOf(before, before.length - 7)))
        .hasMessageContaining("damaged");
    assertThatThrownBy(() -> d.restore(new byte[] {1, 2})).hasMessageContaining("not a detector snapshot");
    byte[] longer = Arrays.copyOf(before, before.length + 1);
    assertThatThrownBy(() -> d.restore(longer)).hasMessageContaining("damaged");
    assertThat(d.snapshot().orElseThrow()).isEqualTo(before);
  }

  @Test
  void aSnapshotOfManyServicesStaysBoundedAndRestores() throws java.io.IOException {
    ErrorRateDetector d = new ErrorRateDetector();
    int services = RuleDetector.MAX_SERVICES;
    for (int i = 0; i < 25; i++) {
      Instant t = T0.plusSeconds(15L * i);
      for (int s = 0; s < services; s++) {
        d.observe(MetricSample.of(MetricNames.ERROR_RATIO, 0.01, t, "svc-" + s));
      }
    }
    for (int s = 0; s < 5_000; s++) { // more than the cap: evicted, never beyond it
      d.observe(MetricSample.of(MetricNames.ERROR_RATIO, 0.01, T0.plusSeconds(400), "extra-" + s));
    }
    byte[] snapshot = d.snapshot().orElseThrow();
    assertThat(d.trackedResources()).isEqualTo(services);
    // about 1.5 KB per service (the baseline's 24 hourly buckets and the tail floor's 24 hourly maxima): the cap bounds it
    assertThat(snapshot.length).isLessThan(services * 1_700);
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (var out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(snapshot);
    }
    System.out.printf("error-rate snapshot of %d services: %d bytes, %d gzipped%n", services, snapshot.length,
        gz.size());
    ErrorRateDetector restored = new ErrorRateDetector();
    restored.restore(snapshot);
    assertThat(restored.trackedResources()).isEqualTo(services);
    assertThat(restored.snapshot().orElseThrow()).isEqualTo(snapshot);
  }
}
