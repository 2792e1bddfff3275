package dev.sreagent.api.model;

import java.util.List;
import java.util.Objects;

/**
 * The safety gate's answer for a whole plan: the phase rules combined with every guardrail verdict.
 *
 * @param outcome what happens to the plan
 * @param phase the phase in force for the incident type
 * @param verdicts every guardrail verdict for every action, in order
 * @param reason one sentence that explains the outcome
 */
public record SafetyDecision(Outcome outcome, Phase phase, List<GuardrailVerdict> verdicts, String reason) {
  /** What happens to a plan. */
  public enum Outcome {
    /** Run now. */
    EXECUTE,
    /** Wait for an authorised human approval. */
    NEEDS_APPROVAL,
    /** Record the intended actions only (OBSERVE phase). */
    SHADOW,
    /** Refuse and escalate to humans. */
    DENY
  }

  public SafetyDecision {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(phase, "phase");
    verdicts = List.copyOf(Objects.requireNonNull(verdicts, "verdicts"));
    Objects.requireNonNull(reason, "reason");
  }
}
