package dev.sreagent.core.lifecycle;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import java.time.Instant;
import java.util.Objects;

/**
 * The only way the agent changes an incident's state: every transition is checked against the state machine, and an
 * incident ends only with its outcome. ({@link Incident} has no setter for its state: a copy in another state is built
 * here or not at all.)
 */
public final class IncidentLifecycle {
  private IncidentLifecycle() {}

  /**
   * The incident in the non-terminal state {@code to}.
   *
   * @throws IllegalTransitionException when {@code to} may not follow the current state
   * @throws IllegalArgumentException when {@code to} is terminal: use {@link #end}
   */
  public static Incident transition(Incident incident, IncidentState to, Instant now) {
    if (to.isTerminal()) {
      throw new IllegalArgumentException("to must not be terminal, but was " + to + "; an incident ends with"
          + " IncidentLifecycle.end(incident, outcome, reason, now)");
    }
    return moved(incident, to, null, null, now);
  }

  /**
   * The incident ended with {@code outcome} (in its {@link IncidentOutcome#state()}) for {@code reason}.
   *
   * @throws IllegalTransitionException when the outcome's state may not follow the current state
   */
  public static Incident end(Incident incident, IncidentOutcome outcome, String reason, Instant now) {
    Objects.requireNonNull(outcome, "outcome");
    Require.notBlank(reason, "reason");
    return moved(incident, outcome.state(), outcome, reason, now);
  }

  private static Incident moved(Incident i, IncidentState to, IncidentOutcome outcome, String reason, Instant now) {
    if (!i.state().canMoveTo(to)) {
      throw new IllegalTransitionException(i.id(), i.state(), to);
    }
    return new Incident(i.id(), i.type(), i.severity(), to, i.rootService(), i.affectedServices(), i.anomalies(),
        i.openedAt(), Objects.requireNonNull(now, "now"), i.evidence(), i.diagnosis(), i.plan(), outcome, reason,
        i.candidates());
  }
}
