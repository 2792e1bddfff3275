package dev.sreagent.api.model;

import dev.sreagent.api.Require;
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
    Require.notBlank(model, "model");
    Require.atLeast(inputTokens, 0L, "inputTokens");
    Require.atLeast(outputTokens, 0L, "outputTokens");
    Require.finite(costUsd, "costUsd");
    Objects.requireNonNull(model, "model");
  }

  /** The sum of two usages (the model of this one). */
  public TokenUsage plus(TokenUsage other) {
    return new TokenUsage(model, inputTokens + other.inputTokens, outputTokens + other.outputTokens,
        costUsd + other.costUsd);
  }
}
