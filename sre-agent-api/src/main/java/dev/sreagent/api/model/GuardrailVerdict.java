package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.Objects;

/**
 * One guardrail's answer about one proposed action.
 *
 * @param verdict allow, needs approval, or deny
 * @param policy the name of the guardrail that decided
 * @param reason why, with the numbers involved
 */
public record GuardrailVerdict(Verdict verdict, String policy, String reason) {
  /** The possible answers, from most to least permissive. */
  public enum Verdict { ALLOW, NEEDS_APPROVAL, DENY }

  public GuardrailVerdict {
    Objects.requireNonNull(verdict, "verdict");
    Require.notBlank(policy, "policy");
    Objects.requireNonNull(reason, "reason");
  }

  /** Allowed by {@code policy}. */
  public static GuardrailVerdict allow(String policy, String reason) {
    return new GuardrailVerdict(Verdict.ALLOW, policy, reason);
  }

  /** Allowed by {@code policy} only after a human approval. */
  public static GuardrailVerdict needsApproval(String policy, String reason) {
    return new GuardrailVerdict(Verdict.NEEDS_APPROVAL, policy, reason);
  }

  /** Refused by {@code policy}. */
  public static GuardrailVerdict deny(String policy, String reason) {
    return new GuardrailVerdict(Verdict.DENY, policy, reason);
  }
}
