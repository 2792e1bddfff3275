package dev.sreagent.api.model;

import java.util.List;
import java.util.Objects;

/**
 * A reasoner's diagnosis: ranked hypotheses (best first), each citing knowledge, and an explained confidence.
 *
 * @param hypotheses ranked best first; never empty
 * @param confidence overall confidence with its breakdown
 * @param reasoner the name of the reasoner that produced it
 */
public record Diagnosis(List<Hypothesis> hypotheses, Confidence confidence, String reasoner) {
  public Diagnosis {
    hypotheses = List.copyOf(Objects.requireNonNull(hypotheses, "hypotheses"));
    if (hypotheses.isEmpty()) {
      throw new IllegalArgumentException("hypotheses must not be empty, but was []");
    }
    Objects.requireNonNull(confidence, "confidence");
    Checks.notBlank(reasoner, "reasoner");
  }

  /** The most likely hypothesis. */
  public Hypothesis top() {
    return hypotheses.get(0);
  }
}
