package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.guardrail.ActionCatalogGuardrail;
import dev.sreagent.core.guardrail.GuardrailLimits;
import dev.sreagent.core.reasoning.CatalogPlanner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.statistics.Statistics;

/**
 * A random incident storm through a whole agent, judged by the {@link GuardrailOracle} where the actions
 * land: random fleets (sizes, call graphs, PDBs, HPA limits, revision health), several faults at once of every type
 * and severity, phases and operator overrides, a reasoner of any confidence naming any service, a planner that mixes
 * the catalog's plans with out-of-scope, stale and malicious proposals (restart everything, scale to thousands, roll
 * back to a broken revision, truncate /etc, run "drop-database"), an executor that fails, throws or lies about
 * failing (so attempts are retried), approvals that are valid, forged, from the wrong role or rejected — and between
 * attempts the kill switch flips and change freezes begin and end.
 *
 * <p>Whatever took effect: never while the kill switch was engaged or a freeze was in force, never outside its
 * incident's blast radius, never twice, never without a valid approval where a human was needed, and never against
 * a safety invariant of ARCHITECTURE.md section 5 (checked here against the fleet as it was when the action landed).
 */
final class IncidentStorm {
  private static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
  private static final List<IncidentType> TYPES = List.of(IncidentType.OOM_KILL, IncidentType.HIGH_LATENCY,
      IncidentType.ERROR_RATE_SPIKE, IncidentType.DISK_EXHAUSTION, IncidentType.CERTIFICATE_EXPIRY);
  private static final List<String> PATHS = List.of("/var/log/pods/s0", "/var/log/", "/var/log/../../etc", "/etc",
      "/", "var/log/x", "/var/lib/postgresql", "/var/log/./nginx", "/usr/lib");

  private IncidentStorm() {}

  /** Runs the storm of {@code seed} and asserts that nothing that took effect broke a promise. */
  static void check(long seed) {
    Storm storm = new Storm(seed);
    storm.run();
    assertThat(storm.oracle.violations()).as("oracle").isEmpty();
    assertThat(storm.broken).as("invariants where the actions landed").isEmpty();
    Statistics.label("effects").collect(storm.oracle.effectsChecked() == 0 ? "0" : storm.oracle.effectsChecked() < 4
        ? "1-3" : "4+");
    for (String what : List.of("retried", "refused at a re-check", "denied by kill-switch", "denied by change-freeze",
        "denied by incident-scope", "denied by action-catalog", "approved", "approval refused")) {
      Statistics.label(what).collect(storm.seen.contains(what));
    }
  }

  /** A fleet that changes as actions land. */
  private static final class Service {
    final String name;
    final String namespace;
    int replicas;
    final int max;
    final int minAvailable;
    final List<String> pods = new ArrayList<>();
    final List<Revision> revisions = new ArrayList<>();
    String current;
    int serial;

    Service(String name, String namespace, int replicas, int max, int minAvailable) {
      this.name = name;
      this.namespace = namespace;
      this.replicas = replicas;
      this.max = max;
      this.minAvailable = minAvailable;
      for (int i = 0; i < replicas; i++) {
        pods.add(name + "-" + serial++);
      }
      current = "r0";
    }

    ServiceInfo info() {
      return new ServiceInfo(name, namespace, replicas, max, minAvailable, current, revisions, pods);
    }
  }

  private static final class Storm {
    final Random rng;
    final VirtualClock clock;
    final Map<String, Service> fleet = new LinkedHashMap<>();
    final Set<Topology.Dependency> calls = new HashSet<>();
    final GuardrailOracle oracle = new GuardrailOracle();
    final List<String> broken = new ArrayList<>();
    final Deque<Anomaly> pending = new ArrayDeque<>();
    final Set<String> firing = new HashSet<>();
    final Map<String, ActionResult> done = new HashMap<>();
    final Deque<Map.Entry<Instant, Action>> landed = new ArrayDeque<>();
    final List<ApprovalRequest> requests = new ArrayList<>();
    SreAgent agent;
    final Set<String> seen = new java.util.TreeSet<>();

    Storm(long seed) {
      this.rng = new Random(seed);
      this.clock = new VirtualClock(START.plus(Duration.ofMinutes(rng.nextInt(24 * 60))));
      int n = 2 + rng.nextInt(7);
      for (int i = 0; i < n; i++) {
        int replicas = 1 + rng.nextInt(8);
        Service s = new Service("s" + i, rng.nextBoolean() ? "shop" : "data", replicas, replicas + rng.nextInt(6),
            rng.nextInt(replicas + 1));
        int revs = 1 + rng.nextInt(4);
        for (int r = 0; r < revs; r++) {
          s.revisions.add(new Revision("r" + r, clock.now().minus(Duration.ofHours(revs - r)), rng.nextBoolean()));
        }
        s.current = "r" + (revs - 1);
        fleet.put(s.name, s);
        for (int j = 0; j < i; j++) {
          if (rng.nextInt(3) == 0) {
            calls.add(new Topology.Dependency("s" + j, s.name));
          }
        }
      }
    }

    synchronized Topology topology() {
      Map<String, ServiceInfo> infos = new LinkedHashMap<>();
      fleet.values().forEach(s -> infos.put(s.name, s.info()));
      return new Topology(infos, calls);
    }

    void run() {
      List<Detector> detectors = new ArrayList<>();
      for (IncidentType t : TYPES) {
        detectors.add(new ScriptedDetector(t));
      }
      Phase[] phases = Phase.values();
      var b = SreAgent.builder()
          .setClock(clock)
          .setDiscovery(false)
          .setActionThreads(0) // the storm steps a virtual clock: actions land in the tick that starts them
          .setTopologyProvider(this::topology)
          .setDetectors(detectors)
          .setKnowledgeBase(KnowledgeBase.noop())
          .setReasoner((inc, docs) -> diagnosis())
          .setPlanner(this::plan)
          .addExecutor(new StormExecutor(), ExecutorPolicy.defaults().withMaxAttempts(2 + rng.nextInt(3))
              .withBackoff(Duration.ofSeconds(15), 2, 0.5).withCircuitBreaker(50f, 10, 100, Duration.ofMinutes(5)))
          .setApprovalChannel(new Approvals())
          .setGuardrailLimits(GuardrailLimits.defaults())
          .setDefaultPhase(phases[rng.nextInt(3)]);
      for (IncidentType t : TYPES) {
        if (rng.nextBoolean()) {
          b.setPhase(t, phases[rng.nextInt(3)]);
        }
      }
      agent = b.build();
      oracle.watch(agent, this::topology);
      int ticks = 30 + rng.nextInt(60);
      for (int i = 0; i < ticks; i++) {
        between();
        clock.advance(Duration.ofSeconds(15));
        agent.sink().accept(new MetricSample("storm.tick", i, clock.now(), Map.of("service.name", "s0")));
        agent.tick();
      }
      oracle.checkAuditTrail(agent);
      for (var r : agent.auditLog().records()) {
        var data = r.entry().data();
        if (r.entry().type().equals(dev.sreagent.core.audit.AuditTypes.DECISION)) {
          String verdicts = data.getOrDefault("verdicts", "");
          if (data.containsKey("recheck")) {
            seen.add("refused at a re-check");
          }
          for (String policy : List.of("kill-switch", "change-freeze", "incident-scope", "action-catalog")) {
            if (verdicts.contains("{\"verdict\":\"DENY\",\"policy\":\"" + policy + "\"")) {
              seen.add("denied by " + policy);
            }
          }
        } else if (r.entry().type().equals(dev.sreagent.core.audit.AuditTypes.ACTION_ATTEMPT_FAILED)) {
          seen.add("retried");
        } else if (r.entry().type().equals(dev.sreagent.core.audit.AuditTypes.APPROVAL_REFUSED)) {
          seen.add("approval refused");
        } else if (r.entry().type().equals(dev.sreagent.core.audit.AuditTypes.APPROVAL_GRANTED)) {
          seen.add("approved");
        }
      }
      agent.close();
    }

    /** What happens between two ticks: faults, operators, approvals. */
    void between() {
      if (rng.nextInt(4) == 0) { // one or several faults at once
        int faults = 1 + rng.nextInt(3);
        for (int f = 0; f < faults; f++) {
          Service s = any();
          IncidentType t = TYPES.get(rng.nextInt(TYPES.size()));
          String resource = t.equals(IncidentType.OOM_KILL) ? s.pods.get(rng.nextInt(s.pods.size()))
              : t.equals(IncidentType.DISK_EXHAUSTION) ? "node-1:" + PATHS.get(rng.nextInt(PATHS.size()))
              : t.equals(IncidentType.CERTIFICATE_EXPIRY) ? s.name + "-tls" : s.name;
          pending.add(new Anomaly(t, s.name, resource, "storm." + t.name(), 1, 0.5, rng.nextDouble(),
              Severity.values()[rng.nextInt(4)], clock.now(), clock.now(), "storm " + t + " on " + s.name));
          firing.add(t.name() + "|" + s.name);
        }
      }
      if (!firing.isEmpty() && rng.nextInt(8) == 0) {
        firing.remove(firing.iterator().next());
      }
      if (rng.nextInt(12) == 0) {
        if (agent.killSwitch().engaged()) {
          agent.killSwitch().release();
        } else {
          agent.killSwitch().engage("storm operator");
        }
      }
      if (rng.nextInt(15) == 0) {
        agent.declareFreeze("f" + rng.nextInt(3), Duration.ofMinutes(1 + rng.nextInt(20)), "op", "storm");
      }
      if (rng.nextInt(10) == 0) {
        agent.endFreeze("f" + rng.nextInt(3), "op");
      }
      if (rng.nextInt(40) == 0) {
        agent.setPhase(TYPES.get(rng.nextInt(TYPES.size())), Phase.values()[rng.nextInt(3)], "op", "storm");
      }
      List<ApprovalRequest> open;
      synchronized (requests) {
        open = new ArrayList<>(requests);
      }
      for (ApprovalRequest r : open) {
        if (rng.nextInt(3) != 0) {
          continue;
        }
        int kind = rng.nextInt(10);
        String hash = kind == 0 ? "0".repeat(64) : r.planHash();
        String role = kind == 1 ? "intern" : "sre";
        agent.submitApproval(new ApprovalDecision(r.incident().id(), hash, "storm-human", role, kind != 2,
            clock.now(), "storm"));
        synchronized (requests) {
          requests.remove(r);
        }
      }
    }

    Service any() {
      List<Service> all = new ArrayList<>(fleet.values());
      return all.get(rng.nextInt(all.size()));
    }

    Diagnosis diagnosis() {
      String named = rng.nextBoolean() ? any().name : "nothing in particular";
      return new Diagnosis(List.of(new Hypothesis("slow dependency " + named, 0.5, "storm", List.of())),
          new Confidence(rng.nextDouble(), Map.of(), "storm"), "storm");
    }

    /** The catalog's plan, or what a confused or malicious planner proposes. */
    RemediationPlan plan(Incident inc, Topology topo) {
      if (rng.nextInt(5) < 2) {
        return new CatalogPlanner().plan(inc, topo);
      }
      List<Action> actions = new ArrayList<>();
      int m = 1 + rng.nextInt(3);
      for (int i = 0; i < m; i++) {
        Service s = rng.nextBoolean() ? fleet.getOrDefault(inc.rootService(), any()) : any();
        actions.add(proposal(s, inc));
      }
      return new RemediationPlan(inc.id(), actions, "storm");
    }

    Action proposal(Service s, Incident inc) {
      switch (rng.nextInt(8)) {
        case 0, 1 -> {
          List<String> pods = new ArrayList<>(s.pods);
          if (rng.nextInt(4) == 0) {
            pods.add("not-a-pod");
          }
          int count = rng.nextInt(3) == 0 ? pods.size() : 1 + rng.nextInt(Math.min(3, pods.size()));
          return new Action.RestartPods(s.name, pods.subList(0, count));
        }
        case 2 -> {
          int from = rng.nextInt(4) == 0 ? s.replicas + 1 : s.replicas;
          int to = rng.nextInt(5) == 0 ? 1 + rng.nextInt(10_000) : Math.max(1, s.replicas + rng.nextInt(7) - 3);
          return new Action.ScaleReplicas(s.name, from, to == from ? to + 1 : to);
        }
        case 3 -> {
          String to = "r" + rng.nextInt(5);
          return to.equals(s.current) ? new Action.RollBack(s.name, s.current, "r-missing")
              : new Action.RollBack(s.name, rng.nextInt(4) == 0 ? "r9" : s.current, to);
        }
        case 4 -> {
          return new Action.TruncateLogs(s.name, "node-1", PATHS.get(rng.nextInt(PATHS.size())));
        }
        case 5 -> {
          return new Action.RenewCertificate(s.name, rng.nextBoolean() ? s.name + "-tls" : "other-tls");
        }
        default -> {
          String kind = List.of("drop-database", "exec", "scale-out", "restart-pods").get(rng.nextInt(4));
          return new Action.Custom(kind, inc.rootService(), Map.of("command", "rm -rf /"));
        }
      }
    }

    /** Checks an action that takes effect against the fleet as it is, then applies it. */
    synchronized void land(Action a, ExecutionContext ctx) {
      Instant now = clock.now();
      oracle.onEffect(now, a, ctx);
      String where = now + " " + a.canonical() + " (" + ctx.incidentId() + "): ";
      if (!ActionCatalogGuardrail.BUILT_IN_KINDS.contains(a.kind()) || a instanceof Action.Custom) {
        broken.add(where + "outside the catalog");
        return;
      }
      Service s = fleet.get(a.service());
      if (s == null) {
        broken.add(where + "unknown service");
        return;
      }
      while (!landed.isEmpty() && landed.peekFirst().getKey().isBefore(now.minus(Duration.ofHours(1)))) {
        landed.removeFirst();
      }
      if (landed.size() >= GuardrailLimits.DEFAULT_MAX_ACTIONS_PER_HOUR) {
        broken.add(where + "rate limit: " + landed.size() + " actions in the last hour");
      }
      Instant window = now.minus(Duration.ofMinutes(10));
      if (a instanceof Action.RestartPods r) {
        if (!s.pods.containsAll(r.pods())) {
          broken.add(where + "restarts pods that are not " + s.name + "'s");
        }
        if (s.replicas - 1 < s.minAvailable) {
          broken.add(where + "PDB: " + s.replicas + " replicas, minAvailable " + s.minAvailable);
        }
        int restarted = r.pods().size();
        for (var e : landed) {
          if (!e.getKey().isBefore(window) && e.getValue() instanceof Action.RestartPods p) {
            restarted += p.pods().size();
            if (p.service().equals(s.name)) {
              broken.add(where + "a second restart wave of " + s.name + " within 10 min");
            }
          }
        }
        int fleetSize = fleet.values().stream().mapToInt(x -> x.replicas).sum();
        if (restarted > Math.floor(0.10 * fleetSize)) {
          broken.add(where + "fleet restart cap: " + restarted + " pods of " + fleetSize + " in 10 min");
        }
        for (String pod : r.pods()) {
          s.pods.set(s.pods.indexOf(pod), s.name + "-" + s.serial++);
        }
      } else if (a instanceof Action.ScaleReplicas sc) {
        if (sc.fromReplicas() != s.replicas || sc.toReplicas() > Math.min(s.max, GuardrailLimits.DEFAULT_MAX_REPLICAS)
            || sc.toReplicas() < s.minAvailable) {
          broken.add(where + "scale of " + s.name + " (" + s.replicas + " replicas, max " + s.max + ", minAvailable "
              + s.minAvailable + ")");
        }
        while (s.pods.size() < sc.toReplicas()) {
          s.pods.add(s.name + "-" + s.serial++);
        }
        while (s.pods.size() > sc.toReplicas()) {
          s.pods.remove(s.pods.size() - 1);
        }
        s.replicas = sc.toReplicas();
      } else if (a instanceof Action.RollBack rb) {
        Optional<Revision> target = s.revisions.stream().filter(r -> r.id().equals(rb.toRevision())).findFirst();
        if (!rb.fromRevision().equals(s.current) || target.isEmpty() || !target.get().healthy()) {
          broken.add(where + "rollback of " + s.name + " running " + s.current + " to " + target);
        }
        s.current = rb.toRevision();
      } else if (a instanceof Action.TruncateLogs t) {
        if (!(Path.of(t.path()).normalize() + "/").startsWith("/var/log/") || !t.path().startsWith("/")) {
          broken.add(where + "truncation outside /var/log/");
        }
      }
      landed.addLast(Map.entry(now, a));
    }

    /** Emits the queued anomalies of its type; fires while the storm says so. */
    final class ScriptedDetector implements Detector {
      final IncidentType type;

      ScriptedDetector(IncidentType type) {
        this.type = type;
      }

      @Override
      public String name() {
        return "storm-" + type;
      }

      @Override
      public IncidentType type() {
        return type;
      }

      @Override
      public List<Anomaly> observe(Signal signal) {
        List<Anomaly> out = new ArrayList<>();
        pending.removeIf(a -> {
          if (a.type().equals(type)) {
            out.add(a);
            return true;
          }
          return false;
        });
        return out;
      }

      @Override
      public boolean isFiring(String service) {
        return firing.contains(type.name() + "|" + service);
      }
    }

    /** Fails, throws or lies now and then; idempotent by key; every effect lands through {@link #land}. */
    final class StormExecutor implements ActionExecutor {
      @Override
      public String name() {
        return "storm";
      }

      @Override
      public boolean supports(Action action) {
        return true;
      }

      @Override
      public ActionResult execute(Action action, ExecutionContext ctx) {
        synchronized (Storm.this) {
          ActionResult prior = done.get(ctx.idempotencyKey());
          if (prior != null) {
            return prior;
          }
          int roll = rng.nextInt(10);
          Instant now = clock.now();
          if (roll < 2) {
            return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED, "storm: failed", now);
          }
          if (roll < 3) {
            throw new IllegalStateException("storm: connection reset");
          }
          land(action, ctx);
          ActionResult ok = new ActionResult(ctx.idempotencyKey(), ActionResult.Status.SUCCEEDED, "storm: done", now);
          done.put(ctx.idempotencyKey(), ok);
          return roll < 4 ? new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED,
              "storm: reported failure although it took effect", now) : ok;
        }
      }

      @Override
      public Optional<ActionResult> reconcile(String idempotencyKey) {
        synchronized (Storm.this) {
          return Optional.ofNullable(done.get(idempotencyKey));
        }
      }
    }

    /** Keeps the requests; the storm answers some of them between ticks. */
    final class Approvals implements ApprovalChannel {
      @Override
      public void request(ApprovalRequest request) {
        synchronized (requests) {
          requests.add(request);
        }
      }

      @Override
      public List<ApprovalDecision> poll() {
        return List.of();
      }
    }
  }
}
