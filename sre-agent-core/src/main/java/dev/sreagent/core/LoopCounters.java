package dev.sreagent.core;

import dev.sreagent.core.internal.CapacityReport;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The agent's counters: written by the loop (and by sources for the inbox ones), read from any thread. */
final class LoopCounters {
  final AtomicLong signalsAccepted = new AtomicLong();
  final AtomicLong signalsDropped = new AtomicLong();
  final AtomicLong signalsRejected = new AtomicLong();
  final AtomicLong anomalies = new AtomicLong();
  final AtomicLong incidentsOpened = new AtomicLong();
  final AtomicLong actionsExecuted = new AtomicLong();
  final AtomicLong actionsFailed = new AtomicLong();
  final AtomicLong actionsShadowed = new AtomicLong();
  final AtomicLong plansDenied = new AtomicLong();
  final AtomicLong approvalsRequested = new AtomicLong();
  final AtomicLong anomaliesSuppressed = new AtomicLong();
  final AtomicLong componentFailures = new AtomicLong();
  private volatile Map<IncidentState, Long> activeByState = Map.of();

  /** Counts {@code active} by state, on the loop thread, for {@link #stats} on any thread. */
  void countActive(List<Incident> active) {
    Map<IncidentState, Long> byState = new EnumMap<>(IncidentState.class);
    for (Incident inc : active) {
      byState.merge(inc.state(), 1L, Long::sum);
    }
    activeByState = Collections.unmodifiableMap(byState);
  }

  /** The counters with the capacity report and the action runner's figures, as {@link SreAgent#stats()} returns them. */
  AgentStats stats(CapacityReport capacity, long actionsRunning, long actionsCancelling, long callsUnderWay) {
    return new AgentStats(signalsAccepted.get(), signalsDropped.get(), signalsRejected.get(), anomalies.get(),
        incidentsOpened.get(), actionsExecuted.get(), actionsFailed.get(), actionsShadowed.get(), plansDenied.get(),
        approvalsRequested.get(), componentFailures.get(), capacity.seriesEvicted(), capacity.logSourcesEvicted(),
        capacity.edgesEvicted(), capacity.detectorStatesEvicted(), anomaliesSuppressed.get(), actionsRunning,
        actionsCancelling, callsUnderWay, capacity.rejectedSamplesByDetector(), activeByState);
  }
}
