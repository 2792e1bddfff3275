package dev.sreagent.api.model;

import java.time.Instant;

/**
 * One piece of telemetry: a metric sample, a span, a log record, a change event or an external alert.
 * Sources hand signals to the agent through a {@link dev.sreagent.api.port.TelemetrySink}.
 */
public sealed interface Signal permits MetricSample, Span, LogRecord, ChangeEvent, AlertEvent {
  /** When the signal was observed. */
  Instant timestamp();

  /** The service the signal belongs to ({@value Attributes#UNKNOWN_SERVICE} when not known). */
  String service();
}
