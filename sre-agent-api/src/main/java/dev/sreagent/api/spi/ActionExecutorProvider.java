package dev.sreagent.api.spi;

import dev.sreagent.api.port.ActionExecutor;

/**
 * Creates a {@link ActionExecutor} for the agent. Register implementations in
 * {@code META-INF/services/dev.sreagent.api.spi.ActionExecutorProvider}; an explicit builder call always wins over
 * discovery.
 */
public interface ActionExecutorProvider extends Provider<ActionExecutor> {}
