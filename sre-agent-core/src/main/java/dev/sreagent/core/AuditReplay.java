package dev.sreagent.core;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.core.audit.AuditTypes;
import dev.sreagent.core.guardrail.ChangeFreezes;
import dev.sreagent.core.internal.Json;
import dev.sreagent.core.phase.DiagnosticAccuracy;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds what the agent knew from its audit log when it starts: incidents with the approvals they wait for and how
 * far their verification went, the actions started, completed and in doubt, phases, declared freezes, the kill switch
 * and the track records. An action whose idempotency key is recorded as completed never runs again.
 */
final class AuditReplay {
  private static final Logger LOG = LoggerFactory.getLogger(SreAgent.class);

  private record ApprovalStub(String planHash, Instant expiresAt, Instant requestedAt) {}

  private AuditReplay() {}

  /**
   * Replays {@code ctx}'s audit log into the loop's state.
   *
   * @return the kill switch's reason when it was engaged at the end of the log, or null
   */
  static @Nullable String replay(LoopContext ctx, IncidentBook book, ActionLedger ledger, ChangeFreezes freezes) {
    List<AuditRecord> records = ctx.audit.records();
    if (records.isEmpty()) {
      return null;
    }
    String killSwitch = null;
    Map<String, Incident> latest = new LinkedHashMap<>();
    Map<String, ApprovalStub> requested = new HashMap<>();
    Map<String, Instant> verifyingSince = new HashMap<>();
    Map<String, String> approved = new HashMap<>();
    for (AuditRecord r : records) {
      AuditEntry e = r.entry();
      Map<String, String> data = e.data();
      String snapshot = data.get(AuditTypes.KEY_INCIDENT);
      if (snapshot != null) {
        Incident inc = Json.read(snapshot, Incident.class);
        Incident before = latest.put(inc.id(), inc);
        if (inc.state() == IncidentState.VERIFYING && (before == null || before.state() != IncidentState.VERIFYING)) {
          verifyingSince.put(inc.id(), e.timestamp());
        }
      }
      switch (e.type()) {
        case AuditTypes.ACTION_STARTED -> {
          String key = data.get("idempotencyKey");
          ledger.started.add(key);
          String actionJson = data.get("action");
          if (actionJson != null && !ledger.completed.contains(key)) {
            ledger.inDoubt.put(key, new ExecutedAction(Json.read(actionJson, Action.class),
                Objects.requireNonNull(e.incidentId()), e.timestamp(), key));
          }
        }
        case AuditTypes.ACTION_ATTEMPT_FAILED -> {
          ledger.attempts.merge(data.get("idempotencyKey"), 1, Integer::sum);
          ledger.retryAt.put(data.get("idempotencyKey"), Instant.parse(data.get("retryAt")));
        }
        case AuditTypes.ACTION_COMPLETED -> {
          String status = data.get("status");
          String actionJson = data.get("action");
          String key = data.get("idempotencyKey");
          boolean tookEffect = actionJson != null && ("SUCCEEDED".equals(status) || "DRY_RUN".equals(status));
          if (tookEffect) {
            ledger.completed(new ExecutedAction(Json.read(actionJson, Action.class),
                Objects.requireNonNull(e.incidentId()), e.timestamp(), key), true);
          } else {
            ledger.completed.add(key);
            ledger.inDoubt.remove(key);
            ledger.retryAt.remove(key);
          }
        }
        case AuditTypes.PHASE_CHANGED -> {
          IncidentType t = IncidentType.of(data.get("type"));
          Phase to = Phase.valueOf(data.get("to"));
          if ("true".equals(data.get("capScopes"))) {
            Learner.lowerTo(ctx, t, to);
          } else {
            ctx.phases.set(t, data.get("service"), to);
          }
        }
        case AuditTypes.APPROVAL_GRANTED -> approved.put(Objects.requireNonNull(e.incidentId()), data.get("planHash"));
        case AuditTypes.FREEZE_DECLARED -> freezes.declare(data.get("name"), Instant.parse(data.get("from")),
            Instant.parse(data.get("until")));
        case AuditTypes.FREEZE_ENDED -> freezes.end(data.get("name"));
        case AuditTypes.KILL_SWITCH -> killSwitch = "true".equals(data.get("engaged")) ? data.get("reason") : null;
        case AuditTypes.APPROVAL_REQUESTED -> requested.put(Objects.requireNonNull(e.incidentId()),
            new ApprovalStub(data.get("planHash"), Instant.parse(data.get("expiresAt")), e.timestamp()));
        case AuditTypes.DIAGNOSIS_REVIEWED -> {
          boolean correct = Boolean.parseBoolean(data.get("correct"));
          ctx.accuracy.merge(IncidentType.of(data.get("type")), new DiagnosticAccuracy(1, correct ? 1 : 0),
              (a, b) -> a.plus(correct));
        }
        default -> { }
      }
    }
    for (Incident inc : latest.values()) {
      ctx.store.save(inc);
      if (inc.state().isTerminal()) {
        continue;
      }
      IncidentRecord record = book.record(inc.id());
      record.verifyingSince = verifyingSince.get(inc.id());
      record.approvedPlanHash = approved.get(inc.id());
      ApprovalStub stub = requested.get(inc.id());
      if (inc.state() == IncidentState.AWAITING_APPROVAL && stub != null && inc.plan() != null) {
        record.pendingApproval = new ApprovalRequest(inc, inc.plan(), stub.planHash(),
            new SafetyDecision(SafetyDecision.Outcome.NEEDS_APPROVAL, ctx.phases.phaseFor(inc.type()), List.of(),
                "restored after restart"), stub.requestedAt(), stub.expiresAt());
      }
    }
    book.continueAfter(latest.size());
    LOG.info("replayed {} audit records: {} incidents ({} active), {} completed actions", records.size(),
        latest.size(), ctx.store.active().size(), ledger.completed.size());
    return killSwitch;
  }
}
