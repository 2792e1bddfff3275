package dev.sreagent.gitops;

import dev.sreagent.api.model.Phase;
import java.util.Optional;

/**
 * The phase in force for an incident (its type, on its root service), as the agent holds it: what lets
 * {@link GitRollbackExecutor} merge its own pull request only in AUTONOMOUS. The executor is built before the agent, so
 * the composition root answers through the agent once built, for example:
 *
 * <pre>{@code
 * AtomicReference<SreAgent> agent = new AtomicReference<>();
 * PhaseLookup phases = incidentId -> Optional.ofNullable(agent.get())
 *     .flatMap(a -> a.incident(incidentId).map(i -> a.phase(i.type(), i.rootService())));
 * }</pre>
 */
@FunctionalInterface
public interface PhaseLookup {
  /** The phase in force for the incident {@code incidentId}, or empty when unknown (the executor never merges then). */
  Optional<Phase> phaseOf(String incidentId);

  /** Knows no phase: the executor never merges (the default). */
  static PhaseLookup unknown() {
    return incidentId -> Optional.empty();
  }
}
