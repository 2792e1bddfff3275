package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import java.util.List;

/** Denies actions during change-freeze windows. */
public final class ChangeFreezeGuardrail extends BuiltInGuardrail {
  private final List<Freeze> windows;

  public ChangeFreezeGuardrail(List<? extends Freeze> windows) {
    this.windows = List.copyOf(windows);
  }

  @Override
  public String name() {
    return "change-freeze";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    for (Freeze w : windows) {
      if (w.activeAt(p.now())) {
        return GuardrailVerdict.deny(name(), "change freeze '" + w.name() + "' (" + w.describe() + ") is in force");
      }
    }
    return GuardrailVerdict.allow(name(), "no freeze in force");
  }
}
