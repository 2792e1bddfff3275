package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.LockService;
import dev.sreagent.api.shard.ShardAssignment;
import dev.sreagent.core.AgentSettings;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.AuditTypes;
import dev.sreagent.core.audit.HashChainedAuditLog;
import dev.sreagent.core.audit.SharedAuditLog;
import dev.sreagent.core.shard.InMemoryShardGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Two agents over one simulated cluster, sharing a lock service and a shard membership: each reads all the telemetry
 * and keeps every incident, but only the owner of an incident (the owner of its first anomaly's service) acts on it,
 * asks approval or notifies; when an owner dies, the survivor takes its incidents over and finishes them without
 * repeating an action the dead owner had taken.
 */
class ShardedAgentsTest {
  private static final Set<String> BOTH = Set.of("a", "b");

  /** Agent "a" runs in the harness; agent "b" ticks right after it on the same simulated time. */
  private static final class Pair implements AutoCloseable {
    final InMemoryShardGroup group = new InMemoryShardGroup();
    final Map<String, Map<String, List<IncidentEvent.Kind>>> notified = new HashMap<>();
    final AtomicReference<SreAgent> b = new AtomicReference<>();
    final SimulationHarness h;

    Pair(ActionExecutor executorOfB, java.util.function.UnaryOperator<ActionExecutor> executorOfA) {
      this(executorOfB, executorOfA, null);
    }

    /** With {@code chain}, both agents append to it, each through its own {@link SharedAuditLog} view. */
    Pair(ActionExecutor executorOfB, java.util.function.UnaryOperator<ActionExecutor> executorOfA,
        @org.jspecify.annotations.Nullable AuditLog chain) {
      AtomicReference<LockService> shared = new AtomicReference<>();
      notified.put("a", new HashMap<>());
      notified.put("b", new HashMap<>());
      this.h = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS).setOnCallResponse(Duration.ofMinutes(3))
          .setActionThreads(0)
          .setLockWrapper(l -> {
            shared.set(l);
            return l;
          })
          .setExecutorWrapper(executorOfA::apply)
          .setAgentCustomizer(ab -> {
            ab.setSettings(AgentSettings.defaults().withAgentId("a"))
                .setShardMembership(group.join("a")).addNotifier(e -> record("a", e));
            if (chain != null) {
              ab.setAuditLog(SharedAuditLog.of(chain, "a"));
            }
          })
          .setStepListener(x -> {
            SreAgent other = b.get();
            if (other != null) {
              other.tick();
            }
          })
          .build();
      dev.sreagent.core.SreAgentBuilder builderOfB = SreAgent.builder();
      if (chain != null) {
        builderOfB.setAuditLog(SharedAuditLog.of(chain, "b"));
      }
      SreAgent agentB = builderOfB.setClock(h.clock()).addTelemetrySource(h.cluster().telemetryTap())
          .setTopologyProvider(h.cluster()).addExecutor(executorOfB).setLockService(shared.get())
          .setApprovalChannel(SimulatedOnCall.approvingAfter(h.clock(), Duration.ofMinutes(3)))
          .setSettings(AgentSettings.defaults().withAgentId("b")).setShardMembership(group.join("b"))
          .addNotifier(e -> record("b", e))
          .setDefaultPhase(Phase.AUTONOMOUS).setActionThreads(0).setDiscovery(false).build();
      agentB.start();
      b.set(agentB);
    }

    synchronized void record(String agent, IncidentEvent e) {
      notified.get(agent).computeIfAbsent(e.incident().id(), k -> new ArrayList<>()).add(e.kind());
    }

    /** The incidents {@code agent} moved past OPEN (it acted on them); observed copies are not. */
    static Set<String> handled(SreAgent agent) {
      Set<String> out = new TreeSet<>();
      for (Incident i : agent.incidents()) {
        if (i.state() != IncidentState.OPEN && i.outcome() != IncidentOutcome.OWNED_ELSEWHERE) {
          out.add(i.id());
        }
      }
      return out;
    }

    @Override
    public void close() {
      b.get().close();
      h.close();
    }
  }

  @Test
  void anIncidentStormIsSplitAndEveryIncidentIsHandledByExactlyOneAgent() {
    SimulatedExecutor[] cluster = new SimulatedExecutor[1];
    try (Pair p = pairSharingTheClusterExecutor(cluster)) {
      SimulationHarness h = p.h;
      h.runFor(Scenarios.WARM_UP);
      List<String> faulty = List.of("cart", "shipping", "email", "ads", "payments");
      h.inject(new Fault.BadDeploy("cart", 0.15, Duration.ZERO));
      h.inject(new Fault.BadDeploy("shipping", 0.2, Duration.ZERO));
      h.inject(new Fault.MemoryLeak("email", 0.05));
      h.inject(new Fault.ExpiringCertificate("ads", Duration.ofDays(7)));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(9)));
      h.runFor(Duration.ofHours(3));

      SreAgent a = h.agent();
      SreAgent b = p.b.get();
      Set<String> byA = Pair.handled(a);
      Set<String> byB = Pair.handled(b);
      Set<String> all = new TreeSet<>();
      a.incidents().forEach(i -> all.add(i.id()));
      b.incidents().forEach(i -> all.add(i.id()));
      System.out.printf("sharded storm: faults on %s (owners %s); %d incidents, a handled %s, b handled %s%n", faulty,
          faulty.stream().map(s -> s + "=" + ShardAssignment.owner(s, BOTH).orElseThrow()).toList(), all.size(), byA,
          byB);
      assertThat(all).isNotEmpty();
      assertThat(byA).as("no incident handled by both").doesNotContainAnyElementsOf(byB);
      Set<String> handled = new TreeSet<>(byA);
      handled.addAll(byB);
      assertThat(handled).as("every incident handled by one agent").isEqualTo(all);
      assertThat(byA).as("a handled some").isNotEmpty();
      assertThat(byB).as("b handled some").isNotEmpty();
      // an incident split off during an investigation exists only on its owner (only the owner investigates); every
      // other incident is kept by both, under the same id
      for (String id : all) {
        boolean fromA = p.notified.get("a").containsKey(id);
        boolean fromB = p.notified.get("b").containsKey(id);
        assertThat(fromA && fromB).as(id + " notified by both agents: " + p.notified).isFalse();
        assertThat(fromA ? byA : byB).as(id + " notified by its owner only").contains(id);
      }
      assertThat(cluster[0].deliveries().values()).as("every action delivered once").allMatch(n -> n == 1);
      assertThat(cluster[0].applied()).as("actions taken").isNotEmpty();
      // the harness's oracle watches agent a only: it judges b's actions against a's (observed) copies, so only its
      // verdicts on a's own incidents count here
      assertThat(h.oracle().violations()).filteredOn(v -> byB.stream().noneMatch(v::contains))
          .as("the oracle on a's incidents").isEmpty();
      assertThat(a.auditLog().verify().intact()).isTrue();
      assertThat(b.auditLog().verify().intact()).isTrue();
    }
  }

  private static Pair pairSharingTheClusterExecutor(SimulatedExecutor[] out) {
    AtomicReference<ActionExecutor> ofCluster = new AtomicReference<>();
    Pair p = new Pair(new Delegate(ofCluster), e -> {
      ofCluster.set(e);
      return e;
    });
    out[0] = p.h.cluster().executor();
    return p;
  }

  @Test
  void whenTheOwnerDiesMidRemediationTheSurvivorTakesOverWithoutRepeatingTheAction() {
    AtomicReference<String> died = new AtomicReference<>();
    AtomicReference<Pair> pair = new AtomicReference<>();
    AtomicReference<ActionExecutor> ofCluster = new AtomicReference<>();
    Pair p = new Pair(new Killing("b", ofCluster, died, pair), e -> {
      ofCluster.set(e);
      return new Killing("a", ofCluster, died, pair);
    });
    pair.set(p);
    try (p) {
      SimulationHarness h = p.h;
      h.runFor(Scenarios.WARM_UP);
      h.inject(new Fault.BadDeploy("cart", 0.15, Duration.ZERO));
      assertThat(h.runUntil(x -> died.get() != null, Duration.ofMinutes(30))).as("the owner acted and died").isTrue();
      SreAgent dead = died.get().equals("a") ? h.agent() : p.b.get();
      SreAgent survivor = died.get().equals("a") ? p.b.get() : h.agent();
      Incident ofDead = dead.incidents().stream().filter(i -> i.state() == IncidentState.REMEDIATING).findFirst()
          .orElseThrow(() -> new AssertionError(died.get() + " died mid-remediation: " + dead.incidents()));
      assertThat(h.cluster().executor().deliveries()).hasSize(1);
      assertThat(survivor.incident(ofDead.id())).as("the survivor observed it").get()
          .extracting(Incident::state).isEqualTo(IncidentState.OPEN);

      // the dead agent never ticks again: closed, its tick does nothing; the harness steps the cluster
      dead.close();
      h.runUntil(x -> survivor.incident(ofDead.id()).map(i -> i.state().isTerminal()).orElse(false),
          Duration.ofHours(1));
      Incident finished = survivor.incident(ofDead.id()).orElseThrow();
      System.out.printf("takeover: %s died mid-remediation of %s; the survivor ended it %s (%s)%n", died.get(),
          ofDead.id(), finished.state(), finished.outcomeReason());
      assertThat(finished.state().isTerminal()).as("the survivor finished the incident: " + finished).isTrue();
      assertThat(h.cluster().executor().deliveries().values()).as("the action was not repeated")
          .allMatch(n -> n == 1);
      assertThat(h.cluster().executor().deliveries()).hasSize(1);
      assertThat(survivor.auditLog().records()).anySatisfy(r -> assertThat(r.entry().data().toString())
          .contains("taken over by"));
      if (finished.plan() != null && !finished.plan().actions().isEmpty()) {
        assertThat(survivor.auditLog().records()).as("the survivor's same action was reconciled, not run again")
            .anyMatch(r -> r.entry().type().equals(AuditTypes.ACTION_RECONCILED));
      }
      assertThat(survivor.auditLog().verify().intact()).isTrue();
    }
  }

  @Test
  void withOneSharedTrailTheSurvivorResumesTheDeadOwnersRemediationAndReconcilesItsActionByKey() {
    AtomicReference<String> died = new AtomicReference<>();
    AtomicReference<Pair> pair = new AtomicReference<>();
    AtomicReference<ActionExecutor> ofCluster = new AtomicReference<>();
    HashChainedAuditLog chain = HashChainedAuditLog.inMemory();
    Pair p = new Pair(new Killing("b", ofCluster, died, pair), e -> {
      ofCluster.set(e);
      return new Killing("a", ofCluster, died, pair);
    }, chain);
    pair.set(p);
    try (p) {
      SimulationHarness h = p.h;
      h.runFor(Scenarios.WARM_UP);
      h.inject(new Fault.BadDeploy("cart", 0.15, Duration.ZERO));
      assertThat(h.runUntil(x -> died.get() != null, Duration.ofMinutes(30))).as("the owner acted and died").isTrue();
      SreAgent dead = died.get().equals("a") ? h.agent() : p.b.get();
      SreAgent survivor = died.get().equals("a") ? p.b.get() : h.agent();
      Incident ofDead = dead.incidents().stream().filter(i -> i.state() == IncidentState.REMEDIATING).findFirst()
          .orElseThrow(() -> new AssertionError(died.get() + " died mid-remediation: " + dead.incidents()));
      String key = h.cluster().executor().appliedActions().get(0).idempotencyKey();
      dead.close();
      h.runUntil(x -> survivor.incident(ofDead.id()).map(i -> i.state().isTerminal()).orElse(false),
          Duration.ofHours(1));

      Incident finished = survivor.incident(ofDead.id()).orElseThrow();
      assertThat(finished.state()).as("resumed and resolved: " + finished.outcomeReason())
          .isEqualTo(IncidentState.RESOLVED);
      assertThat(h.cluster().executor().deliveries()).as("the action ran once").containsExactly(Map.entry(key, 1));
      String survivorId = died.get().equals("a") ? "b" : "a";
      assertThat(chain.records()).as("the survivor recorded the dead owner's action as reconciled, by its key")
          .anyMatch(r -> r.entry().type().equals(AuditTypes.ACTION_RECONCILED)
              && key.equals(r.entry().data().get("idempotencyKey"))
              && survivorId.equals(SharedAuditLog.writerOf(r)));
      assertThat(chain.records()).anyMatch(r -> survivorId.equals(SharedAuditLog.writerOf(r))
          && r.entry().data().getOrDefault("reason", "").contains("resumed from the shared audit trail"));
      assertThat(chain.verify().intact()).as("one merged trail").isTrue();
    }
  }

  /** The cluster's executor for {@code agent}: its first action takes effect, then the agent dies unanswered. */
  private static final class Killing extends Delegate {
    private final String agent;
    private final AtomicReference<String> died;
    private final AtomicReference<Pair> pair;

    Killing(String agent, AtomicReference<ActionExecutor> target, AtomicReference<String> died,
        AtomicReference<Pair> pair) {
      super(target);
      this.agent = agent;
      this.died = died;
      this.pair = pair;
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext context) {
      ActionResult r = super.execute(action, context);
      if (died.compareAndSet(null, agent)) {
        pair.get().group.leave(agent);
        throw new IllegalStateException("agent " + agent + " died right after its action took effect");
      }
      return r;
    }
  }

  /** An executor that forwards to the cluster's (set when the harness is built). */
  private static class Delegate implements ActionExecutor {
    private final AtomicReference<ActionExecutor> target;

    Delegate(AtomicReference<ActionExecutor> target) {
      this.target = target;
    }

    @Override
    public String name() {
      return "simulated-cluster";
    }

    @Override
    public boolean supports(Action action) {
      return target.get().supports(action);
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext context) {
      return target.get().execute(action, context);
    }

    @Override
    public Optional<ActionResult> reconcile(String key) {
      return target.get().reconcile(key);
    }
  }
}
