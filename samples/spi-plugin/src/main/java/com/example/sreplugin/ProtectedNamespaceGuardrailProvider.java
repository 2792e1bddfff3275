package com.example.sreplugin;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ProposedAction;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.port.Guardrail;
import dev.sreagent.api.spi.GuardrailProvider;
import java.util.Optional;

/**
 * Denies every action on services in a protected namespace. Configuration: {@code example.protected-namespace}
 * (default {@code payments-prod}). The agent adds discovered guardrails after its built-in chain; a guardrail can
 * only add restrictions.
 */
public final class ProtectedNamespaceGuardrailProvider implements GuardrailProvider {
  @Override
  public String name() {
    return "protected-namespace";
  }

  @Override
  public Guardrail create(ConfigView config) {
    String namespace = config.get("example.protected-namespace", "payments-prod");
    if (namespace.isBlank()) {
      throw new ConfigurationException("example.protected-namespace must not be blank, but was '" + namespace
          + "'");
    }
    return new Guardrail() {
      @Override
      public String name() {
        return "protected-namespace";
      }

      @Override
      public GuardrailVerdict evaluate(ProposedAction p) {
        Optional<ServiceInfo> s = p.topology().service(p.action().service());
        if (s.isPresent() && s.get().namespace().equals(namespace)) {
          return GuardrailVerdict.deny(name(), p.action().service() + " is in the protected namespace " + namespace);
        }
        return GuardrailVerdict.allow(name(), "not in " + namespace);
      }
    };
  }
}
