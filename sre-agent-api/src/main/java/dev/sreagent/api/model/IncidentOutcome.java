package dev.sreagent.api.model;

/**
 * How an incident ended; set together with its terminal {@link IncidentState} (see {@link #state()}), with the
 * human-readable reason in {@link Incident#outcomeReason()}.
 */
public enum IncidentOutcome {
  /** The action ran and the verification saw the incident's signals recover. */
  RECOVERED(IncidentState.RESOLVED),
  /** The action did not help, or made things worse, and was undone; humans take over. */
  ROLLED_BACK(IncidentState.ROLLED_BACK),
  /** Phase OBSERVE: the plan was recorded in the audit log, nothing ran; handed to humans. */
  OBSERVED(IncidentState.ESCALATED),
  /** The safety gate refused the plan, or no action in the catalog fits the diagnosis. */
  DENIED(IncidentState.ESCALATED),
  /** A human rejected the plan. */
  REJECTED(IncidentState.ESCALATED),
  /** Nobody answered the approval request before it expired (expiry never approves). */
  APPROVAL_EXPIRED(IncidentState.ESCALATED),
  /** A re-check before running (after an approval, or before a retry) no longer allowed the action. */
  REFUSED_AT_RECHECK(IncidentState.ESCALATED),
  /** The action could not run or failed: no executor for it, its target stayed locked, or it reported failure. */
  ACTION_FAILED(IncidentState.ESCALATED),
  /** Handed to humans; recorded before outcomes were typed, so only the reason says why. */
  ESCALATED(IncidentState.ESCALATED),
  /**
   * Sharded agents only: another agent owned this incident, so this agent only observed it (no action, approval or
   * notification) and closed its copy once the incident's services had stayed quiet for a long while.
   */
  OWNED_ELSEWHERE(IncidentState.ESCALATED);

  private final IncidentState state;

  IncidentOutcome(IncidentState state) {
    this.state = state;
  }

  /** The terminal state an incident with this outcome is in. */
  public IncidentState state() {
    return state;
  }
}
