package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The built-in detectors configured without code: the builder's {@code setConfig} hands the {@code detect.*} keys to
 * {@code sre-agent-detect}'s detectors (as {@code ./sre-agent run --config} does), bad keys stop the build with every
 * problem named, and keys that a replaced detector list would ignore are refused rather than dropped.
 */
class DetectorConfigurationTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  /** Two hours of ordinary CPU, then {@code saturatedSamples} 15-second samples of one pod at its limit. */
  private static List<Incident> run(Map<String, String> config, int saturatedSamples) {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    Random rng = new Random(7);
    try (SreAgent agent = SreAgent.builder().setClock(now::get).setDiscovery(false).setDefaultPhase(Phase.OBSERVE)
        .setConfig(config).build()) {
      agent.start();
      for (int i = 0; i < 480 + saturatedSamples + 20; i++) {
        Instant at = T0.plusSeconds(15L * i);
        now.set(at);
        boolean hot = i >= 480 && i < 480 + saturatedSamples;
        agent.sink().accept(new MetricSample(MetricNames.CPU_UTILIZATION, hot ? 0.98 : 0.3 + 0.03 * rng.nextGaussian(),
            at, Map.of(Attributes.SERVICE_NAME, "checkout", Attributes.K8S_POD_NAME, "checkout-0")));
        agent.tick();
      }
      return agent.incidents();
    }
  }

  @Test
  void aThreeMinuteSaturationPagesWithATwoMinuteSustainAndNotWithTheDefault() {
    assertThat(run(Map.of(), 12)).as("the default waits five minutes").isEmpty();

    List<Incident> two = run(Map.of("detect.cpu.sustain", "2m"), 12);

    assertThat(two).singleElement().satisfies(inc -> {
      assertThat(inc.type()).isEqualTo(IncidentType.CPU_SATURATION);
      assertThat(inc.openedAt()).isEqualTo(T0.plusSeconds(15L * (480 + 8)));
    });
    assertThat(run(Map.of("detect.cpu.enabled", "false"), 40)).as("switched off: twenty minutes pass unpaged")
        .isEmpty();
  }

  @Test
  void badKeysStopTheBuildEachNamed() {
    assertThatThrownBy(() -> SreAgent.builder().setDiscovery(false).setConfig(Map.of("detect.cpu.sustain", "soon",
        "detect.cpu.saturaton", "0.8")).build())
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems())
            .anySatisfy(p -> assertThat(p).isEqualTo("detect.cpu.sustain must be a positive duration such as 5m,"
                + " but was 'soon'"))
            .anySatisfy(p -> assertThat(p).startsWith("unknown key 'detect.cpu.saturaton'; the detect.* keys are")));
  }

  @Test
  void theRankingKeysAreCheckedAndOutliveAReplacedDetectorList() {
    assertThatThrownBy(() -> SreAgent.builder().setDiscovery(false).setConfig(Map.of("detect.ranking.edges", "all"))
        .build()).isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
            "detect.ranking.edges must be none, peered or peered-and-pod, but was 'all'"));
    // the ranking is not a detector: replacing the detectors leaves its keys meaningful
    SreAgent.builder().setDiscovery(false).setDetectors(List.of()).setConfig(Map.of("detect.ranking.threshold", "5"))
        .build().close();
  }

  @Test
  void keysForDetectorsThatSetDetectorsReplacedAreRefusedNotIgnored() {
    assertThatThrownBy(() -> SreAgent.builder().setDiscovery(false).setDetectors(List.of())
        .setConfig(Map.of("detect.latency.sigmas", "4")).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("detect.latency.sigmas configure the built-in detectors, which setDetectors(...)"
            + " replaced");
  }
}
