package dev.sreagent.api.port;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.Topology;

/**
 * Turns a diagnosed incident into a plan drawn from the action catalog. An empty plan means "nothing safe to do":
 * the agent escalates to humans.
 */
@FunctionalInterface
public interface RemediationPlanner {
  /** The plan for {@code incident}, which carries its diagnosis. Must not throw. */
  RemediationPlan plan(Incident incident, Topology topology);

  /** Plans nothing: every incident goes to humans with its diagnosis (an empty plan is denied, never executed). */
  static RemediationPlanner noop() {
    return (incident, topology) -> new RemediationPlan(incident.id(), java.util.List.of(),
        "no planner: left to humans");
  }
}
