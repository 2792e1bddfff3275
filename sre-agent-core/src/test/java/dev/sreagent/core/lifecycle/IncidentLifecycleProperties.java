package dev.sreagent.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Severity;
import java.time.Instant;
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

  /** Any sequence of requested transitions: exactly the allowed ones are accepted, the rest throw. */
  @Property(tries = 2000)
  void onlyAllowedTransitionsAreAccepted(@ForAll @Size(max = 12) List<IncidentState> requests) {
    Incident inc = fresh();
    for (IncidentState to : requests) {
      IncidentState from = inc.state();
      boolean allowed = ALLOWED.contains(from + ">" + to);
      if (allowed) {
        inc = IncidentLifecycle.transition(inc, to, T);
        assertThat(inc.state()).isEqualTo(to);
      } else {
        Incident before = inc;
        assertThatThrownBy(() -> IncidentLifecycle.transition(before, to, T))
            .isInstanceOf(IllegalTransitionException.class)
            .hasMessageContaining(from.name()).hasMessageContaining(to.name());
        assertThat(inc.state()).isEqualTo(from);
      }
    }
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
