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
}
