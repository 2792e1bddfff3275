package dev.sreagent.api.model;

import java.util.Objects;

/**
 * What a language-model call cost: tokens sent and received and the estimated price.
 *
 * @param model the model that answered
 * @param inputTokens prompt tokens, as the provider counted them
 * @param outputTokens completion tokens, as the provider counted them
 * @param costUsd estimated cost in US dollars from the configured prices (0 when unknown)
 */
public record TokenUsage(String model, long inputTokens, long outputTokens, double costUsd) {
  public TokenUsage {
    Checks.notBlank(model, "model");
    if (inputTokens < 0 || outputTokens < 0) {
      throw new IllegalArgumentException("token counts must not be negative, but were " + inputTokens + " / "
          + outputTokens);
    }
    Checks.finite(costUsd, "costUsd");
    Objects.requireNonNull(model, "model");
  }

  /** The sum of two usages (the model of this one). */
  public TokenUsage plus(TokenUsage other) {
    return new TokenUsage(model, inputTokens + other.inputTokens, outputTokens + other.outputTokens,
        costUsd + other.costUsd);
  }
}
