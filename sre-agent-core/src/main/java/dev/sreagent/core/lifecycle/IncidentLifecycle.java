package dev.sreagent.core.lifecycle;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import java.time.Instant;

/** The only way the agent changes an incident's state: every transition is checked against the state machine. */
public final class IncidentLifecycle {
  private IncidentLifecycle() {}

  /**
   * The incident in state {@code to}.
   *
   * @throws IllegalTransitionException when {@code to} may not follow the current state
   */
  public static Incident transition(Incident incident, IncidentState to, Instant now) {
    if (!incident.state().canMoveTo(to)) {
      throw new IllegalTransitionException(incident.id(), incident.state(), to);
    }
    return incident.withState(to, now);
  }
}
