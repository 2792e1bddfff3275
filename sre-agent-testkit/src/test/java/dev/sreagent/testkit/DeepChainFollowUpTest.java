package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.testkit.junit.SreAgentExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue #12, defect 5: on a six-deep call chain with connection-pool contention at the bottom, scaling out the
 * bottom makes it worse and is rolled back (right); but then a second incident opened as high latency at a healthy
 * caller, or a caller two hops up opened its own incident while the first was active, and scaled it up and back.
 * Symptoms of a still-degraded root now stay with its (escalated) incident, and callers any number of hops up join
 * the active one.
 */
class DeepChainFollowUpTest {
  /** s1 -> s2 -> s3 -> s4 -> s5 -> s6: traffic enters at s1. */
  static final List<ServiceSpec> CHAIN = List.of(
      new ServiceSpec("s1", 3, 10, 1, 60, 0.010, 0.0005, Map.of("s2", 1.0), 60, ""),
      new ServiceSpec("s2", 3, 10, 1, 60, 0.010, 0.0005, Map.of("s3", 1.0), 0, ""),
      new ServiceSpec("s3", 3, 10, 1, 60, 0.010, 0.0005, Map.of("s4", 1.0), 0, ""),
      new ServiceSpec("s4", 3, 10, 1, 60, 0.010, 0.0005, Map.of("s5", 1.0), 0, ""),
      new ServiceSpec("s5", 3, 10, 1, 60, 0.010, 0.0005, Map.of("s6", 1.0), 0, ""),
      new ServiceSpec("s6", 2, 8, 1, 60, 0.020, 0.0005, Map.of(), 0, ""));

  @RegisterExtension
  static final SreAgentExtension SIM = SreAgentExtension.configuring(b -> b.setServices(CHAIN));

  @ParameterizedTest(name = "contention {0}, seed {1}")
  @CsvSource({"1.2, 1", "1.2, 2", "1.2, 3", "1.2, 4", "1.2, 5", "1.4, 1", "1.4, 2", "1.4, 3", "1.4, 4", "1.4, 5",
      "1.6, 1", "1.6, 2", "1.6, 3", "1.6, 4", "1.6, 5"})
  void oneIncidentAtTheBottomAndNoHealthyCallerIsTouched(double contention, long seed,
      dev.sreagent.testkit.junit.Simulations sims) {
    SimulationHarness h = sims.start(seed);
    h.runFor(Scenarios.WARM_UP);
    h.inject(new Fault.ConnectionContention("s6", contention));
    h.runFor(Duration.ofHours(3));
    assertThat(h.agent().incidents()).as("one incident for one fault").singleElement().satisfies(i -> {
      assertThat(i.rootService()).isEqualTo("s6");
      assertThat(i.state()).isEqualTo(IncidentState.ROLLED_BACK);
    });
    assertThat(h.cluster().executor().appliedActions()).as("only the bottom was scaled (and back)")
        .allSatisfy(a -> assertThat(a.action().service()).isEqualTo("s6"));
    Incident only = h.agent().incidents().get(0);
    assertThat(only.affectedServices()).contains("s4", "s5", "s6");
    assertThat(h.oracle().violations()).isEmpty();
  }
}
