package dev.sreagent.api.spi;

import dev.sreagent.api.config.ConfigView;

/**
 * What every SPI provider is: a named factory of one port's implementations, found with
 * {@link java.util.ServiceLoader} in {@code META-INF/services/<the sub-interface's name>} (for example
 * {@code dev.sreagent.api.spi.NotifierProvider}). An explicit builder call always wins over discovery, and
 * {@code setDiscovery(false)} turns discovery off except for providers configuration names.
 *
 * <p>How the builder uses each kind: detectors, guardrails and notifiers from every provider found (in
 * {@link #order()}); executors from every provider when none was given to the builder; one knowledge base and one
 * reasoner (the provider named by {@code sre-agent.knowledge-base} / {@code sre-agent.reasoner}, else the first);
 * telemetry sources only those named by {@code sre-agent.telemetry-sources} (a comma-separated list). A provider that
 * {@link #onlyWhenNamed()} is never used just because it is on the class path.
 *
 * @param <T> the port it creates
 */
public interface Provider<T> {
  /** Name used in configuration and error messages. */
  String name();

  /** Lower runs first where several providers contribute. */
  default int order() {
    return 0;
  }

  /**
   * Whether this provider is used only when configuration names it, never just because it is on the class path
   * (for implementations that send data out or connect to something, such as language models).
   */
  default boolean onlyWhenNamed() {
    return false;
  }

  /** Creates the instance. Throw {@link dev.sreagent.api.config.ConfigurationException} for bad settings. */
  T create(ConfigView config);
}
