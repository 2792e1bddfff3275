package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import dev.sreagent.api.model.ServiceInfo;
import java.util.Optional;

/**
 * A rolling restart takes one pod down at a time, so it needs {@code replicas - 1 >= minAvailable}; a scale-in
 * must not go below {@code minAvailable}. Unknown services are denied: the budget cannot be checked.
 */
public final class PodDisruptionBudgetGuardrail extends BuiltInGuardrail {
  @Override
  public String name() {
    return "pod-disruption-budget";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    Action a = p.action();
    if (!(a instanceof Action.RestartPods) && !(a instanceof Action.ScaleReplicas)) {
      return GuardrailVerdict.allow(name(), "does not take pods down");
    }
    Optional<ServiceInfo> info = p.topology().service(a.service());
    if (info.isEmpty()) {
      return GuardrailVerdict.deny(name(), "service '" + a.service() + "' is unknown; its budget cannot be checked");
    }
    ServiceInfo s = info.get();
    if (a instanceof Action.RestartPods r) {
      for (String pod : r.pods()) {
        if (!s.pods().contains(pod)) {
          return GuardrailVerdict.deny(name(), "pod '" + pod + "' is not a current pod of " + s.name());
        }
      }
      int availableDuring = s.replicas() - 1;
      String numbers = s.name() + ": " + s.replicas() + " replicas, 1 down at a time leaves " + availableDuring
          + ", minAvailable " + s.minAvailable();
      return availableDuring >= s.minAvailable()
          ? GuardrailVerdict.allow(name(), numbers) : GuardrailVerdict.deny(name(), numbers);
    }
    Action.ScaleReplicas sc = (Action.ScaleReplicas) a;
    String numbers = s.name() + ": scale to " + sc.toReplicas() + ", minAvailable " + s.minAvailable();
    return sc.toReplicas() >= s.minAvailable()
        ? GuardrailVerdict.allow(name(), numbers) : GuardrailVerdict.deny(name(), numbers);
  }
}
