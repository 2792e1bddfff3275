package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.ProposedAction;
import dev.sreagent.api.port.Guardrail;
import java.time.Instant;
import java.util.List;

/** Helpers shared by the built-in guardrails. */
abstract class BuiltInGuardrail implements Guardrail {
  static List<ExecutedAction> since(ProposedAction p, Instant from) {
    return p.history().stream().filter(e -> !e.at().isBefore(from)).toList();
  }

  static int podsRestarted(List<ExecutedAction> actions) {
    int n = 0;
    for (ExecutedAction e : actions) {
      if (e.action() instanceof Action.RestartPods r) {
        n += r.pods().size();
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return name();
  }
}
