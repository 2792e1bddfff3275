package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Objects;

/**
 * A plan waiting for a human. An approval must quote {@link #planHash()}.
 *
 * @param incident the incident, with its diagnosis
 * @param plan the plan to approve
 * @param planHash {@code plan.hash()}
 * @param decision the safety gate's decision with every guardrail verdict
 * @param requestedAt when it was requested
 * @param expiresAt after this the request escalates; it never approves itself
 */
public record ApprovalRequest(Incident incident, RemediationPlan plan, String planHash, SafetyDecision decision,
    Instant requestedAt, Instant expiresAt) {
  public ApprovalRequest {
    Objects.requireNonNull(incident, "incident");
    Objects.requireNonNull(plan, "plan");
    Require.notBlank(planHash, "planHash");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
