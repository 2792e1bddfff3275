package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Log truncation only under allow-listed directories (default {@code /var/log/}); paths are normalised first, so
 * {@code /var/log/../../etc} is refused.
 */
public final class TruncationAllowListGuardrail extends BuiltInGuardrail {
  private final List<String> allowList;

  public TruncationAllowListGuardrail(List<String> allowList) {
    this.allowList = List.copyOf(allowList);
  }

  /** Why {@code prefix} cannot be an allow-list entry, or null when it can. */
  static @Nullable String problemWithPrefix(@Nullable String prefix) {
    if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/") || prefix.equals("/")) {
      return "must be an absolute directory ending in '/' other than '/', but was '" + prefix + "'";
    }
    if (!Path.of(prefix).normalize().toString().equals(prefix.substring(0, prefix.length() - 1))) {
      return "must be normalised (no '.', '..' or '//'), but was '" + prefix + "'";
    }
    for (String forbidden : GuardrailLimits.FORBIDDEN_PATH_PREFIXES) {
      if (prefix.startsWith(forbidden + "/")) {
        return "must not be under the system directory " + forbidden + ", but was '" + prefix + "'";
      }
    }
    return null;
  }

  @Override
  public String name() {
    return "truncation-allow-list";
  }

  @Override
  public GuardrailVerdict evaluate(ProposedAction p) {
    if (!(p.action() instanceof Action.TruncateLogs t)) {
      return GuardrailVerdict.allow(name(), "not a truncation");
    }
    String raw = t.path();
    if (!raw.startsWith("/")) {
      return GuardrailVerdict.deny(name(), "path '" + raw + "' is not absolute");
    }
    String normalised = Path.of(raw).normalize().toString();
    String dir = normalised.endsWith("/") ? normalised : normalised + "/";
    for (String prefix : allowList) {
      if (dir.startsWith(prefix)) {
        return GuardrailVerdict.allow(name(), normalised + " is under " + prefix);
      }
    }
    return GuardrailVerdict.deny(name(), "path '" + raw + "' (normalised '" + normalised
        + "') is not under the allow-list " + allowList);
  }
}
