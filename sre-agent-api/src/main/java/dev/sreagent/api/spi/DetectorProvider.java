package dev.sreagent.api.spi;

import dev.sreagent.api.port.Detector;

/**
 * Creates a {@link Detector} for the agent. Register implementations in
 * {@code META-INF/services/dev.sreagent.api.spi.DetectorProvider}; an explicit builder call always wins over
 * discovery.
 */
public interface DetectorProvider extends Provider<Detector> {}
