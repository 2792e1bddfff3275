package dev.sreagent.api.port;

import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;

/**
 * A safety policy. Stateless: everything it needs is in the {@link ProposedAction}. Every verdict other than
 * allow names this policy and the numbers behind the decision.
 */
public interface Guardrail {
  /** Policy name, quoted in verdicts and the audit log. */
  String name();

  /** Evaluates one proposed action. */
  GuardrailVerdict evaluate(ProposedAction proposal);
}
