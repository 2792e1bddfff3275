package dev.sreagent.api.spi;

import dev.sreagent.api.port.Guardrail;

/**
 * Creates a {@link Guardrail} for the agent. Register implementations in
 * {@code META-INF/services/dev.sreagent.api.spi.GuardrailProvider}; an explicit builder call always wins over
 * discovery.
 */
public interface GuardrailProvider extends Provider<Guardrail> {}
