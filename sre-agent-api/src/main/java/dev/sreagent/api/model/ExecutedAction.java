package dev.sreagent.api.model;

import java.time.Instant;
import java.util.Objects;

/**
 * An action the agent executed, as guardrails see the history.
 *
 * @param action the action
 * @param incidentId the incident it remediated
 * @param at when it ran
 * @param idempotencyKey its key
 */
public record ExecutedAction(Action action, String incidentId, Instant at, String idempotencyKey) {
  public ExecutedAction {
    Objects.requireNonNull(action, "action");
    Checks.notBlank(incidentId, "incidentId");
    Objects.requireNonNull(at, "at");
    Checks.notBlank(idempotencyKey, "idempotencyKey");
  }
}
