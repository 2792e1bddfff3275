package dev.sreagent.testkit.junit;

import dev.sreagent.testkit.SimulationHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Starts simulation harnesses for one test with the test's configuration ({@link SimulationConfig},
 * {@link SimulatedClusterTest} or the extension's own), and closes them all after the test. Resolved as a test
 * method parameter by {@link SreAgentExtension}; this is how a parameterised test gets a harness per seed.
 */
public final class Simulations implements AutoCloseable {
  private final UnaryOperator<SimulationHarness.Builder> configuration;
  private final List<SimulationHarness> started = new ArrayList<>();

  Simulations(UnaryOperator<SimulationHarness.Builder> configuration) {
    this.configuration = Objects.requireNonNull(configuration, "configuration");
  }

  /** A harness with the test's configuration. */
  public SimulationHarness start() {
    return start(b -> b);
  }

  /** A harness with the test's configuration and {@code seed}. */
  public SimulationHarness start(long seed) {
    return start(b -> b.setSeed(seed));
  }

  /** A harness with the test's configuration, then {@code customizer}'s changes. */
  public SimulationHarness start(UnaryOperator<SimulationHarness.Builder> customizer) {
    SimulationHarness h = customizer.apply(configuration.apply(SimulationHarness.builder())).build();
    synchronized (started) {
      started.add(h);
    }
    return h;
  }

  /** Closes every harness started, newest first. */
  @Override
  public void close() {
    synchronized (started) {
      for (int i = started.size() - 1; i >= 0; i--) {
        started.get(i).close();
      }
      started.clear();
    }
  }
}
