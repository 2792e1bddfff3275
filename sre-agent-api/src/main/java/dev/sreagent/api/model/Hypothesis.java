package dev.sreagent.api.model;

import java.util.List;
import java.util.Objects;

/**
 * One candidate explanation of an incident.
 *
 * @param cause short statement of the cause
 * @param likelihood the reasoner's probability estimate in [0, 1]
 * @param rationale why: the evidence that supports it
 * @param citations the knowledge it relied on
 */
public record Hypothesis(String cause, double likelihood, String rationale, List<Citation> citations) {
  public Hypothesis {
    Checks.notBlank(cause, "cause");
    Checks.unit(likelihood, "likelihood");
    Objects.requireNonNull(rationale, "rationale");
    citations = List.copyOf(Objects.requireNonNull(citations, "citations"));
  }
}
