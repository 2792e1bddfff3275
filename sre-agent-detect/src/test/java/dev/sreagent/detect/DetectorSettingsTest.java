package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.port.Detector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

/** The {@code detect.*} keys: the defaults unchanged, each setting reaching its detector, every bad value named. */
class DetectorSettingsTest {

  private static List<Class<?>> classes(List<Detector> ds) {
    return ds.stream().<Class<?>>map(Object::getClass).toList();
  }

  @Test
  void noKeyGivesExactlyTheBuiltInDetectors() {
    DetectorSettings s = DetectorSettings.of(Map.of("otlp.listen", "0.0.0.0:4318", "metrics.map.x", "latency-p99"));

    assertThat(s.isDefault()).isTrue();
    assertThat(s.toString()).isEmpty();
    assertThat(classes(s.create())).isEqualTo(classes(BuiltInDetectors.create()));
    assertThat(classes(new DetectBuiltIns().detectors(ConfigView.empty())))
        .isEqualTo(classes(BuiltInDetectors.create()));
  }

  @Test
  void aShorterCpuSustainPagesOnASaturationTheDefaultWaitsOut() {
    // three minutes at the limit from a quiet 30%: Nezha's CPU faults last three minutes
    CpuSaturationDetector dflt = cpu(DetectorSettings.defaults());
    CpuSaturationDetector twoMinutes = cpu(DetectorSettings.of(Map.of("detect.cpu.sustain", "2m")));

    for (CpuSaturationDetector d : List.of(dflt, twoMinutes)) {
      assertThat(CpuSaturationDetectorTest.feed(d, 0, 7_200, 15, CpuSaturationDetectorTest.noisy(0.3, 1)))
          .isEmpty();
    }
    List<Anomaly> quiet = CpuSaturationDetectorTest.feed(dflt, 7_200, 180, 15, t -> 0.97);
    List<Anomaly> paged = CpuSaturationDetectorTest.feed(twoMinutes, 7_200, 180, 15, t -> 0.97);

    assertThat(quiet).isEmpty();
    assertThat(paged).singleElement().satisfies(a -> assertThat(a.detectedAt())
        .isEqualTo(CpuSaturationDetectorTest.T0.plusSeconds(7_200 + 120)));
  }

  private static CpuSaturationDetector cpu(DetectorSettings s) {
    return (CpuSaturationDetector) s.create().stream().filter(d -> d instanceof CpuSaturationDetector).findFirst()
        .orElseThrow();
  }

  @Test
  void aDetectorCanBeSwitchedOffAndTheOthersKeepTheirOrder() {
    DetectorSettings s = DetectorSettings.of(Map.of("detect.cpu.enabled", "false", "detect.alerts.enabled", "FALSE",
        "detect.latency.enabled", "true"));

    assertThat(s.enabled("cpu")).isFalse();
    assertThat(s.enabled("latency")).isTrue();
    assertThat(classes(s.create())).containsExactly(MemoryPressureDetector.class, LatencyDetector.class,
        ErrorRateDetector.class, DiskExhaustionDetector.class, CertificateExpiryDetector.class,
        CallEdgeLatencyDetector.class);
    assertThat(s.toString()).contains("detect.cpu.enabled = false").contains("detect.alerts.enabled = false");
    assertThatThrownBy(() -> s.enabled("gpu")).hasMessageContaining("unknown detector 'gpu'");
  }

  @Test
  void everyBadValueAndUnknownKeyIsNamedAtOnceWithWhatItMustBe() {
    assertThatThrownBy(() -> DetectorSettings.of(Map.of("detect.latency.sigmas", "-1", "detect.cpu.sustain", "5",
        "detect.errors.min-ratio", "1", "detect.memory.threshold", "NaN", "detect.cpu.enabled", "no",
        "detect.latncy.sigmas", "3", "detect.disk.threshold", "eighty")))
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactlyInAnyOrder(
            "detect.latency.sigmas must be a number > 0 such as 3, but was '-1'",
            "detect.cpu.sustain must be a positive duration such as 5m, but was '5'",
            "detect.errors.min-ratio must be a number in [0, 1) such as 0.02, but was '1'",
            "detect.memory.threshold must be a number in (0, 1] such as 0.85, but was 'NaN'",
            "detect.cpu.enabled must be true or false, but was 'no'",
            "detect.disk.threshold must be a number in (0, 1) such as 0.8, but was 'eighty'",
            "unknown key 'detect.latncy.sigmas'; the detect.* keys are detect.latency.sigmas,"
                + " detect.latency.min-increase, detect.latency.sustain, detect.errors.factor,"
                + " detect.errors.min-ratio, detect.errors.sustain, detect.memory.threshold, detect.memory.sustain,"
                + " detect.disk.threshold, detect.disk.horizon, detect.certificates.window, detect.cpu.saturation,"
                + " detect.cpu.min-rise, detect.cpu.sustain, detect.edges.sigmas, detect.edges.min-increase,"
                + " detect.edges.sustain, detect.ranking.threshold, detect.ranking.baseline-points,"
                + " detect.ranking.window-points, detect.ranking.relative-floor, detect.ranking.edges and"
                + " detect.NAME.enabled for NAME in memory, latency, errors, disk, certificates, cpu, edges, alerts"));
    assertThatThrownBy(() -> DetectorSettings.check("detect.certificates.window", "0d"))
        .hasMessage("detect.certificates.window must be a positive duration such as 14d, but was '0d'");
  }

  @Test
  void theRankingIsConfiguredUnderDetectRanking() {
    assertThat(DetectorSettings.defaults().ranking()).isEqualTo(RootCauseRanker.Settings.DEFAULTS);

    DetectorSettings s = DetectorSettings.of(Map.of("detect.ranking.threshold", "5", "detect.ranking.baseline-points",
        "12", "detect.ranking.window-points", "1", "detect.ranking.relative-floor", "0.05", "detect.ranking.edges",
        "Peered-And-Pod"));

    assertThat(s.ranking()).isEqualTo(new RootCauseRanker.Settings(12, 1, 5, 0.05,
        RootCauseRanker.DEFAULT_SIGNALS, RootCauseRanker.Edges.PEERED_AND_POD));
    assertThat(s.toString()).contains("detect.ranking.edges = peered-and-pod")
        .contains("detect.ranking.baseline-points = 12");
    assertThat(classes(s.create())).as("the detectors are untouched").isEqualTo(classes(BuiltInDetectors.create()));
    assertThatThrownBy(() -> DetectorSettings.check("detect.ranking.baseline-points", "2.5"))
        .hasMessage("detect.ranking.baseline-points must be a whole number >= 3 such as 30, but was '2.5'");
    assertThatThrownBy(() -> DetectorSettings.check("detect.ranking.edges", "all"))
        .hasMessage("detect.ranking.edges must be none, peered or peered-and-pod, but was 'all'");
  }

  /** The ranking's keys accept exactly what its settings accept. */
  @Property(tries = 200)
  void theRankingKeysAcceptExactlyWhatTheRankerAccepts(@ForAll @DoubleRange(min = -3, max = 40) double x) {
    RootCauseRanker.Settings d = RootCauseRanker.Settings.DEFAULTS;
    String v = Double.toString(x);
    assertSameVerdict("detect.ranking.threshold", v, () -> d.withThreshold(x));
    assertSameVerdict("detect.ranking.relative-floor", v, () -> d.withRelativeFloor(x));
    long n = Math.round(x);
    assertSameVerdict("detect.ranking.baseline-points", Long.toString(n), () -> new RootCauseRanker.Settings(
        (int) n, 3, 10, 0, RootCauseRanker.DEFAULT_SIGNALS));
    assertSameVerdict("detect.ranking.window-points", Long.toString(n), () -> new RootCauseRanker.Settings(
        30, (int) n, 10, 0, RootCauseRanker.DEFAULT_SIGNALS));
  }

  @Test
  void aViewThatCannotListItsKeysIsReadForTheKnownKeysOnly() {
    ConfigView opaque = key -> key.equals("detect.latency.sustain") ? Optional.of("3m") : Optional.empty();

    DetectorSettings s = DetectorSettings.of(opaque);

    assertThat(s.toString()).isEqualTo("detect.latency.sustain = 3m");
    assertThat(s.isDefault()).isFalse();
  }

  @Test
  void theDefaultsWrittenOutReadAsTheDefaults() {
    Map<String, String> written = Map.of("detect.latency.sigmas", "3", "detect.disk.horizon", "24h",
        "detect.certificates.window", "14d", "detect.errors.sustain", "2m");

    assertThat(DetectorSettings.of(written).isDefault()).isTrue();
    assertThat(DetectorSettings.of(Map.of("detect.disk.horizon", "1d")).isDefault()).isTrue();
    assertThat(DetectorSettings.of(Map.of("detect.disk.horizon", "12h")).isDefault()).isFalse();
  }

  /** A value the keys accept is one the detector's constructor accepts, and one they refuse it refuses too. */
  @Property(tries = 300)
  void theKeysAcceptExactlyWhatTheDetectorsAccept(@ForAll @DoubleRange(min = -2, max = 4) double x) {
    String v = Double.toString(x);
    assertSameVerdict("detect.latency.sigmas", v, () -> new LatencyDetector(x, Duration.ofMinutes(2), 0.5));
    assertSameVerdict("detect.latency.min-increase", v, () -> new LatencyDetector(3, Duration.ofMinutes(2), x));
    assertSameVerdict("detect.errors.factor", v, () -> new ErrorRateDetector(x, 0.02, Duration.ofMinutes(2)));
    assertSameVerdict("detect.errors.min-ratio", v, () -> new ErrorRateDetector(3, x, Duration.ofMinutes(2)));
    assertSameVerdict("detect.memory.threshold", v, () -> new MemoryPressureDetector(x, Duration.ofMinutes(5)));
    assertSameVerdict("detect.disk.threshold", v, () -> new DiskExhaustionDetector(x, Duration.ofHours(24)));
    assertSameVerdict("detect.cpu.saturation", v, () -> new CpuSaturationDetector(x, 0.2, Duration.ofMinutes(5)));
    assertSameVerdict("detect.cpu.min-rise", v, () -> new CpuSaturationDetector(0.9, x, Duration.ofMinutes(5)));
    assertSameVerdict("detect.edges.sigmas", v, () -> new CallEdgeLatencyDetector(x, Duration.ofMinutes(2), 0.5));
    assertSameVerdict("detect.edges.min-increase", v,
        () -> new CallEdgeLatencyDetector(3, Duration.ofMinutes(2), x));
  }

  @Test
  void theBoundariesGetTheSameVerdictFromTheKeysAndTheDetectors() {
    for (double x : new double[] {0, -0.0, 1, 1e-12, 1 - 1e-12, 1 + 1e-12, -1e-12}) {
      theKeysAcceptExactlyWhatTheDetectorsAccept(x);
    }
  }

  private static void assertSameVerdict(String key, String value, Runnable construct) {
    boolean keyAccepts = accepts(() -> DetectorSettings.check(key, value));
    boolean detectorAccepts = accepts(construct);
    assertThat(keyAccepts).as("%s = %s: key accepts %s, detector accepts %s", key, value, keyAccepts,
        detectorAccepts).isEqualTo(detectorAccepts);
    if (keyAccepts) {
      assertThat(DetectorSettings.of(Map.of(key, value)).create()).hasSize(DetectorSettings.DETECTORS.size());
    }
  }

  private static boolean accepts(Runnable r) {
    try {
      r.run();
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
