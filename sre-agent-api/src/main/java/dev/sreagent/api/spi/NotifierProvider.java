package dev.sreagent.api.spi;

import dev.sreagent.api.port.Notifier;

/**
 * Creates a {@link Notifier} for the agent. Register implementations in
 * {@code META-INF/services/dev.sreagent.api.spi.NotifierProvider}; an explicit builder call always wins over
 * discovery.
 */
public interface NotifierProvider extends Provider<Notifier> {}
