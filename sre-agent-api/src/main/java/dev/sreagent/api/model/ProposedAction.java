package dev.sreagent.api.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a guardrail evaluates: one action in the context of its incident, the cluster and recent history.
 *
 * @param action the action proposed
 * @param incident the incident it remediates
 * @param topology the cluster as known now
 * @param history actions executed recently, oldest first
 * @param now the current time (from the clock port)
 */
public record ProposedAction(Action action, Incident incident, Topology topology, List<ExecutedAction> history,
    Instant now) {
  public ProposedAction {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(incident, "incident");
    Objects.requireNonNull(topology, "topology");
    history = List.copyOf(Objects.requireNonNull(history, "history"));
    Objects.requireNonNull(now, "now");
  }
}
