package dev.sreagent.core;

import dev.sreagent.core.internal.CapacityReport;
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

  /** The counters with the capacity report and the action runner's figures, as {@link SreAgent#stats()} returns them. */
  AgentStats stats(CapacityReport capacity, long actionsRunning, long actionsCancelling, long callsUnderWay) {
    return new AgentStats(signalsAccepted.get(), signalsDropped.get(), signalsRejected.get(), anomalies.get(),
        incidentsOpened.get(), actionsExecuted.get(), actionsFailed.get(), actionsShadowed.get(), plansDenied.get(),
        approvalsRequested.get(), componentFailures.get(), capacity.seriesEvicted(), capacity.logSourcesEvicted(),
        capacity.edgesEvicted(), capacity.detectorStatesEvicted(), anomaliesSuppressed.get(), actionsRunning,
        actionsCancelling, callsUnderWay);
  }
}
