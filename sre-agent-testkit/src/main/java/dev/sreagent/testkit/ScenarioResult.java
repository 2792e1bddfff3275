package dev.sreagent.testkit;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What happened in one scenario run. Times are simulated seconds: from a fault's injection for detection and
 * resolution, from the scenario's start for when incidents opened.
 *
 * @param scenario scenario name
 * @param phase phase the agent ran in
 * @param seed seed of the run
 * @param start when the scenario started (virtual time)
 * @param faultType incident type the first fault should cause, or null (no fault)
 * @param faultService root service the first fault should be traced to, or null (any / no fault)
 * @param fault description of the faults, or "none"
 * @param faults every fault with what became of it
 * @param incidents every incident the agent opened
 * @param detectedSeconds seconds from the first fault's injection to its incident, or null when missed
 * @param resolvedSeconds seconds from the first fault's injection to its verified resolution, or null
 * @param falseIncidents incidents no injected fault explains (of another type, on another root, or before it)
 * @param actionsExecuted actions that took effect
 * @param actionsShadowed actions recorded but not run (OBSERVE)
 * @param plansDenied plans refused
 * @param awaitingApproval incidents still waiting for a human at the end
 * @param approvalsRequested approval requests sent
 * @param actions the actions that took effect on the cluster, in order, with their targets
 * @param cluster the cluster at the end of the run (replicas, revisions, disk usage, certificate expiry)
 * @param violations safety violations seen by the oracle or in the audit trail
 * @param phaseChanges phase changes in the audit trail ("high-latency AUTONOMOUS -> ASSIST: why")
 * @param outcome what became of the first fault (or of a no-fault run)
 * @param passed whether the run met its expectation: every fault detected with its type and root (no incident for
 *     a no-fault run), no violation
 */
public record ScenarioResult(String scenario, Phase phase, long seed, Instant start, @Nullable IncidentType faultType,
    @Nullable String faultService, String fault, List<FaultResult> faults, List<IncidentSummary> incidents,
    @Nullable Long detectedSeconds, @Nullable Long resolvedSeconds, int falseIncidents, long actionsExecuted,
    long actionsShadowed, long plansDenied, int awaitingApproval, long approvalsRequested,
    List<AppliedAction> actions, ClusterState cluster, List<String> violations, List<String> phaseChanges,
    Outcome outcome, boolean passed) {

  public ScenarioResult {
    faults = List.copyOf(faults);
    incidents = List.copyOf(incidents);
    actions = List.copyOf(actions);
    violations = List.copyOf(violations);
    phaseChanges = List.copyOf(phaseChanges);
  }

  /** How a fault (or a no-fault run) ended. Prints and serialises lower-case: {@code rolled-back}. */
  public enum Outcome {
    /** Its incident was remediated and verified. */
    RESOLVED,
    /** Its incident's remediation made things worse and was undone. */
    ROLLED_BACK,
    /** Its incident was handed to humans. */
    ESCALATED,
    /** OBSERVE: its incident was diagnosed and the intended actions recorded, nothing ran. */
    SHADOWED,
    /** Its incident still waits for a human at the end. */
    AWAITING_APPROVAL,
    /** Its incident was still being handled at the end. */
    IN_PROGRESS,
    /** No incident of the right type and root was opened. */
    MISSED,
    /** A no-fault run without incidents. */
    CLEAN,
    /** A no-fault run with incidents. */
    NOISY;

    @JsonValue
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * One injected fault and its incident.
   *
   * @param fault its description
   * @param expectedType the incident type it should cause
   * @param expectedRoot the root it should be traced to, or null when any is fine
   * @param injectedAt when it was injected
   * @param incidentId the incident that matched it, or null
   * @param detectedSeconds seconds from injection to that incident, or null
   * @param resolvedSeconds seconds from injection to its verified resolution, or null
   * @param outcome what became of it
   */
  public record FaultResult(String fault, IncidentType expectedType, @Nullable String expectedRoot,
      Instant injectedAt, @Nullable String incidentId, @Nullable Long detectedSeconds,
      @Nullable Long resolvedSeconds, Outcome outcome) {}

  /**
   * One incident as reported.
   *
   * @param id incident id
   * @param type incident type
   * @param rootService suspected root
   * @param severity severity
   * @param state final state
   * @param openedAfterSeconds simulated seconds after the scenario's start
   * @param diagnosis top hypothesis, or empty
   * @param confidence diagnosis confidence, or 0
   * @param decision the last safety decision: outcome, phase and reason
   * @param guardrails the guardrail verdicts of that decision: "12/12 allow", or those that did not allow
   * @param outcome how the incident ended, or empty while open
   */
  public record IncidentSummary(String id, IncidentType type, String rootService, Severity severity,
      IncidentState state, long openedAfterSeconds, String diagnosis, double confidence, String decision,
      List<String> guardrails, String outcome) {}
}
