package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One candidate explanation of an incident.
 *
 * @param cause short statement of the cause
 * @param likelihood the reasoner's probability estimate in [0, 1]
 * @param rationale why: the evidence that supports it
 * @param citations the knowledge it relied on
 * @param type the incident type this cause makes the incident, when the evidence shows the detected type was only a
 *     symptom (errors from a saturated service are a capacity problem: {@link IncidentType#HIGH_LATENCY}); null to
 *     keep the detected type. The agent re-types the incident when the top hypothesis names a type.
 */
public record Hypothesis(String cause, double likelihood, String rationale, List<Citation> citations,
    @Nullable IncidentType type) {
  public Hypothesis {
    Require.notBlank(cause, "cause");
    Require.unit(likelihood, "likelihood");
    Objects.requireNonNull(rationale, "rationale");
    citations = List.copyOf(Objects.requireNonNull(citations, "citations"));
  }

  /** A hypothesis that keeps the detected incident type. */
  public Hypothesis(String cause, double likelihood, String rationale, List<Citation> citations) {
    this(cause, likelihood, rationale, citations, null);
  }
}
