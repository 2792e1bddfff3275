package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.audit.AuditTypes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Human approval: bound to the exact plan, the right role, expiring into escalation, audited. */
class ApprovalTest {
  private static SimulationHarness awaitingApproval() {
    SimulationHarness h = SimulationHarness.builder().setPhase(Phase.ASSIST).setOnCallResponse(null).build();
    h.runFor(Duration.ofMinutes(30));
    h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
    h.runFor(Duration.ofMinutes(3));
    assertThat(h.agent().incidents()).singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(IncidentState.AWAITING_APPROVAL));
    return h;
  }

  private static List<AuditRecord> records(SimulationHarness h, String type) {
    return h.agent().auditLog().records().stream().filter(r -> r.entry().type().equals(type)).toList();
  }

  @Test
  void theRequestCarriesThePlanTheDiagnosisAndTheVerdicts() {
    try (SimulationHarness h = awaitingApproval()) {
      ApprovalRequest req = h.agent().pendingApprovals().get(0);
      assertThat(req.planHash()).isEqualTo(req.plan().hash());
      assertThat(req.incident().diagnosis()).isNotNull();
      assertThat(req.incident().diagnosis().confidence().factors()).containsKeys("detector", "evidence",
          "knowledge");
      assertThat(req.decision().verdicts()).hasSizeGreaterThanOrEqualTo(12);
      assertThat(req.expiresAt()).isEqualTo(req.requestedAt().plus(Duration.ofMinutes(30)));
    }
  }

  @Test
  void aWrongPlanHashOrRoleIsRefusedAndARightOneExecutes() {
    try (SimulationHarness h = awaitingApproval()) {
      ApprovalRequest req = h.agent().pendingApprovals().get(0);
      String id = req.incident().id();
      var now = h.clock().now();
      h.agent().submitApproval(new ApprovalDecision(id, "0".repeat(64), "mallory", "oncall", true, now, "lgtm"));
      h.agent().submitApproval(new ApprovalDecision(id, req.planHash(), "intern", "viewer", true, now, "lgtm"));
      h.runFor(Duration.ofSeconds(15));
      assertThat(records(h, AuditTypes.APPROVAL_REFUSED)).hasSize(2).satisfiesExactly(
          r -> assertThat(r.entry().data().get("reason")).contains("pending plan is " + req.planHash()),
          r -> assertThat(r.entry().data().get("reason")).contains("role 'viewer' may not approve"));
      assertThat(h.cluster().executor().applied()).isEmpty();
      assertThat(h.agent().incident(id).orElseThrow().state()).isEqualTo(IncidentState.AWAITING_APPROVAL);

      h.agent().submitApproval(new ApprovalDecision(id, req.planHash(), "alice", "sre", true, h.clock().now(),
          "renewal looks right"));
      h.runFor(Duration.ofMinutes(10));
      assertThat(records(h, AuditTypes.APPROVAL_GRANTED)).singleElement().satisfies(r -> {
        assertThat(r.entry().actor()).isEqualTo("alice");
        assertThat(r.entry().data()).containsEntry("role", "sre").containsEntry("planHash", req.planHash());
      });
      assertThat(h.cluster().executor().applied()).hasSize(1);
      assertThat(h.agent().incident(id).orElseThrow().state()).isEqualTo(IncidentState.RESOLVED);
      assertThat(h.agent().knowledgeBase().retrieve(new KnowledgeQuery("post-mortem " + id, null, Set.of(), 3)))
          .anyMatch(d -> d.document().id().equals("postmortem-" + id));
    }
  }

  @Test
  void anUnansweredRequestExpiresIntoAnEscalationAndARejectionEscalatesToo() {
    try (SimulationHarness h = awaitingApproval()) {
      h.runFor(Duration.ofMinutes(31));
      assertThat(h.agent().incidents().get(0).state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(h.agent().incidents().get(0).outcome()).isEqualTo(dev.sreagent.api.model.IncidentOutcome.APPROVAL_EXPIRED);
      assertThat(h.agent().incidents().get(0).outcomeReason()).contains("expired");
      assertThat(h.cluster().executor().applied()).isEmpty();
    }
    try (SimulationHarness h = awaitingApproval()) {
      ApprovalRequest req = h.agent().pendingApprovals().get(0);
      h.agent().submitApproval(new ApprovalDecision(req.incident().id(), req.planHash(), "bob", "oncall", false,
          h.clock().now(), "not during the sale"));
      h.runFor(Duration.ofSeconds(15));
      assertThat(h.agent().incidents().get(0).state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(h.agent().incidents().get(0).outcome()).isEqualTo(dev.sreagent.api.model.IncidentOutcome.REJECTED);
      assertThat(h.agent().incidents().get(0).outcomeReason()).contains("rejected by bob").contains("not during the sale");
      assertThat(records(h, AuditTypes.APPROVAL_REJECTED)).hasSize(1);
    }
  }
}
