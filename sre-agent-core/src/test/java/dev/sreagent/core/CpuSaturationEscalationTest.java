package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Topology;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A CPU saturation incident has no remedy in the catalog: in every phase, AUTONOMOUS included, it is diagnosed and
 * escalated with its ranked candidates, and no executor is ever called, although the service could be scaled out
 * (replicas under the HPA maximum) and rolled back (a recent rollout over a healthy revision) and an executor that
 * accepts every action is there.
 */
class CpuSaturationEscalationTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  /** Two hours of ordinary CPU, then 20 minutes of one pod at its limit; 15-second samples. */
  private static final int SATURATED_FROM = 480;
  private static final int SAMPLES = SATURATED_FROM + 80;


  private static Topology topology() {
    ServiceInfo checkout = new ServiceInfo("checkout", "shop", 2, 10, 1, "r3", List.of(
        new Revision("r2", T0.minusSeconds(86_400), true), new Revision("r3", T0.minusSeconds(600), false)),
        List.of("checkout-0", "checkout-1"));
    return new Topology(Map.of("checkout", checkout), Set.of());
  }

  private static List<Incident> run(Phase phase, CallEdgeEscalationTest.RecordingExecutor executor, boolean slowToo) {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    Random rng = new Random(7);
    try (SreAgent agent = SreAgent.builder().setClock(now::get).setDiscovery(false).setDefaultPhase(phase)
        .setLockService(new dev.sreagent.core.lock.InMemoryLockService(now::get))
        .setTopologyProvider(CpuSaturationEscalationTest::topology).addExecutor(executor).build()) {
      agent.start();
      for (int i = 0; i < SAMPLES; i++) {
        Instant at = T0.plusSeconds(15L * i);
        now.set(at);
        for (String pod : List.of("checkout-0", "checkout-1")) {
          double cpu = i >= SATURATED_FROM && pod.endsWith("0") ? 0.98 : 0.3 + 0.03 * rng.nextGaussian();
          agent.sink().accept(new MetricSample(MetricNames.CPU_UTILIZATION, cpu, at,
              Map.of(Attributes.SERVICE_NAME, "checkout", Attributes.K8S_POD_NAME, pod)));
        }
        // its symptoms stay quiet (latency and errors as usual), or its latency rises with the saturation
        double p99 = (slowToo && i >= SATURATED_FROM ? 0.5 : 0.1) + 0.002 * rng.nextGaussian();
        agent.sink().accept(new MetricSample(MetricNames.LATENCY_P99, p99, at,
            Map.of(Attributes.SERVICE_NAME, "checkout")));
        agent.sink().accept(new MetricSample(MetricNames.ERROR_RATIO, 0.001, at,
            Map.of(Attributes.SERVICE_NAME, "checkout")));
        agent.tick();
      }
      return agent.incidents();
    }
  }

  @Test
  void theAutonomousPhaseEscalatesCpuSaturationAndTakesNoAction() {
    for (Phase phase : Phase.values()) {
      CallEdgeEscalationTest.RecordingExecutor executor = new CallEdgeEscalationTest.RecordingExecutor();
      List<Incident> incidents = run(phase, executor, false);

      assertThat(incidents).as(phase.name()).singleElement().satisfies(inc -> {
        assertThat(inc.type()).isEqualTo(IncidentType.CPU_SATURATION);
        assertThat(inc.rootService()).isEqualTo("checkout");
        assertThat(inc.openedAt()).as("five minutes of saturation at 15 s")
            .isEqualTo(T0.plusSeconds(15L * (SATURATED_FROM + 20)));
        assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
        assertThat(inc.outcome()).isEqualTo(IncidentOutcome.DENIED);
        assertThat(inc.outcomeReason()).contains("no action in the catalog fits");
        assertThat(inc.diagnosis()).isNotNull();
        assertThat(inc.diagnosis().top().cause()).startsWith("CPU saturation of checkout pods [checkout-0]");
        assertThat(inc.plan()).isNotNull();
        assertThat(inc.plan().actions()).isEmpty();
        assertThat(inc.candidates()).isNotEmpty();
        assertThat(inc.candidates().get(0).service()).isEqualTo("checkout");
      });
      assertThat(executor.calls).as(phase.name()).isEmpty();
    }
  }

  @Test
  void theDiagnosisCitesTheBundledCpuSaturationRunbook() {
    // the agent's own query (its anomaly summaries and the incident's type) against its default knowledge base
    List<Incident> incidents = run(Phase.AUTONOMOUS, new CallEdgeEscalationTest.RecordingExecutor(), false);

    assertThat(incidents).singleElement().satisfies(inc -> {
      assertThat(inc.type()).isEqualTo(IncidentType.CPU_SATURATION);
      assertThat(inc.diagnosis().top().citations()).as("the runbook the reasoner quotes first")
          .first().satisfies(c -> {
            assertThat(c.documentId()).isEqualTo("runbook-cpu-saturation");
            assertThat(c.excerpt()).startsWith("1. If it started with a rollout");
          });
      assertThat(inc.diagnosis().confidence().factors()).as("a runbook of the incident's own type was retrieved")
          .containsEntry("knowledge", 1.0);
      assertThat(inc.state()).as("a runbook that names remedies does not make the agent act")
          .isEqualTo(IncidentState.ESCALATED);
      assertThat(inc.plan().actions()).isEmpty();
    });
  }

  @Test
  void aSaturationUnderAnEscalatedSymptomJoinsItInsteadOfPagingAgain() {
    // OBSERVE: the latency incident is escalated at once, the CPU stays saturated and fires five minutes in
    List<Incident> incidents = run(Phase.OBSERVE, new CallEdgeEscalationTest.RecordingExecutor(), true);

    assertThat(incidents).singleElement().satisfies(inc -> {
      assertThat(inc.type()).isEqualTo(IncidentType.HIGH_LATENCY);
      assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(inc.anomalies()).extracting(dev.sreagent.api.model.Anomaly::type)
          .contains(IncidentType.HIGH_LATENCY, IncidentType.CPU_SATURATION);
    });
  }
}
