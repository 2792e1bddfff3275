package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import java.time.Duration;

/** A global ceiling on actions per hour (default 20). */
public final class RateLimitGuardrail extends BuiltInGuardrail {
  private final int maxPerHour;

  public RateLimitGuardrail(int maxPerHour) {
    this.maxPerHour = maxPerHour;
  }

  @Override
  public String name() {
    return "global-rate-limit";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    int recent = since(p, p.now().minus(Duration.ofHours(1))).size();
    String numbers = recent + " actions in the last hour, limit " + maxPerHour;
    return recent < maxPerHour ? GuardrailVerdict.allow(name(), numbers) : GuardrailVerdict.deny(name(), numbers);
  }
}
