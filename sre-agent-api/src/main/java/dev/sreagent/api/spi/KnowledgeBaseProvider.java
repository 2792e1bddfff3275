package dev.sreagent.api.spi;

import dev.sreagent.api.port.KnowledgeBase;

/**
 * Creates a {@link KnowledgeBase} for the agent. Register implementations in
 * {@code META-INF/services/dev.sreagent.api.spi.KnowledgeBaseProvider}; an explicit builder call always wins over
 * discovery.
 */
public interface KnowledgeBaseProvider extends Provider<KnowledgeBase> {}
