package dev.sreagent.testkit;

import dev.sreagent.api.model.Action;
import java.time.Instant;
import java.util.Objects;

/**
 * An action that took effect on a simulated cluster.
 *
 * @param at when (virtual time)
 * @param incidentId the incident it remediated
 * @param action the action; {@code action.service()} and {@code action.target()} say what it touched
 * @param idempotencyKey the agent's key for it
 * @param result what the cluster reported, for example {@code scaled checkout to 3}
 */
public record AppliedAction(Instant at, String incidentId, Action action, String idempotencyKey, String result) {
  public AppliedAction {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(incidentId, "incidentId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(result, "result");
  }
}
