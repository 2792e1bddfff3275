package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import dev.sreagent.api.model.ServiceInfo;
import java.util.Optional;

/**
 * Scale-out is bounded by the workload's HPA maximum and the configured replica ceiling; any scale must start from
 * the replica count running now (a stale plan is refused).
 */
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
    if (!(p.action() instanceof Action.ScaleReplicas s)) {
      return GuardrailVerdict.allow(name(), "not a scale");
    }
    Optional<ServiceInfo> info = p.topology().service(s.service());
    if (info.isEmpty()) {
      return GuardrailVerdict.deny(name(), "service '" + s.service() + "' is unknown; its ceiling cannot be checked");
    }
    if (info.get().replicas() != s.fromReplicas()) {
      return GuardrailVerdict.deny(name(), s.service() + " now runs " + info.get().replicas() + " replicas, not "
          + s.fromReplicas() + "; the plan is stale");
    }
    if (s.toReplicas() <= s.fromReplicas()) {
      return GuardrailVerdict.allow(name(), "scale-in of " + s.service() + " to " + s.toReplicas());
    }
    int limit = Math.min(info.get().maxReplicas(), ceiling);
    String numbers = s.service() + ": " + s.fromReplicas() + " -> " + s.toReplicas() + " replicas, limit "
        + limit + " (HPA max " + info.get().maxReplicas() + ", ceiling " + ceiling + ")";
    return s.toReplicas() <= limit ? GuardrailVerdict.allow(name(), numbers) : GuardrailVerdict.deny(name(), numbers);
  }
}
