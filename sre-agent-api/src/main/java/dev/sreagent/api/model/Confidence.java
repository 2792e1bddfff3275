package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.Map;
import java.util.Objects;

/**
 * How sure a diagnosis is, and why.
 *
 * @param score overall confidence in [0, 1]
 * @param factors the contributing factors, each in [0, 1] (for example {@code evidence}, {@code knowledge})
 * @param explanation one sentence that explains the score
 */
public record Confidence(double score, Map<String, Double> factors, String explanation) {
  public Confidence {
    Require.unit(score, "score");
    factors = Map.copyOf(Objects.requireNonNull(factors, "factors"));
    factors.forEach((k, v) -> Require.unit(v, "factors." + k));
    Objects.requireNonNull(explanation, "explanation");
  }
}
