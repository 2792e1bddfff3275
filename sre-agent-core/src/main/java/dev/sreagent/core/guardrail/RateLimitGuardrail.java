package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import java.time.Duration;

/** Ceilings on actions per hour: globally (default 20) and per namespace (default 10). */
public final class RateLimitGuardrail extends BuiltInGuardrail {
  private final int maxPerHour;
  private final int maxPerNamespacePerHour;

  public RateLimitGuardrail(int maxPerHour) {
    this(maxPerHour, maxPerHour);
  }

  public RateLimitGuardrail(int maxPerHour, int maxPerNamespacePerHour) {
    this.maxPerHour = maxPerHour;
    this.maxPerNamespacePerHour = maxPerNamespacePerHour;
  }

  @Override
  public String name() {
    return "global-rate-limit";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    var lastHour = since(p, p.now().minus(Duration.ofHours(1)));
    int recent = lastHour.size();
    String numbers = recent + " actions in the last hour, limit " + maxPerHour;
    if (recent >= maxPerHour) {
      return GuardrailVerdict.deny(name(), numbers);
    }
    String ns = namespaceOf(p, p.action().service());
    if (ns != null) {
      long inNs = lastHour.stream().filter(e -> ns.equals(namespaceOf(p, e.action().service()))).count();
      if (inNs >= maxPerNamespacePerHour) {
        return GuardrailVerdict.deny(name(), inNs + " actions in namespace " + ns + " in the last hour, limit "
            + maxPerNamespacePerHour);
      }
      numbers += "; " + inNs + " in namespace " + ns + ", limit " + maxPerNamespacePerHour;
    }
    return GuardrailVerdict.allow(name(), numbers);
  }

  private static @org.jspecify.annotations.Nullable String namespaceOf(ProposedAction p, String service) {
    return p.topology().service(service).map(s -> s.namespace()).orElse(null);
  }
}
