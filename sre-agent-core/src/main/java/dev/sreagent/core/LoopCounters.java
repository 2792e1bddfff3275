package dev.sreagent.core;

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
}
