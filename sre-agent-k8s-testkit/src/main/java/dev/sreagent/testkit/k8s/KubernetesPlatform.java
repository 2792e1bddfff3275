package dev.sreagent.testkit.k8s;

import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.k8s.KubernetesCertificateExecutor;
import dev.sreagent.k8s.KubernetesLogTruncateExecutor;
import dev.sreagent.k8s.KubernetesRestartExecutor;
import dev.sreagent.k8s.KubernetesRollbackExecutor;
import dev.sreagent.k8s.KubernetesScaleExecutor;
import dev.sreagent.k8s.KubernetesTopology;
import dev.sreagent.k8s.NamespacePolicy;
import dev.sreagent.testkit.FirstSupportingExecutor;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.SimulationHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs a {@link SimulationHarness} through a Kubernetes API: the harness's cluster is published by a
 * {@link KubernetesSimulation}, the agent reads its topology from {@link KubernetesTopology} (informers on that API)
 * and acts only through the Kubernetes executors of {@code sre-agent-k8s}; the simulation's own executor is not
 * given to the agent. Telemetry (metrics, logs, spans) still comes from the simulation, as it would come from
 * Prometheus or OpenTelemetry next to a real cluster.
 *
 * <pre>{@code
 * SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS);
 * try (KubernetesPlatform k8s = KubernetesPlatform.install(b); SimulationHarness h = b.build()) {
 *   h.inject(Fault.memoryLeak("cart", 0.02));
 *   h.runFor(Duration.ofMinutes(30));
 *   k8s.simulation().client().pods().inNamespace("shop").list();  // what the API holds now
 * }
 * }</pre>
 *
 * <p>After each step the API is brought up to date and the harness waits (up to {@link #CACHE_WAIT} of real time)
 * until the topology's informer caches show every service's replicas, pods and revision, so a tick never reads a
 * half-delivered watch stream.
 *
 * <p>Actions run on {@value #ACTION_THREADS} threads of the agent's own
 * ({@code SimulationHarness.Builder.setActionThreads}), not on the loop's thread: the restart executor waits between
 * evictions for the replacement to be ready, and after a rolling restart for the rollout, on the simulation's virtual
 * clock, which moves only when the harness steps; on the loop's thread such a wait would block the tick itself until
 * the executor policy's time limit (real time), then end as a timeout. With threads an action's result is applied on
 * the first tick after it lands, as in production, and the harness steps while it waits; runs are no longer exactly
 * repeatable. To choose another number, call {@code setActionThreads} after {@code install} (0 only where no action
 * waits).
 */
public final class KubernetesPlatform implements AutoCloseable {
  /** The longest real time a step waits for the informers to catch up with the API. */
  public static final Duration CACHE_WAIT = Duration.ofSeconds(10);
  /** The threads {@link #install} gives the agent's actions. */
  public static final int ACTION_THREADS = 2;

  private volatile KubernetesSimulation simulation;
  private volatile KubernetesTopology topology;
  private volatile ActionExecutor executors;

  private KubernetesPlatform() {}

  /**
   * Configures {@code harness} to run through a Kubernetes API (its executor wrapper, advance listener, an added
   * agent customizer and {@value #ACTION_THREADS} action threads); the API starts when the harness is built.
   */
  public static KubernetesPlatform install(SimulationHarness.Builder harness) {
    KubernetesPlatform p = new KubernetesPlatform();
    harness.setActionThreads(ACTION_THREADS)
        .setExecutorWrapper(simulated -> p.executors(simulated.cluster()))
        .setAdvanceListener(cluster -> p.step())
        .addAgentCustomizer(agent -> agent.setTopologyProvider(p.topology));
    return p;
  }

  /** The API and its simulation (after the harness was built). */
  public KubernetesSimulation simulation() {
    return Objects.requireNonNull(simulation, "the harness has not been built yet");
  }

  private synchronized ActionExecutor executors(SimulatedCluster cluster) {
    if (simulation == null) {
      simulation = KubernetesSimulation.start(cluster);
      var client = simulation.client();
      NamespacePolicy shop = NamespacePolicy.allowing(Set.of(simulation.namespace()));
      executors = new FirstSupportingExecutor(List.of(
          KubernetesRestartExecutor.builder(client).setNamespaces(shop).setClock(cluster.clock()).build(),
          KubernetesScaleExecutor.builder(client).setNamespaces(shop).setClock(cluster.clock()).build(),
          KubernetesRollbackExecutor.builder(client).setNamespaces(shop).setClock(cluster.clock()).build(),
          KubernetesLogTruncateExecutor.builder(client).setNamespaces(shop).setClock(cluster.clock()).build(),
          KubernetesCertificateExecutor.builder(client).setNamespaces(shop).setClock(cluster.clock()).build()));
      topology = KubernetesTopology.builder(client).setNamespaces(Set.of(simulation.namespace())).start();
      awaitCaches();
    }
    return executors;
  }

  private void step() {
    simulation.sync();
    awaitCaches();
  }

  /** Waits until the topology's caches show what the simulation published. */
  private void awaitCaches() {
    long deadline = System.nanoTime() + CACHE_WAIT.toNanos();
    String lag;
    while ((lag = lag()) != null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the informers did not catch up with the API within " + CACHE_WAIT + ": "
            + lag + "; " + watches());
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the informers", e);
      }
    }
  }

  /**
   * The watch requests the API received, per resource (more than one for a resource is a watch that closed and was
   * reopened: the CRUD mock does not replay what happened in between): what to read when the caches fell behind.
   */
  private String watches() {
    Map<String, Long> perPath = new java.util.TreeMap<>();
    simulation.api().exchanges().stream().filter(e -> e.path().contains("watch=true"))
        .forEach(e -> perPath.merge(e.path().substring(0, e.path().indexOf('?')), 1L, Long::sum));
    return "watch requests per resource: " + perPath;
  }

  private String lag() {
    Map<String, ServiceInfo> seen = topology.topology().services();
    for (ServiceInfo s : simulation.cluster().topology().services().values()) {
      ServiceInfo k = seen.get(s.name());
      if (k == null) {
        return "no service " + s.name();
      }
      if (k.replicas() != s.replicas() || !Set.copyOf(k.pods()).equals(Set.copyOf(s.pods()))
          || !k.currentRevision().equals(simulation.revisionNumber(s.name()))) {
        return s.name() + " is " + k.replicas() + " replicas, revision " + k.currentRevision() + ", pods "
            + k.pods() + " in the cache; the simulation has " + s.replicas() + ", revision "
            + simulation.revisionNumber(s.name()) + ", pods " + s.pods();
      }
    }
    return null;
  }

  @Override
  public void close() {
    if (topology != null) {
      topology.close();
    }
    if (simulation != null) {
      simulation.close();
    }
  }
}
