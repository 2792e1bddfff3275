package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Objects;

/**
 * A human's answer to an {@link ApprovalRequest}.
 *
 * @param incidentId the incident
 * @param planHash the hash of the exact plan approved; a different plan is not approved
 * @param approver who answered
 * @param role the approver's role; only configured roles may approve
 * @param approved yes or no
 * @param at when
 * @param comment free text
 */
public record ApprovalDecision(String incidentId, String planHash, String approver, String role, boolean approved,
    Instant at, String comment) {
  public ApprovalDecision {
    Require.notBlank(incidentId, "incidentId");
    Require.notBlank(planHash, "planHash");
    Require.notBlank(approver, "approver");
    Require.notBlank(role, "role");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(comment, "comment");
  }
}
