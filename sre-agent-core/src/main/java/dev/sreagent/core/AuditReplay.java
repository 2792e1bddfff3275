package dev.sreagent.core;

import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.audit.AuditEvents;
import dev.sreagent.core.guardrail.ChangeFreezes;
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
      Instant at = r.entry().timestamp();
      AuditEvent event = AuditEvents.fromRecord(r);
      if (event instanceof AuditEvent.AboutIncident about) {
        Incident inc = about.incident();
        Incident before = latest.put(inc.id(), inc);
        if (inc.state() == IncidentState.VERIFYING && (before == null || before.state() != IncidentState.VERIFYING)) {
          verifyingSince.put(inc.id(), at);
        }
      }
      // a switch over the sealed types once the baseline is Java 21; until then one branch per type that matters
      if (event instanceof AuditEvent.ActionStarted s) {
        ledger.started.add(s.idempotencyKey());
        if (s.action() != null && !ledger.completed.contains(s.idempotencyKey())) {
          ledger.inDoubt.put(s.idempotencyKey(), new ExecutedAction(s.action(), s.incidentId(), at,
              s.idempotencyKey()));
        }
      } else if (event instanceof AuditEvent.ActionAttemptFailed f) {
        ledger.attempts.merge(f.idempotencyKey(), 1, Integer::sum);
        ledger.retryAt.put(f.idempotencyKey(), f.retryAt());
      } else if (event instanceof AuditEvent.ActionCompleted c) {
        if (c.tookEffect()) {
          ledger.completed(new ExecutedAction(Objects.requireNonNull(c.action()), c.incidentId(), at,
              c.idempotencyKey()), true);
        } else {
          ledger.completed.add(c.idempotencyKey());
          ledger.inDoubt.remove(c.idempotencyKey());
          ledger.retryAt.remove(c.idempotencyKey());
        }
      } else if (event instanceof AuditEvent.PhaseChanged p) {
        if (p.capScopes()) {
          Learner.lowerTo(ctx, p.type(), p.to());
        } else {
          ctx.phases.set(p.type(), p.service(), p.to());
        }
      } else if (event instanceof AuditEvent.ApprovalGranted g) {
        approved.put(g.incidentId(), g.planHash());
      } else if (event instanceof AuditEvent.ApprovalRequested q) {
        requested.put(q.incidentId(), new ApprovalStub(q.planHash(), q.expiresAt(), at));
      } else if (event instanceof AuditEvent.FreezeDeclared d) {
        freezes.declare(d.name(), d.from(), d.until());
      } else if (event instanceof AuditEvent.FreezeEnded e) {
        freezes.end(e.name());
      } else if (event instanceof AuditEvent.KillSwitchChanged k) {
        killSwitch = k.engaged() ? k.reason() : null;
      } else if (event instanceof AuditEvent.DiagnosisReviewed v) {
        ctx.accuracy.merge(v.type(), new DiagnosticAccuracy(1, v.correct() ? 1 : 0), (a, b) -> a.plus(v.correct()));
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
