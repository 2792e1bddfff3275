package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;

/** A diagnosis below the confidence floor (default 0.5) may not act without a human, whatever the phase. */
public final class ConfidenceGuardrail extends BuiltInGuardrail {
  private final double min;

  public ConfidenceGuardrail(double min) {
    this.min = min;
  }

  @Override
  public String name() {
    return "diagnosis-confidence";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    var d = p.incident().diagnosis();
    if (d == null) {
      return GuardrailVerdict.needsApproval(name(), "no diagnosis");
    }
    double c = d.confidence().score();
    String numbers = String.format("confidence %.2f, floor %.2f", c, min);
    return c >= min ? GuardrailVerdict.allow(name(), numbers) : GuardrailVerdict.needsApproval(name(), numbers);
  }
}
