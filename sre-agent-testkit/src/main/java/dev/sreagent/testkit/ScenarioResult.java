package dev.sreagent.testkit;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What happened in one scenario run.
 *
 * @param scenario scenario name
 * @param phase phase the agent ran in
 * @param seed seed of the run
 * @param faultType incident type the fault should cause, or null (no fault)
 * @param faultService root service the fault should be traced to, or null (any / no fault)
 * @param fault fault description, or "none"
 * @param incidents every incident the agent opened
 * @param detectedSeconds simulated seconds from injection to the matching incident, or null when missed
 * @param resolvedSeconds simulated seconds from injection to its verified resolution, or null
 * @param falseIncidents incidents that match no injected fault
 * @param actionsExecuted actions the cluster applied
 * @param actionsShadowed actions recorded but not run (OBSERVE)
 * @param plansDenied plans refused
 * @param awaitingApproval incidents still waiting for a human at the end
 * @param approvalsRequested approval requests sent
 * @param violations safety violations seen by the oracle or in the audit trail
 * @param phaseChanges phase changes in the audit trail ("high-latency AUTONOMOUS -> ASSIST: why")
 * @param outcome one word: resolved, shadowed, awaiting-approval, escalated, rolled-back, missed, clean, noisy
 * @param passed whether the run met its expectation
 */
public record ScenarioResult(String scenario, String phase, long seed, @Nullable String faultType,
    @Nullable String faultService, String fault, List<IncidentSummary> incidents, @Nullable Long detectedSeconds,
    @Nullable Long resolvedSeconds, int falseIncidents, long actionsExecuted, long actionsShadowed, long plansDenied,
    int awaitingApproval, long approvalsRequested, List<String> violations, List<String> phaseChanges,
    String outcome, boolean passed) {

  /**
   * One incident as reported.
   *
   * @param id incident id
   * @param type incident type
   * @param rootService suspected root
   * @param severity severity
   * @param state final state
   * @param openedAfterSeconds simulated seconds after the scenario start
   * @param diagnosis top hypothesis, or empty
   * @param confidence diagnosis confidence, or 0
   * @param decision the last safety decision: outcome, phase and reason
   * @param guardrails the guardrail verdicts of that decision: "12/12 allow", or those that did not allow
   * @param outcome how the incident ended, or empty while open
   */
  public record IncidentSummary(String id, String type, String rootService, String severity, String state,
      long openedAfterSeconds, String diagnosis, double confidence, String decision, List<String> guardrails,
      String outcome) {}
}
