package dev.sreagent.api.model;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an investigation gathered about an incident.
 *
 * @param metrics summaries of the affected services' series
 * @param recentChanges change events of the affected services before the incident, newest first
 * @param logExcerpts representative log lines (or templates with counts)
 * @param neighbours services adjacent to the affected ones in the dependency graph
 */
public record Evidence(List<MetricWindow> metrics, List<ChangeEvent> recentChanges, List<String> logExcerpts,
    Set<String> neighbours) {
  public Evidence {
    metrics = List.copyOf(Objects.requireNonNull(metrics, "metrics"));
    recentChanges = List.copyOf(Objects.requireNonNull(recentChanges, "recentChanges"));
    logExcerpts = List.copyOf(Objects.requireNonNull(logExcerpts, "logExcerpts"));
    neighbours = Set.copyOf(Objects.requireNonNull(neighbours, "neighbours"));
  }

  /** No evidence at all. */
  public static Evidence empty() {
    return new Evidence(List.of(), List.of(), List.of(), Set.of());
  }
}
