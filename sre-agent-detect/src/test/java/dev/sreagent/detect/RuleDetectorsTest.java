package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.ChangeEvent;
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
import org.junit.jupiter.api.Test;

class RuleDetectorsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration STEP = Duration.ofSeconds(15);

  private static MetricSample mem(int i, double v) {
    return new MetricSample(MetricNames.MEMORY_UTILIZATION, v, T0.plus(STEP.multipliedBy(i)),
        Map.of(Attributes.SERVICE_NAME, "cart", Attributes.K8S_POD_NAME, "cart-1"));
  }

  @Test
  void memoryFiresOnlyAfterTheSustainWindowAndOnlyOnce() {
    MemoryPressureDetector d = new MemoryPressureDetector();
    List<Anomaly> fired = new ArrayList<>();
    int firstFire = -1;
    for (int i = 0; i < 60; i++) {
      List<Anomaly> a = d.observe(mem(i, 0.96));  // at the imminent line: pages whatever the trend
      if (!a.isEmpty() && firstFire < 0) {
        firstFire = i;
      }
      fired.addAll(a);
    }
    assertThat(fired).hasSize(1);
    assertThat(firstFire).isEqualTo(20); // 20 x 15 s = 5 min after the first breaching sample
    Anomaly a = fired.get(0);
    assertThat(a.type()).isEqualTo(IncidentType.OOM_KILL);
    assertThat(a.resource()).isEqualTo("cart-1");
    assertThat(d.isFiring("cart")).isTrue();
  }

  @Test
  void aPodSittingSteadilyNearItsLimitDoesNotPageOneGrowingPastTheThresholdDoes() {
    MemoryPressureDetector steady = new MemoryPressureDetector();
    Random rng = new Random(7);
    for (int i = 0; i < 2_000; i++) {  // 86-88% for over eight hours, as a JVM sized to its limit
      assertThat(steady.observe(mem(i, 0.87 + 0.004 * rng.nextGaussian()))).as("sample " + i).isEmpty();
    }
    MemoryPressureDetector growing = new MemoryPressureDetector();
    List<Anomaly> fired = new ArrayList<>();
    for (int i = 0; i < 300 && fired.isEmpty(); i++) {  // 86% rising 0.3% of the limit per minute: full in 47 min
      fired.addAll(growing.observe(mem(i, 0.86 + 0.00075 * i)));
    }
    assertThat(fired).singleElement().satisfies(a -> assertThat(a.observed()).isLessThan(IMMINENT_FOR_TEST));
  }

  static final double IMMINENT_FOR_TEST = MemoryPressureDetector.IMMINENT;

  @Test
  void aLeakIsForecastBeforeItCrossesTheThreshold() {
    MemoryPressureDetector d = new MemoryPressureDetector();
    List<Anomaly> fired = new ArrayList<>();
    double v = 0.45;
    int i = 0;
    while (fired.isEmpty() && i < 400) {
      v += 0.003; // +1.2% of the limit per minute at 15 s samples
      fired.addAll(d.observe(mem(i++, v)));
    }
    assertThat(fired).singleElement().satisfies(a -> {
      assertThat(a.observed()).as("caught below the 85% threshold").isLessThan(0.85);
      assertThat(a.summary()).contains("projected OOM in");
    });
  }

  @Test
  void steadyHighMemoryBelowTheThresholdIsNotForecast() {
    MemoryPressureDetector d = new MemoryPressureDetector();
    Random rng = new Random(2);
    for (int i = 0; i < 400; i++) {
      assertThat(d.observe(mem(i, 0.80 + 0.005 * rng.nextGaussian()))).isEmpty();
    }
  }

  @Test
  void memoryDipResetsTheSustainWindow() {
    MemoryPressureDetector d = new MemoryPressureDetector();
    List<Anomaly> fired = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      fired.addAll(d.observe(mem(i, i % 15 == 14 ? 0.5 : 0.9)));
    }
    assertThat(fired).isEmpty();
  }

  @Test
  void nanDuplicateAndOutOfOrderSamplesAreCountedAndIgnored() {
    MemoryPressureDetector d = new MemoryPressureDetector();
    d.observe(mem(10, 0.5));
    assertThat(d.observe(mem(11, Double.NaN))).isEmpty();
    assertThat(d.observe(mem(12, Double.POSITIVE_INFINITY))).isEmpty();
    assertThat(d.observe(mem(5, 0.99))).isEmpty();
    assertThat(d.observe(mem(10, 0.99))).isEmpty();
    assertThat(d.rejectedNonFinite()).isEqualTo(2);
    assertThat(d.rejectedOutOfOrder()).isEqualTo(1);
    assertThat(d.rejectedDuplicate()).isEqualTo(1);
    assertThat(d.rejectedSamples()).isEqualTo(4);
    assertThat(d.lastRejection()).hasValueSatisfying(line -> assertThat(line).contains("0.99")
        .contains("already had a sample at that time"));
  }

  @Test
  void implausibleReadingsAreCountedAndTheLastIsDescribedWithItsSeriesAndWhy() {
    LatencyDetector latency = new LatencyDetector();
    assertThat(latency.rejectedSamples()).isZero();
    assertThat(latency.lastRejection()).isEmpty();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 3; i++) {
      assertThat(latency.observe(MetricSample.of(MetricNames.LATENCY_P99, -1, t0.plusSeconds(15L * i), "checkout")))
          .isEmpty();
    }
    assertThat(latency.rejectedImplausible()).isEqualTo(3);
    assertThat(latency.rejectedSamples()).isEqualTo(3);
    assertThat(latency.trackedResources()).as("no state for a series that sent only junk").isZero();
    assertThat(latency.lastRejection()).hasValueSatisfying(line -> assertThat(line)
        .contains(MetricNames.LATENCY_P99).contains("checkout").contains("-1.0").contains("negative"));

    CpuSaturationDetector cpu = new CpuSaturationDetector();
    cpu.observe(MetricSample.of(MetricNames.CPU_UTILIZATION, 87.5, t0, "cart"));
    assertThat(cpu.rejectedImplausible()).isEqualTo(1);
    assertThat(cpu.lastRejection()).hasValueSatisfying(line -> assertThat(line).contains("cart").contains("87.5")
        .contains("percentage").contains("cpu-utilization * 0.01"));
  }

  @Test
  void oomKilledEventFiresAtOnce() {
    List<Anomaly> a = new MemoryPressureDetector().observe(new ChangeEvent(T0, "cart", ChangeEvent.OOM_KILLED,
        "r1", "pod cart-1 OOMKilled"));
    assertThat(a).singleElement().satisfies(x -> assertThat(x.type()).isEqualTo(IncidentType.OOM_KILL));
  }

  @Test
  void latencyLearnsTheBaselineAndIgnoresNoiseButCatchesAStep() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(1);
    List<Anomaly> fired = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      double v = 0.2 * Math.exp(0.05 * rng.nextGaussian());
      fired.addAll(d.observe(MetricSample.of(MetricNames.LATENCY_P99, v, T0.plus(STEP.multipliedBy(i)), "api")));
    }
    assertThat(fired).as("no alert on noise").isEmpty();
    for (int i = 400; i < 420; i++) {
      fired.addAll(d.observe(MetricSample.of(MetricNames.LATENCY_P99, 0.6, T0.plus(STEP.multipliedBy(i)), "api")));
    }
    assertThat(fired).singleElement().satisfies(a -> {
      assertThat(a.type()).isEqualTo(IncidentType.HIGH_LATENCY);
      assertThat(a.threshold()).isBetween(0.2, 0.35);
      assertThat(Duration.between(a.startedAt(), a.detectedAt())).isEqualTo(Duration.ofMinutes(2));
    });
  }

  /**
   * p99 of "api" 40 minutes at 100 ms, then {@code step} times that; the CPU utilisation of its two pods as given
   * (none when 0); its request rate 100/s, then {@code traffic} times that.
   */
  private static List<Anomaly> latencyStepWithCpu(double step, double cpuBefore, double cpuAfter, double traffic) {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(3);
    List<Anomaly> fired = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      Instant t = T0.plus(STEP.multipliedBy(i));
      boolean after = i >= 160;
      if (cpuBefore > 0) {
        for (String pod : List.of("api-1", "api-2")) {
          d.observe(new MetricSample(MetricNames.CPU_UTILIZATION, (after ? cpuAfter : cpuBefore)
              * Math.exp(0.03 * rng.nextGaussian()), t, Map.of(Attributes.SERVICE_NAME, "api",
              Attributes.K8S_POD_NAME, pod)));
        }
      }
      double p99 = (after ? 0.1 * step : 0.1) * Math.exp(0.05 * rng.nextGaussian());
      fired.addAll(d.observe(MetricSample.of(MetricNames.LATENCY_P99, p99, t, "api")));
      fired.addAll(d.observe(MetricSample.of(MetricNames.REQUEST_RATE, (after ? 100 * traffic : 100)
          * Math.exp(0.02 * rng.nextGaussian()), t, "api")));
    }
    return fired;
  }

  @Test
  void latencyWaivesItsFloorWhenEachRequestCostsMoreCpu() {
    // +30% p99 (6 sigma, under the +50% floor) while CPU goes from 38% to 69% at the same traffic: a capacity loss
    assertThat(latencyStepWithCpu(1.3, 0.38, 0.69, 1.0)).singleElement().satisfies(a -> {
      assertThat(a.summary()).contains("while its CPU utilisation rose to").contains("costing x1.8 the CPU");
      assertThat(a.threshold()).isLessThan(0.125);
    });
    // the same step with CPU flat, or with no CPU metrics at all: under the floor, nothing fires
    assertThat(latencyStepWithCpu(1.3, 0.38, 0.40, 1.0)).isEmpty();
    assertThat(latencyStepWithCpu(1.3, 0, 0, 1.0)).isEmpty();
    // CPU up because traffic is up: each request costs the same, the floor stands
    assertThat(latencyStepWithCpu(1.3, 0.38, 0.69, 1.8)).isEmpty();
    // CPU per request up alone is not a latency anomaly
    assertThat(latencyStepWithCpu(1.0, 0.38, 0.69, 1.0)).isEmpty();
  }

  @Test
  void errorRateNeedsThreeTimesTheBaselineAndTheFloor() {
    ErrorRateDetector d = new ErrorRateDetector();
    List<Anomaly> fired = new ArrayList<>();
    int i = 0;
    for (; i < 100; i++) {
      fired.addAll(d.observe(MetricSample.of(MetricNames.ERROR_RATIO, 0.001, T0.plus(STEP.multipliedBy(i)), "a")));
    }
    for (; i < 140; i++) { // 15x the baseline, but below the 2% floor: not a spike worth paging for
      fired.addAll(d.observe(MetricSample.of(MetricNames.ERROR_RATIO, 0.015, T0.plus(STEP.multipliedBy(i)), "a")));
    }
    assertThat(fired).isEmpty();
    for (; i < 160; i++) {
      fired.addAll(d.observe(MetricSample.of(MetricNames.ERROR_RATIO, 0.30, T0.plus(STEP.multipliedBy(i)), "a")));
    }
    assertThat(fired).singleElement().satisfies(a -> assertThat(a.severity()).isEqualTo(Severity.SEV2));
  }

  @Test
  void diskFiresOnlyWhenFullAndFillingWithinTheHorizon() {
    DiskExhaustionDetector d = new DiskExhaustionDetector();
    List<Anomaly> fired = new ArrayList<>();
    Map<String, String> attrs = Map.of(Attributes.SERVICE_NAME, "shipping", Attributes.HOST_NAME, "node-1",
        Attributes.FILESYSTEM_PATH, "/var/log/pods/shipping");
    for (int i = 0; i < 100; i++) { // 85% but flat: no projection to full
      fired.addAll(d.observe(new MetricSample(MetricNames.DISK_UTILIZATION, 0.85, T0.plus(STEP.multipliedBy(i)),
          attrs)));
    }
    assertThat(fired).isEmpty();
    for (int i = 100; i < 200; i++) { // +0.2% per minute: full in well under 24 h
      double v = 0.85 + 0.0005 * (i - 100);
      fired.addAll(d.observe(new MetricSample(MetricNames.DISK_UTILIZATION, v, T0.plus(STEP.multipliedBy(i)),
          attrs)));
    }
    assertThat(fired).singleElement().satisfies(a -> {
      assertThat(a.resource()).isEqualTo("node-1:/var/log/pods/shipping");
      assertThat(a.service()).isEqualTo("shipping");
    });
  }

  @Test
  void certificateFiresInsideTheWindow() {
    CertificateExpiryDetector d = new CertificateExpiryDetector();
    Map<String, String> attrs = Map.of(Attributes.SERVICE_NAME, "payments", Attributes.TLS_CERTIFICATE, "p-tls");
    assertThat(d.observe(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, 20 * 86400.0, T0, attrs)))
        .isEmpty();
    assertThat(d.observe(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, 10 * 86400.0, T0.plusSeconds(15),
        attrs))).singleElement().satisfies(a -> assertThat(a.resource()).isEqualTo("p-tls"));
  }

  @Test
  void resourcesThatStopReportingAreNotFiring() {
    MemoryPressureDetector d = new MemoryPressureDetector();
    for (int i = 0; i < 30; i++) {
      d.observe(mem(i, 0.95));
    }
    assertThat(d.isFiring("cart")).isTrue();
    // the pod was replaced: a new pod name reports normal memory for more than the stale period
    for (int i = 30; i < 50; i++) {
      d.observe(new MetricSample(MetricNames.MEMORY_UTILIZATION, 0.4, T0.plus(STEP.multipliedBy(i)),
          Map.of(Attributes.SERVICE_NAME, "cart", Attributes.K8S_POD_NAME, "cart-2")));
    }
    assertThat(d.isFiring("cart")).isFalse();
  }

  @Test
  void aBurstOfOneOffPodsNeverDisplacesThePodsThatReportAndIsForgottenThreeMinutesLater() {
    MemoryPressureDetector d = new MemoryPressureDetector(0.85, Duration.ofMinutes(5), 1_000);
    List<Anomaly> fired = new ArrayList<>();
    int junk = 0;
    for (int i = 0; i < 40; i++) {
      Instant t = T0.plus(STEP.multipliedBy(i));
      for (int p = 0; p < 50; p++) { // 50 pods that report; cart-0 above the threshold from the start
        fired.addAll(d.observe(new MetricSample(MetricNames.MEMORY_UTILIZATION, p == 0 ? 0.96 : 0.5, t,
            Map.of(Attributes.SERVICE_NAME, "cart", Attributes.K8S_POD_NAME, "cart-" + p))));
      }
      if (i >= 2 && i < 22) { // 100,000 pods seen once: 100 times the cap
        for (int j = 0; j < 5_000; j++) {
          d.observe(new MetricSample(MetricNames.MEMORY_UTILIZATION, 0.4, t,
              Map.of(Attributes.SERVICE_NAME, "burst", Attributes.K8S_POD_NAME, "junk-" + junk++)));
        }
      }
      assertThat(d.trackedResources()).isLessThanOrEqualTo(1_000);
    }
    assertThat(fired).as("cart-0 kept its sustain window through the burst").singleElement()
        .satisfies(a -> assertThat(a.detectedAt()).isEqualTo(T0.plus(Duration.ofMinutes(5))));
    assertThat(d.evictedStates()).isEqualTo(100_000 - 950);
    assertThat(d.trackedResources()).as("the burst's pods are forgotten 3 minutes after their sample").isEqualTo(50);
  }

  /**
   * Five-minute data (a 5 min scrape, a recording at 300 s): every other series falls silent for 300 s whenever one
   * series sends the next round's sample. A fixed 3-minute staleness forgot them all at each round, so no baseline ever
   * warmed up and a tenfold p99 step went unseen; staleness follows each series' own pace now.
   */
  @Test
  void fiveMinuteDataKeepsEveryBaselineAndCatchesAStepOnOneOfSixtyServices() {
    LatencyDetector d = new LatencyDetector();
    Random rng = new Random(5);
    Duration step = Duration.ofMinutes(5);
    List<Anomaly> fired = new ArrayList<>();
    for (int i = 0; i < 84; i++) { // 7 hours: 6 of them quiet, then s7's p99 ten times higher
      Instant t = T0.plus(step.multipliedBy(i));
      for (int s = 0; s < 60; s++) {
        double p99 = 0.1 * (s == 7 && i >= 72 ? 10 : 1) * Math.exp(0.05 * rng.nextGaussian());
        fired.addAll(d.observe(MetricSample.of(MetricNames.LATENCY_P99, p99, t, "s" + s)));
      }
      assertThat(d.trackedResources()).as("every service's baseline kept at round %d", i).isEqualTo(60);
    }
    assertThat(fired).singleElement().satisfies(a -> {
      assertThat(a.service()).isEqualTo("s7");
      // three samples in a row at the series' own pace (a 2-minute sustain would be two 5-minute samples)
      assertThat(a.detectedAt()).isEqualTo(T0.plus(step.multipliedBy(74)));
    });
    // a service that stops reporting is still forgotten: after three of its intervals, not three minutes
    for (int i = 84; i < 88; i++) {
      d.observe(MetricSample.of(MetricNames.LATENCY_P99, 0.1, T0.plus(step.multipliedBy(i)), "s0"));
      assertThat(d.trackedResources()).as("round %d", i).isEqualTo(i < 87 ? 60 : 1);
    }
  }
}
