package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.ActionExecutor;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Call-edge latency through the agent (AUTONOMOUS, an executor that accepts every action): a network delay into a
 * service is escalated with no action; a delay whose callee is slow itself, or slow because of its own dependency,
 * is scaled out at the deepest slow service as before and resolves once fast again.
 */
class CallEdgeEscalationTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final int FAULT_FROM = 40;
  private static final int FAULT_TO = 55;
  private static final int MINUTES = 90;

  /** Accepts every action and records it. */
  static final class RecordingExecutor implements ActionExecutor {
    final List<Action> calls = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public boolean supports(Action action) {
      return true;
    }

    @Override
    public ActionResult execute(Action action, ExecutionContext context) {
      calls.add(action);
      return new ActionResult(context.idempotencyKey(), ActionResult.Status.SUCCEEDED, "done", Instant.EPOCH);
    }
  }

  private static Topology topology(boolean dependencies) {
    Map<String, ServiceInfo> services = new HashMap<>();
    for (String s : List.of("frontend", "checkout", "payment", "db")) {
      services.put(s, new ServiceInfo(s, "shop", 2, 10, 1, "r1", List.of(), List.of()));
    }
    return new Topology(services, dependencies ? Set.of(new Topology.Dependency("frontend", "checkout"),
        new Topology.Dependency("checkout", "payment"), new Topology.Dependency("payment", "db")) : Set.of());
  }

  /** What each minute looks like: own p99 per service, p50 per "caller->callee" edge. */
  record Minute(Map<String, Double> p99, Map<String, Double> edges) {}

  static List<Incident> run(Phase phase, RecordingExecutor executor, boolean dependencies, IntFunction<Minute> at) {
    return run(phase, executor, dependencies, false, at);
  }

  /** With {@code approve}, a human approves every request at once (the plan the agent proposed, as it is). */
  static List<Incident> run(Phase phase, RecordingExecutor executor, boolean dependencies, boolean approve,
      IntFunction<Minute> at) {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    Random rng = new Random(11);
    try (SreAgent agent = SreAgent.builder().setClock(now::get).setDiscovery(false).setDefaultPhase(phase)
        .setActionThreads(0)
        .setLockService(new dev.sreagent.core.lock.InMemoryLockService(now::get))
        .setTopologyProvider(() -> topology(dependencies)).addExecutor(executor).build()) {
      agent.start();
      for (int i = 0; i < MINUTES; i++) {
        Instant t = T0.plusSeconds(60L * i);
        now.set(t);
        Minute m = at.apply(i);
        m.p99().forEach((s, v) -> {
          agent.sink().accept(new MetricSample(MetricNames.LATENCY_P99, v * (1 + 0.05 * rng.nextGaussian()), t,
              Map.of(Attributes.SERVICE_NAME, s)));
          agent.sink().accept(new MetricSample(MetricNames.ERROR_RATIO, 0.001, t, Map.of(Attributes.SERVICE_NAME, s)));
        });
        m.edges().forEach((e, v) -> {
          String[] cc = e.split(">");
          agent.sink().accept(new MetricSample(MetricNames.CLIENT_LATENCY_P50, v * (1 + 0.05 * rng.nextGaussian()),
              t, Map.of(Attributes.SERVICE_NAME, cc[0], Attributes.PEER_SERVICE, cc[1])));
        });
        agent.tick();
        if (approve) {
          for (dev.sreagent.api.model.ApprovalRequest r : agent.pendingApprovals()) {
            agent.submitApproval(new dev.sreagent.api.model.ApprovalDecision(r.incident().id(), r.planHash(), "human",
                "sre", true, t, "ok"));
          }
        }
        now.set(t.plusSeconds(30));
        agent.tick();
      }
      return agent.incidents();
    }
  }

  /** A chain frontend -> checkout -> payment -> db; {@code delay} seconds added on the calls into payment. */
  static Minute chain(int i, double delayIntoPayment, double paymentOwn, double dbOwn) {
    return chain(i >= FAULT_FROM && i < FAULT_TO, delayIntoPayment, paymentOwn, dbOwn);
  }

  static Minute chain(boolean fault, double delayIntoPayment, double paymentOwn, double dbOwn) {
    double db = fault ? dbOwn : 0.004;
    double payment = (fault ? paymentOwn : 0.006) + db;
    double toPayment = payment + 0.002 + (fault ? delayIntoPayment : 0);
    double checkout = 0.010 + toPayment;
    double toCheckout = checkout + 0.002;
    double frontend = 0.010 + toCheckout;
    Map<String, Double> p99 = new LinkedHashMap<>();
    p99.put("db", db * 2);
    p99.put("payment", payment * 2);
    p99.put("checkout", checkout * 2);
    p99.put("frontend", frontend * 2);
    Map<String, Double> edges = new LinkedHashMap<>();
    edges.put("payment>db", db + 0.001);
    edges.put("checkout>payment", toPayment);
    edges.put("frontend>checkout", toCheckout);
    return new Minute(p99, edges);
  }

  @Test
  void aNetworkDelayIntoPaymentIsEscalatedWithNoActionInTheAutonomousPhase() {
    RecordingExecutor executor = new RecordingExecutor();
    List<Incident> incidents = run(Phase.AUTONOMOUS, executor, true, i -> chain(i, 0.2, 0.006, 0.004));

    assertThat(incidents).isNotEmpty();
    assertThat(incidents).allSatisfy(inc -> {
      assertThat(inc.rootService()).isEqualTo("payment");
      assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
    });
    assertThat(executor.calls).isEmpty();
  }

  /**
   * Found by attack: with no dependency known (metrics only: no spans, no static edges) the agent opened one incident
   * per slow service and planned to scale out checkout and frontend for a delay into payment, although its own
   * call-edge samples say checkout calls payment and frontend calls checkout.
   */
  @Test
  void withoutKnownDependenciesTheCallEdgeSamplesNameThemAndTheCallersAreNotScaled() {
    List<Incident> incidents = run(Phase.AUTONOMOUS, new RecordingExecutor(), false, i -> chain(i, 0.2, 0.006, 0.004));
    assertThat(incidents).isNotEmpty().allSatisfy(inc -> {
      assertThat(inc.rootService()).isEqualTo("payment");
      assertThat(inc.plan()).isNotNull();
      assertThat(inc.plan().actions()).isEmpty();
    });
  }

  /** The fault lasts until the executor was called (the scale-out helps), at most until {@code FAULT_TO}. */
  static boolean faultUntilActed(int i, RecordingExecutor executor) {
    return i >= FAULT_FROM && i < FAULT_TO && executor.calls.isEmpty();
  }

  @Test
  void theCalleesSlowDependencyIsTheRootAndIsScaledOutThenResolves() {
    RecordingExecutor executor = new RecordingExecutor();
    List<Incident> incidents = run(Phase.AUTONOMOUS, executor, true, true, i -> chain(faultUntilActed(i, executor), 0.2, 0.006, 0.3));
    assertThat(incidents).singleElement().satisfies(inc -> {
      assertThat(inc.rootService()).as("the deepest slow service, below the delayed calls").isEqualTo("db");
      assertThat(inc.state()).as("%s", inc.outcomeReason()).isEqualTo(IncidentState.RESOLVED);
    });
    assertThat(executor.calls).containsExactly(new Action.ScaleReplicas("db", 2, 3));
  }

  @Test
  void theCalleeSlowItselfIsScaledOutAsBeforeThenResolves() {
    RecordingExecutor executor = new RecordingExecutor();
    List<Incident> incidents = run(Phase.AUTONOMOUS, executor, true, true, i -> chain(faultUntilActed(i, executor), 0.0, 0.3, 0.004));
    assertThat(incidents).singleElement().satisfies(inc -> {
      assertThat(inc.rootService()).isEqualTo("payment");
      assertThat(inc.state()).as("%s", inc.outcomeReason()).isEqualTo(IncidentState.RESOLVED);
    });
    assertThat(executor.calls).containsExactly(new Action.ScaleReplicas("payment", 2, 3));
  }

  @Test
  void anEdgeIncidentIsEscalatedEvenWhenEveryRequestIsApproved() {
    RecordingExecutor executor = new RecordingExecutor();
    List<Incident> incidents = run(Phase.AUTONOMOUS, executor, true, true, i -> chain(i, 0.2, 0.006, 0.004));
    assertThat(incidents).singleElement().satisfies(inc -> {
      assertThat(inc.rootService()).isEqualTo("payment");
      assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(inc.diagnosis().top().cause()).isEqualTo("network delay into payment (at its pod or on the path to it)");
      assertThat(inc.diagnosis().top().rationale()).as("payment reports its own p99, in the evidence")
          .contains("the latency payment reports of itself did not rise");
    });
    assertThat(executor.calls).isEmpty();
  }

  @Test
  void twoCalleesDelayedAtOnceAreBothEscalatedAndNothingIsScaled() {
    RecordingExecutor executor = new RecordingExecutor();
    List<Incident> incidents = run(Phase.AUTONOMOUS, executor, true, true, i -> {
      Minute m = chain(i, 0.2, 0.006, 0.004);
      boolean fault = i >= FAULT_FROM && i < FAULT_TO;
      Map<String, Double> p99 = new LinkedHashMap<>(m.p99());
      Map<String, Double> edges = new LinkedHashMap<>(m.edges());
      p99.put("db", 0.008); // db's own latency stays; only the calls into it are slow
      edges.put("payment>db", fault ? 0.25 : 0.005);
      return new Minute(p99, edges);
    });
    assertThat(incidents).isNotEmpty().allSatisfy(inc -> assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED));
    assertThat(executor.calls).isEmpty();
  }

  /** The delay grows: the calls into payment page first, checkout's own p99 twelve minutes later; nothing is scaled. */
  @Test
  void aCallersSymptomThatFiresAfterTheEscalationDoesNotScaleTheCaller() {
    RecordingExecutor executor = new RecordingExecutor();
    List<Incident> incidents = run(Phase.AUTONOMOUS, executor, true, true, i -> {
      boolean fault = i >= FAULT_FROM && i < FAULT_TO + 10;
      double delay = !fault ? 0 : i < FAULT_FROM + 12 ? 0.03 : 0.6;
      double toPayment = 0.008 + delay;
      Map<String, Double> p99 = new LinkedHashMap<>();
      p99.put("db", 0.008);
      p99.put("payment", 0.012);
      p99.put("checkout", 0.4 + toPayment);
      p99.put("frontend", 0.45 + toPayment);
      Map<String, Double> edges = new LinkedHashMap<>();
      edges.put("payment>db", 0.005);
      edges.put("checkout>payment", toPayment);
      edges.put("frontend>checkout", 0.2 + toPayment);
      return new Minute(p99, edges);
    });
    assertThat(incidents).isNotEmpty().allSatisfy(inc -> {
      assertThat(inc.rootService()).isEqualTo("payment");
      assertThat(inc.state()).isEqualTo(IncidentState.ESCALATED);
    });
    assertThat(incidents.stream().flatMap(inc -> inc.anomalies().stream()))
        .as("checkout's own latency did fire, after the escalation")
        .anySatisfy(a -> {
          assertThat(a.service()).isEqualTo("checkout");
          assertThat(a.signal()).isEqualTo(MetricNames.LATENCY_P99);
          assertThat(a.detectedAt()).isAfter(T0.plusSeconds(60L * (FAULT_FROM + 12)));
        });
    assertThat(executor.calls).isEmpty();
  }
}
