package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import java.time.Duration;

/** No second action on the same target within the cooldown (default 15 minutes). */
public final class CooldownGuardrail extends BuiltInGuardrail {
  private final Duration cooldown;

  public CooldownGuardrail(Duration cooldown) {
    this.cooldown = cooldown;
  }

  @Override
  public String name() {
    return "target-cooldown";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    String target = p.action().target();
    for (ExecutedAction e : since(p, p.now().minus(cooldown))) {
      if (e.action().target().equals(target) && !e.incidentId().equals(p.incident().id())) {
        return GuardrailVerdict.deny(name(), target + " was acted on at " + e.at() + ", within the "
            + cooldown.toMinutes() + " min cooldown");
      }
    }
    return GuardrailVerdict.allow(name(), "no action on " + target + " in the last " + cooldown.toMinutes() + " min");
  }
}
