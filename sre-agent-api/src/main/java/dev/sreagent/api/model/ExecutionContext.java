package dev.sreagent.api.model;

import dev.sreagent.api.Require;

/**
 * What an executor needs besides the action.
 *
 * @param incidentId the incident the action remediates
 * @param idempotencyKey stable key; an executor that sees a key twice must not act twice
 * @param fencingToken token of the lock held on the action's target; executors reject stale tokens
 * @param dryRun when true, validate and report but change nothing
 */
public record ExecutionContext(String incidentId, String idempotencyKey, long fencingToken, boolean dryRun) {
  public ExecutionContext {
    Require.notBlank(incidentId, "incidentId");
    Require.notBlank(idempotencyKey, "idempotencyKey");
  }
}
