package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.Objects;

/**
 * One entry of an incident's ranked root-cause list: a service that may be where the incident starts, the signal that
 * points at it, how strongly, and why.
 *
 * @param service the candidate service
 * @param signal the signal behind its score (a {@link MetricNames} name or any metric the agent receives)
 * @param score how far that signal moved from the service's own recent baseline after the onset, in robust standard
 *     deviations (0 or more; larger is stronger)
 * @param evidence a short human explanation: the value against the baseline and where the service sits in the call
 *     graph
 * @param faultClass the kind of fault its signals point at ({@link FaultClass#UNKNOWN} when none; null, as in records
 *     written before it existed, reads as unknown)
 */
public record RootCandidate(String service, String signal, double score, String evidence, FaultClass faultClass) {
  public RootCandidate {
    Require.notBlank(service, "service");
    Require.notBlank(signal, "signal");
    Require.atLeast(Require.finite(score, "score"), 0.0, "score");
    Objects.requireNonNull(evidence, "evidence");
    faultClass = faultClass == null ? FaultClass.UNKNOWN : faultClass;
  }

  /** A candidate whose fault class is not known. */
  public RootCandidate(String service, String signal, double score, String evidence) {
    this(service, signal, score, evidence, FaultClass.UNKNOWN);
  }
}
