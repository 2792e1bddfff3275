package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A reasoner's diagnosis: ranked hypotheses (best first), each citing knowledge, and an explained confidence.
 *
 * @param hypotheses ranked best first; never empty
 * @param confidence overall confidence with its breakdown
 * @param reasoner the name of the reasoner that produced it
 * @param usage the language-model tokens the diagnosis cost, or null (offline reasoners)
 */
public record Diagnosis(List<Hypothesis> hypotheses, Confidence confidence, String reasoner,
    @Nullable TokenUsage usage) {
  public Diagnosis {
    hypotheses = List.copyOf(Objects.requireNonNull(hypotheses, "hypotheses"));
    if (hypotheses.isEmpty()) {
      throw new IllegalArgumentException("hypotheses must not be empty, but was []");
    }
    Objects.requireNonNull(confidence, "confidence");
    Require.notBlank(reasoner, "reasoner");
  }

  /** A diagnosis that cost no model tokens (an offline reasoner). */
  public Diagnosis(List<Hypothesis> hypotheses, Confidence confidence, String reasoner) {
    this(hypotheses, confidence, reasoner, null);
  }

  /** The most likely hypothesis. */
  public Hypothesis top() {
    return hypotheses.get(0);
  }
}
