package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import java.util.Objects;

/** Denies everything while the kill switch is engaged. */
public final class KillSwitchGuardrail extends BuiltInGuardrail {
  private final KillSwitch killSwitch;

  public KillSwitchGuardrail(KillSwitch killSwitch) {
    this.killSwitch = Objects.requireNonNull(killSwitch, "killSwitch");
  }

  @Override
  public String name() {
    return "kill-switch";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    String why = killSwitch.reason();
    return why == null
        ? GuardrailVerdict.allow(name(), "not engaged")
        : GuardrailVerdict.deny(name(), "kill switch engaged: " + why);
  }
}
