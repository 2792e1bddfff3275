package dev.sreagent.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class IncidentStateProperties {
  @Property
  void terminalStatesHaveNoExit(@ForAll IncidentState s) {
    assertThat(s.isTerminal()).isEqualTo(s.next().isEmpty());
  }

  @Property
  void noStateLeadsBackToOpenOrToItself(@ForAll IncidentState from, @ForAll IncidentState to) {
    if (to == IncidentState.OPEN || to == from) {
      assertThat(from.canMoveTo(to)).isFalse();
    }
  }

  @Property
  void escalationIsAlwaysPossibleBeforeTheEnd(@ForAll IncidentState s) {
    assertThat(s.canMoveTo(IncidentState.ESCALATED)).isEqualTo(!s.isTerminal());
  }
}
