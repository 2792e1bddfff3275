package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.CallGraph;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** With a topology that knows no call edges, the graph learned from trace spans still finds a cascade's root. */
class SpanTopologyTest {
  @Test
  void theCascadeRootIsFoundFromSpansAlone() {
    SimulatedCluster[] cluster = new SimulatedCluster[1];
    try (SimulationHarness h = SimulationHarness.builder().setPhase(Phase.OBSERVE)
        .setAgentCustomizer(ab -> ab.setTopologyProvider(() -> {
          Topology t = cluster[0].topology();
          return new Topology(t.services(), Set.of());
        })).build()) {
      cluster[0] = h.cluster();
      h.runFor(Duration.ofMinutes(40));
      assertThat(h.agent().dependencyGraph()).extracting(e -> e.from() + "->" + e.to())
          .contains("checkout->payments", "frontend->checkout");
      h.inject(new Fault.BadDeploy("payments", 0.35, Duration.ofMillis(200)));
      h.runFor(Duration.ofMinutes(20));
      assertThat(h.agent().incidents()).singleElement().satisfies(i -> {
        assertThat(i.type()).isEqualTo(IncidentType.ERROR_RATE_SPIKE);
        assertThat(i.rootService()).isEqualTo("payments");
        assertThat(i.affectedServices()).contains("checkout", "payments");
      });
      assertThat(h.agent().dependencyGraph()).filteredOn(e -> e.to().equals("payments"))
          .allSatisfy(e -> assertThat(e.errors()).isPositive());
    }
  }

  @Test
  void aCallGraphGivenToTheBuilderReplacesTheLearnedOne() {
    SimulatedCluster[] cluster = new SimulatedCluster[1];
    try (SimulationHarness h = SimulationHarness.builder().setPhase(Phase.OBSERVE)
        .setAgentCustomizer(ab -> ab.setCallGraph(CallGraph.noop()).setTopologyProvider(() -> {
          Topology t = cluster[0].topology();
          return new Topology(t.services(), Set.of());
        })).build()) {
      cluster[0] = h.cluster();
      h.runFor(Duration.ofMinutes(40));
      assertThat(h.agent().dependencyGraph()).as("no edges learned from the spans").isEmpty();
      h.inject(new Fault.BadDeploy("payments", 0.35, Duration.ofMillis(200)));
      h.runFor(Duration.ofMinutes(20));
      assertThat(h.agent().incidents()).as("without call edges the symptoms are not one cascade")
          .hasSizeGreaterThan(1);
    }
  }
}
