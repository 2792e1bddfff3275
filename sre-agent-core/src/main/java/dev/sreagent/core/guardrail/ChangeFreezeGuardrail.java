package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Denies actions while a change freeze is in force: a configured window or one an operator declared. */
public final class ChangeFreezeGuardrail extends BuiltInGuardrail {
  private final ChangeFreezes freezes;

  /** With fixed windows only. */
  public ChangeFreezeGuardrail(List<? extends Freeze> windows) {
    this(new ChangeFreezes(windows));
  }

  /** With the agent's freezes, configured and declared at run time. */
  public ChangeFreezeGuardrail(ChangeFreezes freezes) {
    this.freezes = Objects.requireNonNull(freezes, "freezes");
  }

  @Override
  public String name() {
    return "change-freeze";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    Optional<Freeze> f = freezes.inForce(p.now());
    return f.isPresent()
        ? GuardrailVerdict.deny(name(), "change freeze '" + f.get().name() + "' (" + f.get().describe()
            + ") is in force")
        : GuardrailVerdict.allow(name(), "no freeze in force");
  }
}
