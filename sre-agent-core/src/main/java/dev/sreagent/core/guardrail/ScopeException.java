package dev.sreagent.core.guardrail;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An action the incident-scope guardrail allows outside an incident's blast radius. It is named, so every decision
 * that uses it quotes the name in its verdict and the audit log records it.
 *
 * <pre>{@code
 * GuardrailLimits.defaults()
 *     .withScopeException(new ScopeException("shared-db-proxy", "*", "db-proxy"));   // any action on db-proxy
 * }</pre>
 *
 * @param name quoted in verdicts, for example {@code shared-db-proxy}
 * @param actionKind the action kind it allows ({@code scale-out}, ...), or {@code *} for every kind
 * @param service the service it allows acting on
 */
public record ScopeException(String name, String actionKind, String service) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  public ScopeException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(actionKind, "actionKind");
    Objects.requireNonNull(service, "service");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-' (at most 63), but was '"
          + name + "'");
    }
    if (actionKind.isBlank()) {
      throw new IllegalArgumentException("actionKind must be an action kind or '*', but was '" + actionKind + "'");
    }
    if (service.isBlank() || service.equals("*")) {
      throw new IllegalArgumentException("service must name one service, but was '" + service + "'");
    }
  }

  /** Whether this exception covers {@code kind} on {@code service}. */
  public boolean covers(String kind, String service) {
    return this.service.equals(service) && (actionKind.equals("*") || actionKind.equals(kind));
  }
}
