package dev.sreagent.core;

import dev.sreagent.api.Require;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Timing and sizing of the agent loop.
 *
 * @param agentId owner name used for locks and the audit log
 * @param investigationDelay how long an incident gathers correlated anomalies before it is diagnosed
 * @param verificationWindow how long signals are watched after an action before the verdict
 * @param approvalTimeout how long an approval request stays open; expiry escalates, it never approves
 * @param inboxCapacity bounded telemetry queue; when full, sources are told to back off (signals dropped, counted)
 * @param approverRoles roles allowed to approve plans
 * @param lockTtl lease of the per-target lock while an action runs
 * @param dryRun when true, executors validate but change nothing
 */
public record AgentSettings(String agentId, Duration investigationDelay, Duration verificationWindow,
    Duration approvalTimeout, int inboxCapacity, Set<String> approverRoles, Duration lockTtl, boolean dryRun) {
  public static final String DEFAULT_AGENT_ID = "sre-agent";
  public static final Duration DEFAULT_INVESTIGATION_DELAY = Duration.ofSeconds(60);
  public static final Duration DEFAULT_VERIFICATION_WINDOW = Duration.ofMinutes(5);
  public static final Duration DEFAULT_APPROVAL_TIMEOUT = Duration.ofMinutes(30);
  public static final int DEFAULT_INBOX_CAPACITY = 100_000;
  public static final Set<String> DEFAULT_APPROVER_ROLES = Set.of("sre", "oncall");
  public static final Duration DEFAULT_LOCK_TTL = Duration.ofMinutes(5);

  public AgentSettings {
    Require.notBlank(agentId, "agentId");
    Require.notNegative(investigationDelay, "investigationDelay");
    Require.positive(verificationWindow, "verificationWindow");
    Require.positive(approvalTimeout, "approvalTimeout");
    Require.positive(lockTtl, "lockTtl");
    Require.atLeast(inboxCapacity, 16, "inboxCapacity");
    approverRoles = Set.copyOf(Objects.requireNonNull(approverRoles, "approverRoles"));
  }

  /** The defaults. */
  public static AgentSettings defaults() {
    return new AgentSettings(DEFAULT_AGENT_ID, DEFAULT_INVESTIGATION_DELAY, DEFAULT_VERIFICATION_WINDOW,
        DEFAULT_APPROVAL_TIMEOUT, DEFAULT_INBOX_CAPACITY, DEFAULT_APPROVER_ROLES, DEFAULT_LOCK_TTL, false);
  }

  public AgentSettings withAgentId(String v) {
    return new AgentSettings(v, investigationDelay, verificationWindow, approvalTimeout, inboxCapacity,
        approverRoles, lockTtl, dryRun);
  }

  public AgentSettings withInvestigationDelay(Duration v) {
    return new AgentSettings(agentId, v, verificationWindow, approvalTimeout, inboxCapacity, approverRoles,
        lockTtl, dryRun);
  }

  public AgentSettings withVerificationWindow(Duration v) {
    return new AgentSettings(agentId, investigationDelay, v, approvalTimeout, inboxCapacity, approverRoles,
        lockTtl, dryRun);
  }

  public AgentSettings withApprovalTimeout(Duration v) {
    return new AgentSettings(agentId, investigationDelay, verificationWindow, v, inboxCapacity, approverRoles,
        lockTtl, dryRun);
  }

  public AgentSettings withInboxCapacity(int v) {
    return new AgentSettings(agentId, investigationDelay, verificationWindow, approvalTimeout, v, approverRoles,
        lockTtl, dryRun);
  }

  public AgentSettings withApproverRoles(Set<String> v) {
    return new AgentSettings(agentId, investigationDelay, verificationWindow, approvalTimeout, inboxCapacity, v,
        lockTtl, dryRun);
  }

  public AgentSettings withDryRun(boolean v) {
    return new AgentSettings(agentId, investigationDelay, verificationWindow, approvalTimeout, inboxCapacity,
        approverRoles, lockTtl, v);
  }
}
