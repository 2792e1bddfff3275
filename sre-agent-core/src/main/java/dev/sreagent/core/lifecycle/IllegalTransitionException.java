package dev.sreagent.core.lifecycle;

import dev.sreagent.api.model.IncidentState;

/** Thrown when code asks for a lifecycle transition that the state machine does not allow. */
public final class IllegalTransitionException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  IllegalTransitionException(String incidentId, IncidentState from, IncidentState to) {
    super("incident " + incidentId + " cannot move from " + from + " to " + to + "; allowed from " + from + ": "
        + from.next());
  }
}
