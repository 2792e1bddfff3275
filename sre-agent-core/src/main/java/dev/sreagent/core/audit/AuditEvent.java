package dev.sreagent.core.audit;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.SafetyDecision;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the agent writes to its audit log, one record type per kind of record. {@link AuditEvents} turns an event
 * into the log's {@link dev.sreagent.api.model.AuditEntry} and back: the entry's type is the event's
 * {@link #auditType()} (the names in {@link AuditTypes}), each record component is one key of the entry's data
 * (structured values as JSON written by Jackson), except {@code incidentId} and {@code actor}, which fill the entry's
 * fields of those names. Events that concern one incident carry its snapshot under {@code incident}, which is how the
 * agent rebuilds its incidents after a restart. This is the format of every log written so far, so older logs read
 * back as typed events too.
 *
 * <p>Read a log as events with {@link AuditEvents#read(dev.sreagent.api.port.AuditLog)}, or one type of them with
 * {@link AuditEvents#of(dev.sreagent.api.port.AuditLog, Class)}. A type this version does not know (written by a
 * newer version, or a custom entry) reads as {@link Unrecognised}.
 */
public sealed interface AuditEvent {
  /** The entry type this event is written under, for example {@code action.started}. */
  default String auditType() {
    return AuditEvents.typeOf(this);
  }

  /** The incident this event concerns, or null for agent-wide events. */
  default @Nullable String incidentId() {
    return null;
  }

  /** Who did it: {@code agent}, or the operator, approver or reviewer. */
  default String actor() {
    return AuditEvents.AGENT;
  }

  /** An event about one incident, with the incident as it was after the event. */
  sealed interface AboutIncident extends AuditEvent {
    /** The incident's snapshot (data key {@code incident}). */
    Incident incident();

    @Override
    default String incidentId() {
      return incident().id();
    }
  }

  /** The agent started; {@code replayedIncidents} were rebuilt from this log. */
  record AgentStarted(String agentId, int replayedIncidents) implements AuditEvent {}

  /** A new incident from {@code anomaly} (and, for one split off another, the {@code reason}). */
  record IncidentOpened(Incident incident, String anomaly, @Nullable String reason) implements AboutIncident {}

  /**
   * An incident changed without changing state: an {@code anomaly} joined it, it was {@code retyped}
   * ({@code "old -> new"}), or independent roots were split off.
   */
  record IncidentUpdated(Incident incident, @Nullable String reason, @Nullable String anomaly, @Nullable String retyped)
      implements AboutIncident {}

  /** The lifecycle moved an incident from one state to another. */
  record StateChanged(Incident incident, IncidentState from, IncidentState to, String reason)
      implements AboutIncident {}

  /** The diagnosis: its top cause and calibrated confidence (two decimals). */
  record Diagnosed(Incident incident, String top, double confidence) implements AboutIncident {}

  /**
   * The safety gate's answer for a plan: the first decision (with the {@code phase} and the {@code plan}), the re-check
   * after an approval ({@code approvedBy}), or a re-check before a later attempt ({@code recheck},
   * {@code idempotencyKey}).
   */
  record Decided(Incident incident, SafetyDecision.Outcome outcome, @Nullable Phase phase, String reason,
      @Nullable RemediationPlan plan, String planHash, List<GuardrailVerdict> verdicts, @Nullable String approvedBy,
      @Nullable String recheck, @Nullable String idempotencyKey) implements AboutIncident {
    /** Whether this is a plan's first decision (not a re-check after an approval or before a retry). */
    public boolean first() {
      return phase != null && recheck == null;
    }
  }

  /** A human's approval is needed for the plan {@code planHash} until {@code expiresAt}. */
  record ApprovalRequested(Incident incident, String planHash, Instant expiresAt, String reason)
      implements AboutIncident {}

  /** {@code approver} approved the plan {@code planHash}. */
  record ApprovalGranted(String incidentId, String approver, String role, String planHash, String comment)
      implements AuditEvent {
    @Override
    public String actor() {
      return approver;
    }
  }

  /** {@code approver} rejected the plan {@code planHash}; the incident is escalated. */
  record ApprovalRejected(String incidentId, String approver, String role, String planHash, String comment)
      implements AuditEvent {
    @Override
    public String actor() {
      return approver;
    }
  }

  /** An answer the agent did not accept (wrong plan, role, expired, nothing pending), with the {@code reason}. */
  record ApprovalRefused(String incidentId, String approver, String role, String planHash, String comment,
      String reason) implements AuditEvent {
    @Override
    public String actor() {
      return approver;
    }
  }

  /** In phase OBSERVE: what the agent would have run ({@code intended}), never run. */
  record ActionShadowed(Incident incident, Action action, String idempotencyKey, String intended)
      implements AboutIncident {}

  /**
   * An attempt of an action begins, under the lock with {@code fencingToken}; {@code inverseOf} names the action an
   * automatic rollback undoes. Written before the executor is called: a start without a completion is in doubt and
   * reconciled after a restart.
   */
  record ActionStarted(Incident incident, @Nullable Action action, String idempotencyKey, long fencingToken,
      int attempt, @Nullable String inverseOf) implements AboutIncident {}

  /** An attempt failed in a way worth retrying at {@code retryAt}, after reconciling. */
  record ActionAttemptFailed(Incident incident, String idempotencyKey, int attempt, ActionResult.Status status,
      String message, Instant retryAt) implements AboutIncident {}

  /** An action ended: nothing with this idempotency key runs again. */
  record ActionCompleted(Incident incident, String idempotencyKey, @Nullable Action action,
      ActionResult.Status status, String message) implements AboutIncident {
    /** Whether the action changed (or, in a dry run, would have changed) the system. */
    public boolean tookEffect() {
      return action != null && (status == ActionResult.Status.SUCCEEDED || status == ActionResult.Status.DRY_RUN);
    }
  }

  /** An attempt whose answer was lost turned out, asking the executor, to have ended with {@code status}. */
  record ActionReconciled(Incident incident, String idempotencyKey, ActionResult.Status status, String message)
      implements AboutIncident {}

  /**
   * The verification's verdict: {@value #RECOVERED}, {@value #NOT_RECOVERED} (what is still {@code firing}) or
   * {@value #WORSE} (the watched metric {@code before} and {@code after} the action).
   */
  record Verified(Incident incident, String result, @Nullable Double before, @Nullable Double after,
      @Nullable String firing, @Nullable String stillFiring) implements AboutIncident {
    public static final String RECOVERED = "recovered";
    public static final String NOT_RECOVERED = "not recovered";
    public static final String WORSE = "worse";
  }

  /**
   * The phase of {@code type} changed (on one {@code service} only when set); {@code capScopes}: every service scope
   * was lowered with it (an automatic demotion).
   */
  record PhaseChanged(String actor, IncidentType type, @Nullable String service, Phase from, Phase to, String reason,
      boolean capScopes) implements AuditEvent {}

  /** A post-mortem was written to the knowledge base as {@code documentId}. */
  record PostmortemWritten(Incident incident, String documentId) implements AboutIncident {}

  /** A human graded the diagnosis of an incident of {@code type}. */
  record DiagnosisReviewed(String incidentId, String actor, IncidentType type, boolean correct)
      implements AuditEvent {}

  /** The kill switch was engaged (with the {@code reason}) or released. */
  record KillSwitchChanged(String actor, boolean engaged, @Nullable String reason) implements AuditEvent {}

  /** An operator declared the change freeze {@code name}. */
  record FreezeDeclared(String actor, String name, Instant from, Instant until, String reason)
      implements AuditEvent {}

  /** An operator ended the change freeze {@code name}. */
  record FreezeEnded(String actor, String name) implements AuditEvent {}

  /** See {@link AuditTypes#AUDIT_TAIL_RECOVERED}. */
  record AuditTailRecovered(String recovered, String problem, String oldHead, String newHead)
      implements AuditEvent {}

  /** See {@link AuditTypes#AUDIT_TAIL_ACCEPTED}. */
  record AuditTailAccepted(String actor, String reason, String accepted, String problem, String oldHead,
      String newHead) implements AuditEvent {}

  /** An entry of a type this version does not know, kept as it is. */
  record Unrecognised(String type, @Nullable String incidentId, String actor, Map<String, String> data)
      implements AuditEvent {
    public Unrecognised {
      data = Map.copyOf(data);
    }

    @Override
    public String auditType() {
      return type;
    }
  }
}
