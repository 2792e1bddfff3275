package dev.sreagent.core.audit;

/** The audit record types the agent writes. Every incident record carries the incident snapshot under "incident". */
public final class AuditTypes {
  public static final String AGENT_STARTED = "agent.started";
  public static final String INCIDENT_OPENED = "incident.opened";
  public static final String INCIDENT_UPDATED = "incident.updated";
  public static final String INCIDENT_STATE = "incident.state";
  public static final String DIAGNOSIS = "incident.diagnosed";
  public static final String DECISION = "safety.decision";
  public static final String APPROVAL_REQUESTED = "approval.requested";
  public static final String APPROVAL_GRANTED = "approval.granted";
  public static final String APPROVAL_REJECTED = "approval.rejected";
  public static final String APPROVAL_REFUSED = "approval.refused";
  public static final String ACTION_SHADOWED = "action.shadowed";
  public static final String ACTION_STARTED = "action.started";
  public static final String ACTION_COMPLETED = "action.completed";
  public static final String ACTION_RECONCILED = "action.reconciled";
  public static final String ACTION_ATTEMPT_FAILED = "action.attempt-failed";
  public static final String VERIFICATION = "verification";
  public static final String PHASE_CHANGED = "phase.changed";
  public static final String POSTMORTEM = "postmortem";
  public static final String DIAGNOSIS_REVIEWED = "diagnosis.reviewed";
  /** The kill switch was engaged or released (seen at the next tick). */
  public static final String KILL_SWITCH = "kill-switch";
  /** An operator declared a change freeze while the agent runs. */
  public static final String FREEZE_DECLARED = "freeze.declared";
  /** An operator ended a declared change freeze. */
  public static final String FREEZE_ENDED = "freeze.ended";
  /**
   * An operator accepted audit records that the head file did not cover (a missing or unreadable head, or a head
   * lagging behind the log), written by the log as it opens. Actor: the operator; data: {@code reason},
   * {@code accepted} (the records, by sequence, type, time and actor), {@code problem}, {@code oldHead} and
   * {@code newHead} ({@code "<sequence> <hash>"}).
   */
  public static final String AUDIT_TAIL_ACCEPTED = "audit.tail-accepted";
  /**
   * A keyed log recovered the one record a crash left beyond its head (the record's MAC verified), written by the
   * log as it opens. Data: {@code recovered}, {@code problem}, {@code oldHead} and {@code newHead}.
   */
  public static final String AUDIT_TAIL_RECOVERED = "audit.tail-recovered";

  /** Data key holding the incident snapshot as JSON. */
  public static final String KEY_INCIDENT = "incident";

  private AuditTypes() {}
}
