package dev.sreagent.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Severity;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class IncidentLifecycleProperties {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  private static final Set<String> ALLOWED = Set.of(
      "OPEN>INVESTIGATING", "OPEN>ESCALATED", "INVESTIGATING>DIAGNOSED", "INVESTIGATING>ESCALATED",
      "DIAGNOSED>AWAITING_APPROVAL", "DIAGNOSED>REMEDIATING", "DIAGNOSED>RESOLVED", "DIAGNOSED>ESCALATED",
      "AWAITING_APPROVAL>REMEDIATING", "AWAITING_APPROVAL>ESCALATED", "REMEDIATING>VERIFYING",
      "REMEDIATING>ESCALATED", "VERIFYING>RESOLVED", "VERIFYING>ROLLED_BACK", "VERIFYING>ESCALATED");

  private static Incident fresh() {
    return Incident.open("INC-1", new Anomaly(IncidentType.OOM_KILL, "cart", "cart-1", "m", 0.9, 0.85, 0.7,
        Severity.SEV3, T, T, "x"), "cart", T);
  }

  /** A request to move to {@code to}: a transition, or for a terminal state an end with {@code outcome}'s kin. */
  private static Incident move(Incident inc, IncidentState to, IncidentOutcome pick) {
    if (!to.isTerminal()) {
      return IncidentLifecycle.transition(inc, to, T);
    }
    IncidentOutcome outcome = pick.state() == to ? pick : Arrays.stream(IncidentOutcome.values())
        .filter(o -> o.state() == to).findFirst().orElseThrow();
    return IncidentLifecycle.end(inc, outcome, "because " + outcome, T);
  }

  /**
   * Any sequence of requested transitions: exactly the allowed ones are accepted, the rest throw; an incident carries
   * an outcome exactly when it has ended, and the outcome names its state.
   */
  @Property(tries = 2000)
  void onlyAllowedTransitionsAreAccepted(@ForAll @Size(max = 12) List<IncidentState> requests,
      @ForAll IncidentOutcome pick) {
    Incident inc = fresh();
    for (IncidentState to : requests) {
      IncidentState from = inc.state();
      boolean allowed = ALLOWED.contains(from + ">" + to);
      if (allowed) {
        inc = move(inc, to, pick);
        assertThat(inc.state()).isEqualTo(to);
      } else {
        Incident before = inc;
        assertThatThrownBy(() -> move(before, to, pick))
            .isInstanceOf(IllegalTransitionException.class)
            .hasMessageContaining(from.name()).hasMessageContaining(to.name());
        assertThat(inc.state()).isEqualTo(from);
      }
      assertThat(inc.outcome() != null).isEqualTo(inc.state().isTerminal());
      if (inc.outcome() != null) {
        assertThat(inc.outcome().state()).isEqualTo(inc.state());
        assertThat(inc.outcomeReason()).isEqualTo("because " + inc.outcome());
      }
    }
  }

  /** A terminal state is reached only with an outcome: a bare transition there, or a mismatched outcome, is refused. */
  @Property
  void anIncidentEndsOnlyWithAnOutcomeThatMatchesItsState(@ForAll IncidentOutcome outcome,
      @ForAll IncidentState state) {
    Incident verifying = IncidentLifecycle.transition(IncidentLifecycle.transition(IncidentLifecycle.transition(
        IncidentLifecycle.transition(fresh(), IncidentState.INVESTIGATING, T), IncidentState.DIAGNOSED, T),
        IncidentState.REMEDIATING, T), IncidentState.VERIFYING, T);
    if (state.isTerminal()) {
      assertThatThrownBy(() -> IncidentLifecycle.transition(verifying, state, T))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IncidentLifecycle.end");
    }
    Incident i = verifying;
    if (outcome.state() != state) {
      assertThatThrownBy(() -> new Incident(i.id(), i.type(), i.severity(), state, i.rootService(),
          i.affectedServices(), i.anomalies(), i.openedAt(), T, null, null, null, outcome, "x"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outcome must be set exactly");
    }
    assertThat(IncidentLifecycle.end(verifying, outcome, "r", T).state()).isEqualTo(outcome.state());
  }

  @Property
  void theStateMachineMatchesTheDocumentedTable(@ForAll IncidentState from, @ForAll IncidentState to) {
    assertThat(from.canMoveTo(to)).isEqualTo(ALLOWED.contains(from + ">" + to));
  }

  @Property
  void everyStateIsReachableFromOpen(@ForAll IncidentState target) {
    Set<IncidentState> seen = EnumSet.of(IncidentState.OPEN);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (IncidentState s : EnumSet.copyOf(seen)) {
        grew |= seen.addAll(s.next());
      }
    }
    assertThat(seen).contains(target);
  }
}
