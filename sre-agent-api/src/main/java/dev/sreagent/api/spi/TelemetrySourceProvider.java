package dev.sreagent.api.spi;

import dev.sreagent.api.port.TelemetrySource;

/**
 * Creates a {@link TelemetrySource} for the agent. Register implementations in
 * {@code META-INF/services/dev.sreagent.api.spi.TelemetrySourceProvider}; an explicit builder call always wins over
 * discovery.
 */
public interface TelemetrySourceProvider extends Provider<TelemetrySource> {
  /** Always: a source connects to something, so it runs only when {@code sre-agent.telemetry-sources} names it. */
  @Override
  default boolean onlyWhenNamed() {
    return true;
  }
}
