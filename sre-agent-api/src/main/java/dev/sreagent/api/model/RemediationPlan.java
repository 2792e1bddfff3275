package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.List;
import java.util.Objects;

/**
 * The actions proposed for one incident, in order. An approval binds to {@link #hash()}: a plan that changes
 * needs a new approval.
 *
 * @param incidentId the incident
 * @param actions the actions, executed in order; may be empty when there is nothing safe to do
 * @param rationale why these actions
 */
public record RemediationPlan(String incidentId, List<Action> actions, String rationale) {
  public RemediationPlan {
    Require.notBlank(incidentId, "incidentId");
    actions = List.copyOf(Objects.requireNonNull(actions, "actions"));
    Objects.requireNonNull(rationale, "rationale");
  }

  /** SHA-256 over the incident id and the canonical form of every action. */
  public String hash() {
    StringBuilder sb = new StringBuilder(incidentId);
    for (Action a : actions) {
      sb.append('\n').append(a.canonical());
    }
    return Digests.sha256(sb.toString());
  }

  /** The idempotency key of the action at {@code index}: stable across restarts of the agent. */
  public String idempotencyKey(int index) {
    Objects.checkIndex(index, actions.size());
    return Digests.sha256(incidentId + "|" + hash() + "|" + index + "|" + actions.get(index).canonical());
  }
}
