package dev.sreagent.api.event;

import dev.sreagent.api.model.Incident;
import java.time.Instant;
import java.util.Objects;

/**
 * Something happened to an incident.
 *
 * @param at when
 * @param kind what
 * @param incident the incident after the change
 * @param message one human-readable line
 */
public record IncidentEvent(Instant at, Kind kind, Incident incident, String message) {
  /** Event kinds, in the order they usually occur. */
  public enum Kind {
    OPENED, UPDATED, DIAGNOSED, DECIDED, APPROVAL_REQUESTED, APPROVED, ACTION_SHADOWED, ACTION_EXECUTED,
    ACTION_FAILED, RESOLVED, ROLLED_BACK, ESCALATED
  }

  public IncidentEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(incident, "incident");
    Objects.requireNonNull(message, "message");
  }
}
