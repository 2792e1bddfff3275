package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CPU hog lever of the simulated cluster: one pod's CPU goes to its limit and nothing else changes, bit for bit;
 * a restart of that pod ends it.
 */
class CpuHogTest {
  private static final Duration STEP = Duration.ofSeconds(15);

  /** Every signal the cluster emits, per step. */
  private static List<List<Signal>> run(SimulatedCluster c, int steps) {
    List<List<Signal>> out = new ArrayList<>();
    List<Signal> step = new ArrayList<>();
    c.start(step::add);
    for (int i = 0; i < steps; i++) {
      c.advance(STEP);
      out.add(List.copyOf(step));
      step.clear();
    }
    return out;
  }

  private static boolean isCpuOf(Signal s, String pod) {
    return s instanceof MetricSample m && m.name().equals(MetricNames.CPU_UTILIZATION)
        && pod.equals(m.attribute(Attributes.K8S_POD_NAME));
  }

  private static Map<String, Double> cpuByPod(List<Signal> step, String service) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    for (Signal s : step) {
      if (s instanceof MetricSample m && m.name().equals(MetricNames.CPU_UTILIZATION) && m.service().equals(service)) {
        out.put(m.attribute(Attributes.K8S_POD_NAME), m.value());
      }
    }
    return out;
  }

  @Test
  void onlyTheHotPodsCpuChangesEveryOtherSignalIsTheSame() {
    SimulatedCluster quiet = SimulatedCluster.builder().setSeed(11).build();
    SimulatedCluster hogged = SimulatedCluster.builder().setSeed(11).build();
    List<List<Signal>> before = run(quiet, 40);
    List<List<Signal>> beforeHog = run(hogged, 40);
    assertThat(beforeHog).isEqualTo(before);

    String hot = hogged.injectCpuHog("catalog", 0.6);
    assertThat(hot).isEqualTo(hogged.podNodes("catalog").keySet().iterator().next());
    List<List<Signal>> without = run(quiet, 40);
    List<List<Signal>> with = run(hogged, 40);

    int hotSamples = 0;
    for (int i = 0; i < with.size(); i++) {
      List<Signal> a = without.get(i);
      List<Signal> b = with.get(i);
      assertThat(b).as("step %d", i).hasSameSizeAs(a);
      for (int j = 0; j < a.size(); j++) {
        if (isCpuOf(a.get(j), hot)) {
          double usual = ((MetricSample) a.get(j)).value();
          assertThat(b.get(j)).isInstanceOfSatisfying(MetricSample.class, m -> {
            assertThat(m.value()).as("the hot pod at its limit").isBetween(0.9, 1.0);
            assertThat(m.value()).isGreaterThan(usual + 0.3);
          });
          hotSamples++;
        } else {
          assertThat(b.get(j)).as("step %d signal %d", i, j).isEqualTo(a.get(j));
        }
      }
    }
    assertThat(hotSamples).isEqualTo(40);
    assertThat(hogged.utilisation("catalog")).as("traffic unchanged").isEqualTo(quiet.utilisation("catalog"));
    assertThat(hogged.latencyP99("catalog")).isEqualTo(quiet.latencyP99("catalog"));
  }

  @Test
  void restartingTheHotPodEndsItAndZeroEndsItToo() {
    SimulatedCluster c = SimulatedCluster.builder().setSeed(5).build();
    run(c, 4);
    String hot = c.injectCpuHog("cart", 1.0);
    assertThat(cpuByPod(run(c, 1).get(0), "cart")).hasEntrySatisfying(hot, v -> assertThat(v).isGreaterThan(0.95))
        .allSatisfy((pod, v) -> {
          if (!pod.equals(hot)) {
            assertThat(v).as("its siblings").isLessThan(0.5);
          }
        });

    c.executor().execute(new Action.RestartPods("cart", List.of(hot)), new ExecutionContext("INC-1", "k1", 1,
        false));
    Map<String, Double> afterRestart = cpuByPod(run(c, 1).get(0), "cart");
    assertThat(afterRestart).doesNotContainKey(hot).allSatisfy((pod, v) -> assertThat(v).isLessThan(0.5));

    String again = c.injectCpuHog("cart", 1.0);
    assertThat(cpuByPod(run(c, 1).get(0), "cart").get(again)).isGreaterThan(0.95);
    c.injectCpuHog("cart", 0);
    assertThat(cpuByPod(run(c, 1).get(0), "cart").get(again)).as("share 0 ends it").isLessThan(0.5);
  }

  @Test
  void theFaultNamesItsIncidentAndRejectsBadInput() {
    Fault f = new Fault.CpuHog("ads", 0.7);
    assertThat(f.expectedType()).isEqualTo(IncidentType.CPU_SATURATION);
    assertThat(f.expectedRoot()).isEqualTo("ads");
    assertThat(f.describe()).isEqualTo("runaway CPU loop in one ads pod (+70% of its CPU limit)");
    assertThatThrownBy(() -> new Fault.CpuHog("ads", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("share");
    assertThatThrownBy(() -> new Fault.CpuHog("ads", 1.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("share");
    SimulatedCluster c = SimulatedCluster.builder().build();
    assertThatThrownBy(() -> c.injectCpuHog("nope", 0.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown service 'nope'").hasMessageContaining("catalog");
    assertThatThrownBy(() -> c.injectCpuHog("cart", -0.1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("share");
  }
}
