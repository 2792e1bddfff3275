package dev.sreagent.api.spi;

import dev.sreagent.api.port.CallGraph;
import dev.sreagent.api.port.Correlator;
import dev.sreagent.api.port.Detector;
import java.util.List;

/**
 * The agent's defaults for what the builder was not given: the built-in detectors, the correlator, the learned
 * call graph and the root-cause ranking. {@code sre-agent-detect} provides them; the core finds them with {@link java.util.ServiceLoader}
 * (registered in {@code META-INF/services/dev.sreagent.api.spi.BuiltInComponents}) whether or not discovery of other
 * providers is on, so that it needs no compile-time dependency on an implementation. Each call returns new instances.
 */
public interface BuiltInComponents {
  /**
   * The built-in detectors (memory pressure, latency, error rate, disk exhaustion, certificate expiry, CPU saturation,
   * external alerts).
   */
  List<Detector> detectors();

  /**
   * The built-in detectors with the settings {@code config} gives (the agent's configuration, {@code detect.*} keys in
   * {@code sre-agent-detect}); by default {@link #detectors()}.
   *
   * @throws dev.sreagent.api.config.ConfigurationException listing every bad value, each with its key and the fix
   */
  default List<Detector> detectors(dev.sreagent.api.config.ConfigView config) {
    return detectors();
  }

  /** The default correlator. */
  Correlator correlator();

  /** The default call graph learned from spans. */
  CallGraph callGraph();

  /** The default ranking of an incident's root-cause candidates; by default none. */
  default dev.sreagent.api.port.RootCauseRanking rootCauseRanking() {
    return dev.sreagent.api.port.RootCauseRanking.noop();
  }

  /**
   * The ranking with the settings {@code config} gives ({@code detect.ranking.*} keys in {@code sre-agent-detect}); by
   * default {@link #rootCauseRanking()}.
   *
   * @throws dev.sreagent.api.config.ConfigurationException listing every bad value, each with its key and the fix
   */
  default dev.sreagent.api.port.RootCauseRanking rootCauseRanking(dev.sreagent.api.config.ConfigView config) {
    return rootCauseRanking();
  }
}
