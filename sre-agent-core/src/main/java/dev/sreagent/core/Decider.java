package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.api.port.RemediationPlanner;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.guardrail.SafetyGate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Decision: the planner's plan goes through the safety gate (phase and every guardrail); the outcome shadows it
 * (OBSERVE), denies it (escalate), asks a human (approval requests, their answers and their expiry), or hands it to
 * remediation.
 */
final class Decider {
  private final LoopContext ctx;
  private final IncidentBook book;
  private final ActionLedger ledger;
  private final RemediationPlanner planner;
  private final SafetyGate gate;
  private final ApprovalChannel approvals;
  private final Remediator remediator;
  private final ConcurrentLinkedQueue<ApprovalDecision> submitted = new ConcurrentLinkedQueue<>();

  Decider(LoopContext ctx, IncidentBook book, ActionLedger ledger, RemediationPlanner planner, SafetyGate gate,
      ApprovalChannel approvals, Remediator remediator) {
    this.ctx = ctx;
    this.book = book;
    this.ledger = ledger;
    this.planner = planner;
    this.gate = gate;
    this.approvals = approvals;
    this.remediator = remediator;
  }

  /** Plans for {@code inc} and decides what happens to the plan. */
  void decide(Incident inc, Instant now) {
    Topology topo = ctx.currentTopology();
    RemediationPlan plan;
    try {
      plan = Objects.requireNonNull(planner.plan(inc, topo), "planner returned null");
    } catch (RuntimeException e) {
      ctx.contained("planner", e);
      plan = new RemediationPlan(inc.id(), List.of(), "planner failed: " + e);
    }
    Incident planned = inc.withPlan(plan, now);
    Phase phase = ctx.phases.phaseFor(inc.type(), inc.rootService());
    SafetyDecision decision = gate.decide(planned, plan, phase, topo, ledger.guardHistory(null), now, false);
    ctx.store.save(planned);
    ctx.audit(new AuditEvent.Decided(planned, decision.outcome(), phase, decision.reason(), plan, plan.hash(),
        decision.verdicts(), null, null, null));
    ctx.emit(IncidentEvent.Kind.DECIDED, planned, decision.outcome() + " [" + phase + "] "
        + describe(plan) + " - " + decision.reason() + " | guardrails: " + summarize(decision), now);
    switch (decision.outcome()) {
      case SHADOW -> {
        for (int i = 0; i < plan.actions().size(); i++) {
          Action a = plan.actions().get(i);
          ctx.counters.actionsShadowed.incrementAndGet();
          ctx.telemetry.action(a.kind(), "shadowed");
          ctx.audit(new AuditEvent.ActionShadowed(planned, a, plan.idempotencyKey(i), a.canonical()));
          ctx.emit(IncidentEvent.Kind.ACTION_SHADOWED, planned, "would run " + a.canonical(), now);
        }
        book.escalate(planned, IncidentOutcome.OBSERVED, now, "phase OBSERVE: " + plan.actions().size()
            + " intended action(s) recorded in the audit log, nothing executed; handed to humans");
      }
      case DENY -> {
        ctx.counters.plansDenied.incrementAndGet();
        ctx.telemetry.action("plan", "denied");
        book.escalate(planned, IncidentOutcome.DENIED, now, decision.reason());
      }
      case NEEDS_APPROVAL -> requestApproval(planned, decision, now);
      case EXECUTE -> remediator.execute(book.move(planned, IncidentState.REMEDIATING, now, decision.reason()), now,
          true);
    }
  }

  /** "12/12 allow" or the verdicts that did not allow, each with its policy and reason. */
  static String summarize(SafetyDecision decision) {
    List<GuardrailVerdict> notAllowed = decision.verdicts().stream()
        .filter(v -> v.verdict() != GuardrailVerdict.Verdict.ALLOW).toList();
    if (decision.verdicts().isEmpty()) {
      return "none evaluated";
    }
    if (notAllowed.isEmpty()) {
      return decision.verdicts().size() + "/" + decision.verdicts().size() + " allow";
    }
    StringBuilder sb = new StringBuilder();
    for (GuardrailVerdict v : notAllowed) {
      sb.append(sb.length() == 0 ? "" : "; ").append(v.policy()).append(' ').append(v.verdict()).append(" (")
          .append(v.reason()).append(')');
    }
    return sb.toString();
  }

  /** The plan's actions in canonical form, or "(no action)". */
  static String describe(RemediationPlan plan) {
    return plan.actions().isEmpty() ? "(no action)" : plan.actions().stream().map(Action::canonical).toList()
        .toString();
  }

  private void requestApproval(Incident inc, SafetyDecision decision, Instant now) {
    RemediationPlan plan = Objects.requireNonNull(inc.plan());
    Incident waiting = book.move(inc, IncidentState.AWAITING_APPROVAL, now, decision.reason());
    ApprovalRequest req = new ApprovalRequest(waiting, plan, plan.hash(), decision, now,
        now.plus(ctx.settings.approvalTimeout()));
    book.record(inc.id()).pendingApproval = req;
    ctx.counters.approvalsRequested.incrementAndGet();
    ctx.audit(new AuditEvent.ApprovalRequested(waiting, plan.hash(), req.expiresAt(), decision.reason()));
    ctx.emit(IncidentEvent.Kind.APPROVAL_REQUESTED, waiting, "approval needed for " + describe(plan) + " (plan "
        + plan.hash().substring(0, 12) + ", expires " + req.expiresAt() + ")", now);
    try {
      approvals.request(req);
    } catch (RuntimeException e) {
      ctx.contained("approval channel", e);
    }
  }

  /** A human's answer, applied at the next tick. Thread-safe. */
  void submit(ApprovalDecision decision) {
    submitted.add(Objects.requireNonNull(decision, "decision"));
  }

  /** Applies the answers submitted and those the approval channel has. */
  void applyApprovals(Instant now) {
    List<ApprovalDecision> decisions = new ArrayList<>();
    ApprovalDecision d;
    while ((d = submitted.poll()) != null) {
      decisions.add(d);
    }
    try {
      decisions.addAll(approvals.poll());
    } catch (RuntimeException e) {
      ctx.contained("approval channel", e);
    }
    for (ApprovalDecision decision : decisions) {
      applyApproval(decision, now);
    }
  }

  /** Escalates {@code inc} when its approval request has expired (expiry never approves). */
  void expireApproval(Incident inc, Instant now) {
    IncidentRecord record = book.peek(inc.id());
    ApprovalRequest req = record == null ? null : record.pendingApproval;
    if (req == null || now.isAfter(req.expiresAt())) {
      if (record != null) {
        record.pendingApproval = null;
      }
      book.escalate(inc, IncidentOutcome.APPROVAL_EXPIRED, now, "approval request expired at " + (req == null ? "?" : req.expiresAt())
          + " without an answer");
    }
  }

  private void applyApproval(ApprovalDecision d, Instant now) {
    IncidentRecord record = book.peek(d.incidentId());
    ApprovalRequest req = record == null ? null : record.pendingApproval;
    String refusal = null;
    if (req == null) {
      refusal = "no approval is pending for " + d.incidentId();
    } else if (!req.planHash().equals(d.planHash())) {
      refusal = "the approval is for plan " + d.planHash() + " but the pending plan is " + req.planHash();
    } else if (!ctx.settings.approverRoles().contains(d.role())) {
      refusal = "role '" + d.role() + "' may not approve; allowed roles are " + ctx.settings.approverRoles();
    } else if (now.isAfter(req.expiresAt())) {
      refusal = "the request expired at " + req.expiresAt();
    }
    Optional<Incident> inc = ctx.store.find(d.incidentId());
    if (refusal != null || inc.isEmpty() || inc.get().state() != IncidentState.AWAITING_APPROVAL) {
      ctx.audit(new AuditEvent.ApprovalRefused(d.incidentId(), d.approver(), d.role(), d.planHash(), d.comment(),
          refusal != null ? refusal : "incident is not awaiting approval"));
      return;
    }
    record.pendingApproval = null;
    Incident waiting = inc.get();
    if (!d.approved()) {
      ctx.audit(new AuditEvent.ApprovalRejected(d.incidentId(), d.approver(), d.role(), d.planHash(), d.comment()));
      book.escalate(waiting, IncidentOutcome.REJECTED, now, "plan rejected by " + d.approver() + ": " + d.comment());
      return;
    }
    ctx.audit(new AuditEvent.ApprovalGranted(d.incidentId(), d.approver(), d.role(), d.planHash(), d.comment()));
    RemediationPlan plan = Objects.requireNonNull(waiting.plan());
    record.approvedPlanHash = plan.hash();
    SafetyDecision recheck = gate.decide(waiting, plan, ctx.phases.phaseFor(waiting.type(), waiting.rootService()),
        ctx.currentTopology(), ledger.guardHistory(null), now, true);
    ctx.audit(new AuditEvent.Decided(waiting, recheck.outcome(), null, recheck.reason(), null, plan.hash(),
        recheck.verdicts(), d.approver(), null, null));
    ctx.emit(IncidentEvent.Kind.APPROVED, waiting, "approved by " + d.approver() + " (" + d.role()
        + "); re-checked: " + recheck.outcome(), now);
    if (recheck.outcome() == SafetyDecision.Outcome.EXECUTE) {
      remediator.execute(book.move(waiting, IncidentState.REMEDIATING, now, "approved by " + d.approver()), now,
          true);
    } else {
      book.escalate(waiting, IncidentOutcome.REFUSED_AT_RECHECK, now, "approved, but the re-check says " + recheck.outcome() + ": " + recheck.reason());
    }
  }
}
