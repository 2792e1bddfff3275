package dev.sreagent.testkit.aws;

import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.FirstSupportingExecutor;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.SimulationHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Runs a {@link SimulationHarness} on ECS: the harness's cluster is published by an {@link EcsSimulation}, and the
 * agent reads its topology and acts only through the hands {@code sre-agent-aws} builds on the emulator's endpoint
 * (this testkit does not depend on the adapter; the caller's factory builds them, typically an {@code EcsAdapter}
 * over SDK clients pointed at {@link AwsEmulator#endpoint()} with its keys). Telemetry still comes from the simulation.
 *
 * <pre>{@code
 * SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS);
 * EcsPlatform ecs = EcsPlatform.install(b, (aws, clock) -> {
 *   EcsAdapter a = EcsAdapter.builder(ecsClientFor(aws)).setClusters(List.of(EcsSimulation.CLUSTER))
 *       .setClock(clock).setAutoScaling(...).start();
 *   return new EcsPlatform.Hands(() -> a.topology().topology(), a.topology()::refresh, a.executors(), a);
 * });
 * }</pre>
 *
 * <p>After each step the simulation is published, and the topology read again when the API changed
 * ({@link EcsSimulation#publications()}; a 30-second poll in production). Actions run on {@value #ACTION_THREADS}
 * threads of the agent's own, since the executors wait for rollouts and replacements on the simulation's clock.
 */
public final class EcsPlatform implements AutoCloseable {
  /** The threads {@link #install} gives the agent's actions. */
  public static final int ACTION_THREADS = 2;

  /**
   * What the agent gets: its topology, how to read it again, its executors, and what to close afterwards.
   *
   * @param topology the topology as last read
   * @param refresh reads the API again
   * @param executors the executors the agent acts through
   * @param resources closed with the platform (clients, the adapter)
   */
  public record Hands(Supplier<Topology> topology, Runnable refresh, List<ActionExecutor> executors,
      AutoCloseable... resources) {
    public Hands {
      Objects.requireNonNull(topology, "topology");
      Objects.requireNonNull(refresh, "refresh");
      executors = List.copyOf(executors);
    }
  }

  private final BiFunction<AwsEmulator, Clock, Hands> factory;
  private volatile EcsSimulation simulation;
  private volatile Hands hands;
  private volatile ActionExecutor executor;
  private long read = -1;

  private EcsPlatform(BiFunction<AwsEmulator, Clock, Hands> factory) {
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /**
   * Configures {@code harness} to run on ECS (its executor wrapper, advance listener, an added agent customizer and
   * {@value #ACTION_THREADS} action threads); the emulator starts when the harness is built and {@code factory}
   * builds the agent's hands on it.
   */
  public static EcsPlatform install(SimulationHarness.Builder harness,
      BiFunction<AwsEmulator, Clock, Hands> factory) {
    EcsPlatform p = new EcsPlatform(factory);
    harness.setActionThreads(ACTION_THREADS)
        .setExecutorWrapper(simulated -> p.executor(simulated.cluster()))
        .setAdvanceListener(cluster -> p.step())
        .addAgentCustomizer(agent -> agent.setTopologyProvider(() -> p.hands.topology().get()));
    return p;
  }

  /** The emulated API and its simulation (after the harness was built). */
  public EcsSimulation simulation() {
    return Objects.requireNonNull(simulation, "the harness has not been built yet");
  }

  private synchronized ActionExecutor executor(SimulatedCluster cluster) {
    if (simulation == null) {
      simulation = EcsSimulation.start(cluster);
      hands = factory.apply(simulation.aws(), cluster.clock());
      read = simulation.publications();
      executor = new FirstSupportingExecutor(hands.executors());
    }
    return executor;
  }

  private void step() {
    simulation.sync();
    long now = simulation.publications();
    synchronized (this) {
      if (now == read) {
        return;
      }
      read = now;
    }
    hands.refresh().run();
  }

  @Override
  public void close() {
    List<Exception> failures = new ArrayList<>();
    if (hands != null) {
      for (AutoCloseable c : hands.resources()) {
        try {
          c.close();
        } catch (Exception e) {
          failures.add(e);
        }
      }
    }
    if (simulation != null) {
      simulation.close();
    }
    if (!failures.isEmpty()) {
      IllegalStateException e = new IllegalStateException("closing the ECS platform failed: " + failures.get(0));
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }
}
