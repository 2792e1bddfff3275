package dev.sreagent.api.model;

import dev.sreagent.api.Require;
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
    Require.notBlank(incidentId, "incidentId");
    Objects.requireNonNull(at, "at");
    Require.notBlank(idempotencyKey, "idempotencyKey");
  }
}
