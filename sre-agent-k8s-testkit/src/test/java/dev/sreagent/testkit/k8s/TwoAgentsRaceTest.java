package dev.sreagent.testkit.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.audit.AuditEvents;
import dev.sreagent.core.lock.InMemoryLockService;
import dev.sreagent.k8s.KubernetesRollbackExecutor;
import dev.sreagent.k8s.KubernetesTopology;
import dev.sreagent.k8s.NamespacePolicy;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Two agents that do not coordinate (each with a lock service of its own: two replicas whose shared lock is down,
 * or two teams' agents) see the same error spike on one Deployment and both decide to roll it back; each has its own
 * on-call approving after 3 minutes (SEV2). Exactly one rollback lands, and the other agent's audit log says why it
 * stood down:
 * <ul>
 *   <li>with its informer cache up to date, its safety gate re-checks the plan after the approval, sees the Deployment
 *       at the new revision and denies it before any call ({@code rollback-to-healthy});
 *   <li>with its cache one step (15 s) behind, the gate passes on the stale view, and the executor, reading the
 *       Deployment from the API, finds the change already recorded there and writes nothing. Here both agents opened
 *       INC-0001 with the same plan, so their idempotency keys (derived from incident, plan and action) are equal,
 *       as for two replicas of one agent: the executor answers "already applied under key ..., nothing changed
 *       again". With different keys it re-checks the state instead and stands down ("already runs the pod template
 *       of revision 2 ... nothing written"), which {@code KubernetesRollbackExecutorTest} covers on the API.
 * </ul>
 */
class TwoAgentsRaceTest {
  /**
   * The second agent's view of the cluster: its informers' topology, up to date or as it was one step ago. "Up to
   * date" is made exact: the informers learn of the first agent's rollback from a watch event that arrives a few
   * milliseconds after it, while a simulated step takes less, so each step first waits (at most 10 s) until the
   * informers show cart at the revision the API server holds (without the wait the test failed now and then on a
   * loaded machine, its "up to date" cache a step behind).
   */
  private static final class Lagging implements dev.sreagent.api.port.TopologyProvider {
    private final KubernetesTopology informers;
    private final boolean lag;
    private final java.util.function.Supplier<String> apiRevision;
    private volatile dev.sreagent.api.model.Topology previous;
    private volatile dev.sreagent.api.model.Topology current;

    Lagging(KubernetesTopology informers, boolean lag, java.util.function.Supplier<String> apiRevision) {
      this.informers = informers;
      this.lag = lag;
      this.apiRevision = apiRevision;
      this.current = informers.topology();
      this.previous = current;
    }

    void step() {
      previous = current;
      String wanted = apiRevision.get();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!lag && !wanted.equals(informers.topology().service("cart")
          .map(dev.sreagent.api.model.ServiceInfo::currentRevision).orElse("")) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      current = informers.topology();
    }

    @Override
    public dev.sreagent.api.model.Topology topology() {
      return lag ? previous : informers.topology();
    }
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "cache one step behind: {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void exactlyOneRollbackLandsAndTheOtherAgentAuditsWhyItStoodDown(boolean staleCache) {
    AtomicReference<SreAgent> second = new AtomicReference<>();
    AtomicReference<Lagging> view = new AtomicReference<>();
    SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS)
        .setOnCallResponse(Duration.ofMinutes(3))
        .setStepListener(h -> {  // the second agent ticks right after the first, on the same simulated time
          SreAgent agent = second.get();
          if (agent != null) {
            view.get().step();
            agent.tick();
          }
        });
    // both agents act on the loop's thread (the platform's default is 2 action threads, for waits on the virtual
    // clock; a rollback does not wait): the first agent's rollback lands inside its tick, as the race below assumes
    try (KubernetesPlatform k8s = KubernetesPlatform.install(b); SimulationHarness h = b.setActionThreads(0).build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(k8s.simulation().api().config())
            .build();
        KubernetesTopology topology = KubernetesTopology.builder(client).setNamespaces(Set.of("shop")).start()) {
      KubernetesRollbackExecutor rollback = KubernetesRollbackExecutor.builder(client)
          .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).setClock(h.clock()).build();
      view.set(new Lagging(topology, staleCache, () -> java.util.Objects.requireNonNullElse(client.apps().deployments()
          .inNamespace("shop").withName("cart").get().getMetadata().getAnnotations(), java.util.Map.<String, String>of())
          .getOrDefault("deployment.kubernetes.io/revision", "")));
      SreAgent b2 = SreAgent.builder().setClock(h.clock()).addTelemetrySource(h.cluster().telemetryTap())
          .setTopologyProvider(view.get()).addExecutor(rollback).setLockService(new InMemoryLockService(h.clock()))
          .setApprovalChannel(dev.sreagent.testkit.SimulatedOnCall.approvingAfter(h.clock(), Duration.ofMinutes(3)))
          .setDefaultPhase(Phase.AUTONOMOUS).setActionThreads(0).setDiscovery(false).build();
      b2.start();
      second.set(b2);
      try {
        h.runFor(Duration.ofMinutes(40));
        h.inject(new Fault.BadDeploy("cart", 0.15, Duration.ZERO));
        h.runFor(Duration.ofMinutes(15));  // detection ~2 min, approvals after 3 min, the rollbacks right after
        assertThat(h.oracle().violations()).isEmpty();

        List<AuditEvent.ActionCompleted> first = h.events(AuditEvent.ActionCompleted.class);
        List<AuditEvent.ActionCompleted> other = AuditEvents.of(b2.auditLog(), AuditEvent.ActionCompleted.class);
        assertThat(first).filteredOn(c -> c.status() == ActionResult.Status.SUCCEEDED)
            .as("the first agent's rollback").hasSize(1);
        if (staleCache) {
          String firstKey = first.stream().filter(c -> c.status() == ActionResult.Status.SUCCEEDED).findFirst()
              .orElseThrow().idempotencyKey();
          assertThat(other).as("the second agent's executor read the Deployment and wrote nothing").isNotEmpty()
              .allSatisfy(c -> assertThat(c.message()).contains("already applied under key " + firstKey
                  + " (recorded on deployment shop/cart); nothing changed again"));
        } else {
          assertThat(other).as("denied before any call").isEmpty();
          assertThat(b2.auditLog().records()).anySatisfy(r -> assertThat(r.entry().data().toString())
              .contains("denied by rollback-to-healthy: cart runs 4"));
        }

        // one rollback on the Deployment: revision 3 -> 4 (the template of revision 2), carrying the first agent's key
        Deployment cart = client.apps().deployments().inNamespace("shop").withName("cart").get();
        assertThat(cart.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "4")
            .containsEntry(KubernetesSimulation.KEY, first.stream().filter(c -> c.status()
                == ActionResult.Status.SUCCEEDED).findFirst().orElseThrow().idempotencyKey());
        assertThat(k8s.simulation().cluster().currentRevision("cart")).isEqualTo("r2");
        assertThat(k8s.simulation().unattributed()).isEmpty();
      } finally {
        b2.close();
      }
    }
  }
}
