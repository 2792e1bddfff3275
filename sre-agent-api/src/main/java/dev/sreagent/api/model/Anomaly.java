package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Objects;

/**
 * A detector's finding: one signal of one resource misbehaves.
 *
 * @param type the incident type this anomaly suggests
 * @param service the service it belongs to
 * @param resource the resource within the service (pod, host:path, certificate, a call edge {@code caller->callee}),
 *     or the service itself
 * @param signal the metric or event that triggered it
 * @param observed the value that crossed the threshold
 * @param threshold the threshold in force when it fired
 * @param score anomaly strength in [0, 1]
 * @param severity suggested severity
 * @param startedAt when the condition began (start of the sustain window)
 * @param detectedAt when the detector fired
 * @param summary a one-line human explanation
 */
public record Anomaly(
    IncidentType type,
    String service,
    String resource,
    String signal,
    double observed,
    double threshold,
    double score,
    Severity severity,
    Instant startedAt,
    Instant detectedAt,
    String summary) {
  public Anomaly {
    Objects.requireNonNull(type, "type");
    Require.notBlank(service, "service");
    Require.notBlank(resource, "resource");
    Require.notBlank(signal, "signal");
    Require.finite(observed, "observed");
    Require.finite(threshold, "threshold");
    Require.unit(score, "score");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(detectedAt, "detectedAt");
    Objects.requireNonNull(summary, "summary");
    if (detectedAt.isBefore(startedAt)) {
      throw new IllegalArgumentException(
          "detectedAt must not be before startedAt (" + startedAt + "), but was " + detectedAt);
    }
  }

  /** Identity used for de-duplication: the same type on the same resource is the same anomaly. */
  public String key() {
    return type.name() + "|" + service + "|" + resource;
  }
}
