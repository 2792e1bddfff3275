package dev.sreagent.api.spi;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.port.Reasoner;

/**
 * Creates a {@link Reasoner} for the agent. Register implementations in
 * {@code META-INF/services/dev.sreagent.api.spi.ReasonerProvider}; an explicit builder call always wins over
 * discovery.
 */
public interface ReasonerProvider {
  /** Name used in configuration and error messages. */
  String name();

  /** Lower runs first where several providers contribute. */
  default int order() {
    return 0;
  }

  /**
   * Whether this provider is used only when configuration names it ({@code sre-agent.reasoner=NAME}), never just
   * because it is on the class path (for reasoners that send data out, such as language models).
   */
  default boolean onlyWhenNamed() {
    return false;
  }

  /** Creates the instance. Throw {@link dev.sreagent.api.config.ConfigurationException} for bad settings. */
  Reasoner create(ConfigView config);
}
