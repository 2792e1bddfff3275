package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import dev.sreagent.api.model.ServiceInfo;
import java.util.Optional;

/** Scale-out is bounded by the workload's HPA maximum and the configured replica ceiling. */
public final class ScaleCeilingGuardrail extends BuiltInGuardrail {
  private final int ceiling;

  public ScaleCeilingGuardrail(int ceiling) {
    this.ceiling = ceiling;
  }

  @Override
  public String name() {
    return "scale-ceiling";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    if (!(p.action() instanceof Action.ScaleReplicas s) || s.toReplicas() <= s.fromReplicas()) {
      return GuardrailVerdict.allow(name(), "not a scale-out");
    }
    Optional<ServiceInfo> info = p.topology().service(s.service());
    if (info.isEmpty()) {
      return GuardrailVerdict.deny(name(), "service '" + s.service() + "' is unknown; its ceiling cannot be checked");
    }
    int limit = Math.min(info.get().maxReplicas(), ceiling);
    String numbers = s.service() + ": " + s.fromReplicas() + " -> " + s.toReplicas() + " replicas, limit "
        + limit + " (HPA max " + info.get().maxReplicas() + ", ceiling " + ceiling + ")";
    if (info.get().replicas() != s.fromReplicas()) {
      return GuardrailVerdict.deny(name(), numbers + "; the service now runs " + info.get().replicas()
          + " replicas, the plan is stale");
    }
    return s.toReplicas() <= limit ? GuardrailVerdict.allow(name(), numbers) : GuardrailVerdict.deny(name(), numbers);
  }
}
