package dev.sreagent.bench;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.SreAgentBuilder;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.SimulationHarness;
import java.util.List;
import java.util.function.Consumer;

/** Runs one built-in scenario in OBSERVE and returns the incidents that reached diagnosis (they carry evidence). */
final class ScenarioIncidents {
  private ScenarioIncidents() {}

  static List<Incident> investigated(Scenario s, long seed, Consumer<SreAgentBuilder> agent) {
    SimulationHarness h = SimulationHarness.builder().setSeed(seed).setPhase(Phase.OBSERVE)
        .setAgentCustomizer(agent).build();
    try {
      h.runFor(s.injectAfter());
      if (s.fault() != null) {
        h.inject(s.fault());
      }
      h.runFor(s.duration().minus(s.injectAfter()));
      return h.agent().incidents().stream().filter(i -> i.evidence() != null).toList();
    } finally {
      h.close();
    }
  }
}
