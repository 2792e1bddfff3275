package dev.sreagent.api.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * The incident lifecycle. Allowed transitions:
 *
 * <pre>
 * OPEN -> INVESTIGATING -> DIAGNOSED -> AWAITING_APPROVAL -> REMEDIATING -> VERIFYING -> RESOLVED
 *                                   \-> REMEDIATING                               \-> ROLLED_BACK
 * every non-terminal state -> ESCALATED;  DIAGNOSED -> RESOLVED (nothing to do, condition cleared)
 * </pre>
 */
public enum IncidentState {
  OPEN, INVESTIGATING, DIAGNOSED, AWAITING_APPROVAL, REMEDIATING, VERIFYING, RESOLVED, ESCALATED, ROLLED_BACK;

  /** States from which no transition leads anywhere. */
  public boolean isTerminal() {
    return this == RESOLVED || this == ESCALATED || this == ROLLED_BACK;
  }

  /** The states this one may move to. */
  public Set<IncidentState> next() {
    return switch (this) {
      case OPEN -> EnumSet.of(INVESTIGATING, ESCALATED);
      case INVESTIGATING -> EnumSet.of(DIAGNOSED, ESCALATED);
      case DIAGNOSED -> EnumSet.of(AWAITING_APPROVAL, REMEDIATING, RESOLVED, ESCALATED);
      case AWAITING_APPROVAL -> EnumSet.of(REMEDIATING, ESCALATED);
      case REMEDIATING -> EnumSet.of(VERIFYING, ESCALATED);
      case VERIFYING -> EnumSet.of(RESOLVED, ROLLED_BACK, ESCALATED);
      case RESOLVED, ESCALATED, ROLLED_BACK -> EnumSet.noneOf(IncidentState.class);
    };
  }

  /** Whether {@code target} may follow this state. */
  public boolean canMoveTo(IncidentState target) {
    return next().contains(target);
  }
}
