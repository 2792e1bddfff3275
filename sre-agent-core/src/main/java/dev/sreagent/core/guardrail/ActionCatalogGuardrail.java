package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import java.util.Set;
import java.util.TreeSet;

/** Nothing outside the action catalog ever runs: a reasoner that proposes anything else is refused. */
public final class ActionCatalogGuardrail extends BuiltInGuardrail {
  /** Kinds of the built-in actions. */
  public static final Set<String> BUILT_IN_KINDS =
      Set.of("restart-pods", "scale-out", "scale-in", "rollback", "truncate-logs", "renew-certificate");

  private final Set<String> allowed;

  /** Allows the built-in kinds plus {@code customKinds}. */
  public ActionCatalogGuardrail(Set<String> customKinds) {
    Set<String> all = new TreeSet<>(BUILT_IN_KINDS);
    all.addAll(customKinds);
    this.allowed = Set.copyOf(all);
  }

  @Override
  public String name() {
    return "action-catalog";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    String kind = p.action().kind();
    return allowed.contains(kind)
        ? GuardrailVerdict.allow(name(), kind + " is in the catalog")
        : GuardrailVerdict.deny(name(), "'" + kind + "' is not in the action catalog " + new TreeSet<>(allowed));
  }
}
