package dev.sreagent.core;

/**
 * Counters of one agent since it started.
 *
 * @param signalsAccepted signals taken into the inbox
 * @param signalsDropped signals refused because the inbox was full (back-pressure) or the agent was closed
 * @param signalsRejected signals dropped as invalid (NaN or infinite values)
 * @param anomalies anomalies reported by detectors
 * @param incidentsOpened incidents opened
 * @param actionsExecuted actions that ran and succeeded
 * @param actionsFailed actions that ran and failed
 * @param actionsShadowed actions recorded but not run (OBSERVE)
 * @param plansDenied plans refused by guardrails or with no catalog action
 * @param approvalsRequested plans sent to humans
 * @param componentFailures exceptions thrown by plug-ins (detectors, reasoners, notifiers), contained
 * @param seriesEvicted series whose investigation window was dropped to make room for a new series (the cap of
 *     200,000 series was reached); series idle for an hour are dropped without being counted here
 * @param logSourcesEvicted services whose recent error logs were dropped to make room for another service's (the cap
 *     of 10,000 services was reached)
 * @param edgesEvicted learned call edges dropped to make room for new edges (the graph's cap was reached)
 * @param detectorStatesEvicted per-resource detector states dropped to make room for new resources, summed over the
 *     detectors ({@link dev.sreagent.api.port.Detector#evictedStates()})
 * @param anomaliesSuppressed anomalies that joined no incident while 1,000 incidents were active (an alert storm):
 *     counted, not opened
 * @param actionsRunning actions handed to the agent's action threads whose result has not landed yet (0 when actions
 *     run on the loop's thread)
 * @param actionsCancelling of those, the ones asked to stop (kill switch, a freeze that began, a lost lease) that
 *     have not returned yet
 * @param executorCalls calls under way inside the executors, including any whose time limit ran out while they go on
 *     (the agent waits for those before it acts on their target again)
 * @param rejectedSamplesByDetector samples each detector ignored because it could not read them (a negative latency,
 *     a CPU utilisation far above the limit, a sample older than its series' last one, a duplicate timestamp), by
 *     detector name, every detector of the agent (0 included; {@link dev.sreagent.api.port.Detector#rejectedSamples()});
 *     the agent logs each detector's count with its last rejection at INFO when it reaches 1, 10, 100, ...
 * @param activeIncidents the active incidents (not resolved, escalated or rolled back) by state, as of the start of
 *     the last tick; a state without one is absent (read without querying the incident store)
 */
public record AgentStats(long signalsAccepted, long signalsDropped, long signalsRejected, long anomalies,
    long incidentsOpened, long actionsExecuted, long actionsFailed, long actionsShadowed, long plansDenied,
    long approvalsRequested, long componentFailures, long seriesEvicted, long logSourcesEvicted, long edgesEvicted,
    long detectorStatesEvicted, long anomaliesSuppressed, long actionsRunning,
    long actionsCancelling, long executorCalls, java.util.Map<String, Long> rejectedSamplesByDetector,
    java.util.Map<dev.sreagent.api.model.IncidentState, Long> activeIncidents) {
  public AgentStats {
    rejectedSamplesByDetector = java.util.Collections.unmodifiableMap(
        new java.util.TreeMap<>(rejectedSamplesByDetector));
    activeIncidents = java.util.Map.copyOf(activeIncidents);
  }

  /** {@link #rejectedSamplesByDetector()} summed over the detectors. */
  public long detectorSamplesRejected() {
    return rejectedSamplesByDetector.values().stream().mapToLong(Long::longValue).sum();
  }
}
