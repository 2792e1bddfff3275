package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import java.time.Duration;

/** One restart wave per service at a time: no new restart of a service within the wave duration of the last. */
public final class RestartWaveGuardrail extends BuiltInGuardrail {
  private final Duration wave;

  public RestartWaveGuardrail(Duration wave) {
    this.wave = wave;
  }

  @Override
  public String name() {
    return "one-restart-wave";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    if (!(p.action() instanceof Action.RestartPods r)) {
      return GuardrailVerdict.allow(name(), "not a restart");
    }
    for (ExecutedAction e : since(p, p.now().minus(wave))) {
      if (e.action() instanceof Action.RestartPods prev && prev.service().equals(r.service())) {
        return GuardrailVerdict.deny(name(), "a restart wave of " + r.service() + " started at " + e.at()
            + " is within the " + wave.toMinutes() + " min wave window");
      }
    }
    return GuardrailVerdict.allow(name(), "no restart wave of " + r.service() + " in progress");
  }
}
