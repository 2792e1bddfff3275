package dev.sreagent.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.SreAgent;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.VirtualClock;
import java.time.Duration;

/** Run only through {@link SreAgentExtensionTest}: the name keeps Surefire from running it directly. */
class ExampleClusterCases {
  @SimulatedClusterTest(seed = 7, phase = Phase.AUTONOMOUS)
  void certificateIsRenewed(SimulationHarness h, SimulatedCluster cluster, SreAgent agent, VirtualClock clock) {
    assertThat(h.cluster()).isSameAs(cluster);
    assertThat(h.agent()).isSameAs(agent);
    assertThat(h.clock()).isSameAs(clock);
    h.runFor(Duration.ofMinutes(30));
    h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(5)));
    h.runFor(Duration.ofMinutes(15));
    assertThat(agent.incidents()).singleElement().satisfies(i -> {
      assertThat(i.type()).isEqualTo(IncidentType.CERTIFICATE_EXPIRY);
      assertThat(i.state()).isEqualTo(IncidentState.RESOLVED);
    });
  }

  @SimulatedClusterTest(phase = Phase.OBSERVE)
  void observeNeverActs(SimulationHarness h) {
    h.runFor(Duration.ofMinutes(30));
    h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(5)));
    h.runFor(Duration.ofMinutes(15));
    assertThat(h.cluster().executor().applied()).isEmpty();
    assertThat(h.agent().stats().actionsShadowed()).isEqualTo(1);
  }

  @SimulatedClusterTest
  void failsOnPurposeSoTheKitSeesAFailure(SreAgent agent) {
    assertThat(agent.incidents()).isNotEmpty();
  }
}
