package dev.sreagent.core.guardrail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.api.model.SafetyDecision.Outcome;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * Ten thousand random incident storms: random fleets (sizes, PDBs, HPA limits, revision health), incident types,
 * severities, phases, approvals, timings, freezes and kill-switch flips, and reasoner proposals that include
 * out-of-catalog and malicious ones (restart everything, scale to thousands, roll back to a broken revision,
 * truncate /etc through "..", run "drop-database"). Whatever the gate lets execute never breaks an invariant of
 * ARCHITECTURE.md section 5 or the phase rules, and every denial names its policy.
 */
class SafetyGateStormProperties {
  static final Set<String> POLICIES = Set.of("kill-switch", "action-catalog", "incident-scope", "change-freeze", "fleet-restart-cap",
      "pod-disruption-budget", "one-restart-wave", "scale-ceiling", "rollback-to-healthy", "truncation-allow-list",
      "target-cooldown", "global-rate-limit", "diagnosis-confidence");
  static final List<IncidentType> TYPES = List.of(IncidentType.OOM_KILL, IncidentType.HIGH_LATENCY,
      IncidentType.ERROR_RATE_SPIKE, IncidentType.DISK_EXHAUSTION, IncidentType.CERTIFICATE_EXPIRY,
      IncidentType.of("custom-thing"));
  static final List<String> PATHS = List.of("/var/log/pods/a", "/var/log/", "/var/log/../../etc", "/etc",
      "/etc/kubernetes", "/", "var/log/x", "/var/lib/postgresql", "/var/log/./nginx", "/usr/lib", "/var/logs/x");

  @Property(tries = 10_000)
  void noStormBreaksAnInvariant(@ForAll long seed) {
    Random rng = new Random(seed);
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Map<String, ServiceInfo> services = new LinkedHashMap<>();
    int n = 1 + rng.nextInt(15);
    for (int i = 0; i < n; i++) {
      int replicas = 1 + rng.nextInt(20);
      List<String> pods = new ArrayList<>();
      for (int p = 0; p < replicas; p++) {
        pods.add("s" + i + "-" + p);
      }
      List<Revision> revs = new ArrayList<>();
      int nrev = 1 + rng.nextInt(4);
      for (int r = 0; r < nrev; r++) {
        revs.add(new Revision("r" + r, start.minusSeconds(3600L * (nrev - r)), rng.nextBoolean()));
      }
      services.put("s" + i, new ServiceInfo("s" + i, rng.nextBoolean() ? "shop" : "data", replicas,
          replicas + rng.nextInt(10), rng.nextInt(replicas + 1), "r" + (nrev - 1), revs, pods));
    }
    Topology topo = new Topology(services, Set.of());
    KillSwitch kill = new KillSwitch();
    GuardrailLimits.Builder limits = GuardrailLimits.builder();
    FreezeWindow freeze = rng.nextInt(4) == 0
        ? new FreezeWindow("freeze", start.plusSeconds(rng.nextInt(7200)), start.plusSeconds(7200 + rng.nextInt(7200)))
        : null;
    if (freeze != null) {
      limits.addFreezeWindow(freeze);
    }
    SafetyGate gate = SafetyGate.builtIn(limits.build(), kill, Set.of(), List.of());
    int fleet = topo.fleetSize();
    List<ExecutedAction> history = new ArrayList<>();
    Instant now = start;
    int storm = 1 + rng.nextInt(40);
    for (int k = 0; k < storm; k++) {
      now = now.plusSeconds(rng.nextInt(900));
      if (rng.nextInt(20) == 0) {
        if (kill.engaged()) {
          kill.release();
        } else {
          kill.engage("operator pressed it");
        }
      }
      Severity severity = Severity.values()[rng.nextInt(4)];
      Phase phase = Phase.values()[rng.nextInt(3)];
      boolean approved = rng.nextBoolean();
      IncidentType type = TYPES.get(rng.nextInt(TYPES.size()));
      ServiceInfo target = List.copyOf(services.values()).get(rng.nextInt(n));
      Incident incident = incident("INC-" + k, type, target.name(), severity, rng.nextDouble(), now);
      List<Action> actions = new ArrayList<>();
      int m = 1 + rng.nextInt(4);
      for (int a = 0; a < m; a++) {
        actions.add(proposal(rng, services, target));
      }
      RemediationPlan plan = new RemediationPlan(incident.id(), actions, "storm");
      SafetyDecision d = gate.decide(incident, plan, phase, topo, history, now, approved);
      Statistics.label("decisions").collect(d.outcome());

      if (d.outcome() == Outcome.DENY) {
        assertThat(d.reason()).startsWith("denied by ");
        String policy = d.reason().substring("denied by ".length(), d.reason().indexOf(':'));
        assertThat(POLICIES).contains(policy);
        assertThat(d.verdicts()).anyMatch(v -> v.verdict() == GuardrailVerdict.Verdict.DENY
            && v.policy().equals(policy));
        continue;
      }
      assertThat(d.verdicts()).noneMatch(v -> v.verdict() == GuardrailVerdict.Verdict.DENY);
      if (d.outcome() != Outcome.EXECUTE) {
        continue;
      }
      // phase rules
      assertThat(phase).isNotEqualTo(Phase.OBSERVE);
      if (!approved) {
        assertThat(phase).isEqualTo(Phase.AUTONOMOUS);
        assertThat(severity.alwaysNeedsApproval()).isFalse();
        assertThat(incident.diagnosis().confidence().score()).isGreaterThanOrEqualTo(0.5);
      }
      assertThat(kill.engaged()).isFalse();
      if (freeze != null) {
        assertThat(freeze.contains(now)).isFalse();
      }
      for (int i = 0; i < actions.size(); i++) {
        Action a = actions.get(i);
        checkInvariants(a, services, history, now, incident.id());
        history.add(new ExecutedAction(a, incident.id(), now, incident.id() + "-" + i));
      }
      Instant windowStart = now.minus(Duration.ofMinutes(10));
      int restarted = history.stream().filter(e -> !e.at().isBefore(windowStart))
          .mapToInt(e -> e.action() instanceof Action.RestartPods r ? r.pods().size() : 0).sum();
      assertThat(restarted).as("fleet restart cap").isLessThanOrEqualTo((int) Math.floor(0.10 * fleet));
      Instant hourAgo = now.minus(Duration.ofHours(1));
      assertThat(history.stream().filter(e -> !e.at().isBefore(hourAgo)).count()).as("global rate limit")
          .isLessThanOrEqualTo(GuardrailLimits.DEFAULT_MAX_ACTIONS_PER_HOUR);
    }
  }

  private static void checkInvariants(Action a, Map<String, ServiceInfo> services, List<ExecutedAction> history,
      Instant now, String incidentId) {
    assertThat(ActionCatalogGuardrail.BUILT_IN_KINDS).contains(a.kind());
    ServiceInfo s = services.get(a.service());
    if (a instanceof Action.RestartPods r) {
      assertThat(s.pods()).containsAll(r.pods());
      assertThat(s.replicas() - 1).as("PDB").isGreaterThanOrEqualTo(s.minAvailable());
      assertThat(history).noneMatch(e -> e.action() instanceof Action.RestartPods p
          && p.service().equals(r.service()) && e.at().isAfter(now.minus(Duration.ofMinutes(10))));
    } else if (a instanceof Action.ScaleReplicas sc) {
      assertThat(sc.fromReplicas()).isEqualTo(s.replicas());
      assertThat(sc.toReplicas()).isLessThanOrEqualTo(Math.min(s.maxReplicas(), GuardrailLimits.DEFAULT_MAX_REPLICAS));
      assertThat(sc.toReplicas()).isGreaterThanOrEqualTo(s.minAvailable());
    } else if (a instanceof Action.RollBack rb) {
      assertThat(rb.fromRevision()).isEqualTo(s.currentRevision());
      assertThat(s.revision(rb.toRevision())).hasValueSatisfying(r -> assertThat(r.healthy()).isTrue());
    } else if (a instanceof Action.TruncateLogs t) {
      assertThat(t.path()).startsWith("/");
      assertThat(Path.of(t.path()).normalize() + "/").startsWith("/var/log/");
    } else if (a instanceof Action.RenewCertificate rc) {
      assertThat(rc.certificate()).isNotBlank();
    } else {
      throw new AssertionError("an action outside the catalog executed: " + a);
    }
    assertThat(history).as("cooldown").noneMatch(e -> e.action().target().equals(a.target())
        && !e.incidentId().equals(incidentId) && e.at().isAfter(now.minus(Duration.ofMinutes(15))));
  }

  private static Incident incident(String id, IncidentType type, String service, Severity sev, double confidence,
      Instant now) {
    Anomaly a = new Anomaly(type, service, service, "m", 1, 0.5, 0.9, sev, now, now, "storm");
    return Incident.open(id, a, service, now).withDiagnosis(new Diagnosis(List.of(new Hypothesis("h", 0.5, "",
        List.of())), new Confidence(confidence, Map.of(), "storm"), "storm"), now);
  }

  /** What a confused or malicious reasoner might propose. */
  private static Action proposal(Random rng, Map<String, ServiceInfo> services, ServiceInfo s) {
    switch (rng.nextInt(8)) {
      case 0, 1 -> {
        List<String> pods = new ArrayList<>(s.pods());
        if (rng.nextInt(4) == 0) {
          pods.add("not-a-pod-" + rng.nextInt(5));
        }
        int count = rng.nextInt(3) == 0 ? pods.size() : 1 + rng.nextInt(Math.min(3, pods.size()));
        return new Action.RestartPods(s.name(), pods.subList(0, count));
      }
      case 2 -> {
        int from = rng.nextInt(4) == 0 ? s.replicas() + 1 : s.replicas();
        int to = rng.nextInt(5) == 0 ? 1 + rng.nextInt(10_000) : Math.max(1, s.replicas() + rng.nextInt(7) - 3);
        return to == from ? new Action.ScaleReplicas(s.name(), from, to + 1) : new Action.ScaleReplicas(s.name(),
            from, to);
      }
      case 3 -> {
        String from = rng.nextInt(4) == 0 ? "r9" : s.currentRevision();
        String to = "r" + rng.nextInt(6);
        return to.equals(from) ? new Action.RollBack(s.name(), from, "r-missing") : new Action.RollBack(s.name(),
            from, to);
      }
      case 4 -> {
        return new Action.TruncateLogs(s.name(), "node-1", PATHS.get(rng.nextInt(PATHS.size())));
      }
      case 5 -> {
        return new Action.RenewCertificate(s.name(), s.name() + "-tls");
      }
      default -> {
        String kind = List.of("drop-database", "exec", "kubectl-delete-namespace", "scale-out", "restart-pods")
            .get(rng.nextInt(5));
        return new Action.Custom(kind, s.name(), Map.of("command", "rm -rf /"));
      }
    }
  }
}
