package dev.sreagent.api.spi;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.port.Notifier;

/**
 * Creates a {@link Notifier} for the agent. Register implementations in
 * {@code META-INF/services/dev.sreagent.api.spi.NotifierProvider}; an explicit builder call always wins over
 * discovery.
 */
public interface NotifierProvider {
  /** Name used in configuration and error messages. */
  String name();

  /** Lower runs first where several providers contribute. */
  default int order() {
    return 0;
  }

  /** Creates the instance. Throw {@link dev.sreagent.api.config.ConfigurationException} for bad settings. */
  Notifier create(ConfigView config);
}
