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
  private final Set<String> custom;

  /** Allows the built-in kinds plus {@code customKinds} (which may not reuse a built-in name). */
  public ActionCatalogGuardrail(Set<String> customKinds) {
    for (String k : customKinds) {
      if (BUILT_IN_KINDS.contains(k)) {
        throw new IllegalArgumentException("custom action kind must not reuse a built-in kind " + BUILT_IN_KINDS
            + ", but was '" + k + "'");
      }
    }
    Set<String> all = new TreeSet<>(BUILT_IN_KINDS);
    all.addAll(customKinds);
    this.allowed = Set.copyOf(all);
    this.custom = Set.copyOf(customKinds);
  }

  @Override
  public String name() {
    return "action-catalog";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    String kind = p.action().kind();
    if (p.action() instanceof dev.sreagent.api.model.Action.Custom && !custom.contains(kind)) {
      return GuardrailVerdict.deny(name(), "custom action '" + kind + "' is not a registered custom kind "
          + new TreeSet<>(custom) + (BUILT_IN_KINDS.contains(kind) ? " (it impersonates a built-in action)" : ""));
    }
    return allowed.contains(kind)
        ? GuardrailVerdict.allow(name(), kind + " is in the catalog")
        : GuardrailVerdict.deny(name(), "'" + kind + "' is not in the action catalog " + new TreeSet<>(allowed));
  }
}
