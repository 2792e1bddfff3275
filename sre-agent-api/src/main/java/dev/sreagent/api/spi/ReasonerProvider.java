package dev.sreagent.api.spi;

import dev.sreagent.api.port.Reasoner;

/**
 * Creates a {@link Reasoner} for the agent. Register implementations in
 * {@code META-INF/services/dev.sreagent.api.spi.ReasonerProvider}; an explicit builder call always wins over
 * discovery. The language-model reasoners are {@link #onlyWhenNamed()}: evidence leaves the process only when
 * {@code sre-agent.reasoner} names them.
 */
public interface ReasonerProvider extends Provider<Reasoner> {}
