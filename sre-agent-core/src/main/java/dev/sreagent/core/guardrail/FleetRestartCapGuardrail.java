package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import java.time.Duration;

/** Never restart more than a fraction of the fleet (default 10%) within a sliding window (default 10 minutes). */
public final class FleetRestartCapGuardrail extends BuiltInGuardrail {
  private final double fraction;
  private final Duration window;

  public FleetRestartCapGuardrail(double fraction, Duration window) {
    this.fraction = fraction;
    this.window = window;
  }

  @Override
  public String name() {
    return "fleet-restart-cap";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    if (!(p.action() instanceof Action.RestartPods r)) {
      return GuardrailVerdict.allow(name(), "not a restart");
    }
    int fleet = p.topology().fleetSize();
    int cap = (int) Math.floor(fraction * fleet);
    int recent = podsRestarted(since(p, p.now().minus(window)));
    int total = recent + r.pods().size();
    String numbers = String.format("%d pods restarted in the last %d min + %d proposed = %d; cap is %.0f%% of %d"
        + " pods = %d", recent, window.toMinutes(), r.pods().size(), total, fraction * 100, fleet, cap);
    return total <= cap ? GuardrailVerdict.allow(name(), numbers) : GuardrailVerdict.deny(name(), numbers);
  }
}
