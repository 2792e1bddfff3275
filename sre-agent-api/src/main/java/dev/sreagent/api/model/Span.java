package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A finished trace span.
 *
 * @param traceId trace identifier
 * @param spanId span identifier
 * @param parentSpanId parent span, or null for a root span
 * @param service the service that emitted the span
 * @param operation the span name
 * @param kind server, client, ...
 * @param timestamp start time
 * @param duration how long it took
 * @param error whether the span ended with an error status
 */
public record Span(
    String traceId,
    String spanId,
    @Nullable String parentSpanId,
    String service,
    String operation,
    Kind kind,
    Instant timestamp,
    Duration duration,
    boolean error)
    implements Signal {

  /** Span kinds, as in OpenTelemetry. */
  public enum Kind { INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER }

  public Span {
    Require.notBlank(traceId, "traceId");
    Require.notBlank(spanId, "spanId");
    Require.notBlank(service, "service");
    Require.notBlank(operation, "operation");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(timestamp, "timestamp");
    Require.notNegative(duration, "duration");
  }
}
