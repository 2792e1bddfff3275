package dev.sreagent.api.spi;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.port.KnowledgeBase;

/**
 * Creates a {@link KnowledgeBase} for the agent. Register implementations in
 * {@code META-INF/services/dev.sreagent.api.spi.KnowledgeBaseProvider}; an explicit builder call always wins over
 * discovery.
 */
public interface KnowledgeBaseProvider {
  /** Name used in configuration and error messages. */
  String name();

  /** Lower runs first where several providers contribute. */
  default int order() {
    return 0;
  }

  /** Creates the instance. Throw {@link dev.sreagent.api.config.ConfigurationException} for bad settings. */
  KnowledgeBase create(ConfigView config);
}
