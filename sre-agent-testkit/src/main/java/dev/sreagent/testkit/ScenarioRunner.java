package dev.sreagent.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.AgentStats;
import dev.sreagent.core.audit.AuditTypes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link Scenario} against a fresh cluster and agent and scores it. Deterministic for a given seed.
 *
 * <p>Expectations: a fault scenario must open an incident of the fault's type on the fault's root service after
 * the injection (detected); a no-fault scenario must open none. Any oracle violation, any action run in OBSERVE,
 * and any action run without an approval where one was required fails the run.
 */
public final class ScenarioRunner {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Phase phase;
  private final long seed;
  private final @Nullable Duration onCallResponse;
  private final @Nullable Path auditDir;
  private final @Nullable Consumer<String> timeline;
  private final java.util.function.UnaryOperator<SimulationHarness.Builder> customizer;

  /**
   * @param phase the phase for every incident type
   * @param seed the cluster's seed
   * @param onCallResponse how fast the simulated on-call approves, or null for nobody
   * @param auditDir where to write one audit log per scenario, or null for in-memory logs
   * @param timeline receives timeline lines, or null
   */
  public ScenarioRunner(Phase phase, long seed, @Nullable Duration onCallResponse, @Nullable Path auditDir,
      @Nullable Consumer<String> timeline) {
    this(phase, seed, onCallResponse, auditDir, timeline, b -> b);
  }

  /** As above, with the last say on each harness (executor wrappers and policies, agent customizers). */
  public ScenarioRunner(Phase phase, long seed, @Nullable Duration onCallResponse, @Nullable Path auditDir,
      @Nullable Consumer<String> timeline, java.util.function.UnaryOperator<SimulationHarness.Builder> customizer) {
    this.customizer = Objects.requireNonNull(customizer, "customizer");
    this.phase = Objects.requireNonNull(phase, "phase");
    this.seed = seed;
    this.onCallResponse = onCallResponse;
    this.auditDir = auditDir;
    this.timeline = timeline;
  }

  /** Runs {@code scenario}. */
  public ScenarioResult run(Scenario scenario) {
    Path auditFile = auditDir == null ? null : auditDir.resolve(scenario.name() + ".audit.jsonl");
    SimulationHarness.Builder builder = customizer.apply(SimulationHarness.builder()
        .setSeed(seed)
        .setPhase(phase)
        .setOnCallResponse(onCallResponse)
        .setAuditFile(auditFile));
    // times are measured from the harness's own start, which the customizer may have moved
    Instant origin = builder.start();
    if (timeline != null && builder.notifier() == null) {
      builder.setNotifier(new TimelinePrinter(origin, timeline));
    }
    try (SimulationHarness h = builder.build()) {
      h.runFor(scenario.injectAfter());
      Fault fault = scenario.fault();
      if (fault != null) {
        h.inject(fault);
        if (timeline != null) {
          timeline.accept("  " + TimelinePrinter.stamp(origin, h.clock().now()) + "  inject   " + fault.describe());
        }
      }
      h.runFor(scenario.duration().minus(scenario.injectAfter()));
      return score(scenario, h, origin);
    }
  }

  private ScenarioResult score(Scenario scenario, SimulationHarness h, Instant origin) {
    Fault fault = scenario.fault();
    Instant faultAt = h.faultAt();
    List<Incident> incidents = h.agent().incidents();
    List<ScenarioResult.IncidentSummary> summaries = new ArrayList<>();
    Incident match = null;
    int falseIncidents = 0;
    java.util.Map<String, String> decisions = new java.util.HashMap<>();
    java.util.Map<String, List<String>> verdicts = new java.util.HashMap<>();
    List<String> phaseChanges = new ArrayList<>();
    for (AuditRecord r : h.agent().auditLog().records()) {
      var data = r.entry().data();
      if (AuditTypes.DECISION.equals(r.entry().type())) {
        decisions.put(r.entry().incidentId(), data.get("outcome") + (data.containsKey("phase") ? " ["
            + data.get("phase") + "]" : "") + " " + data.get("reason"));
        verdicts.put(r.entry().incidentId(), summarizeVerdicts(data.getOrDefault("verdicts", "[]")));
      } else if (AuditTypes.PHASE_CHANGED.equals(r.entry().type())) {
        phaseChanges.add(data.get("type") + " " + data.get("from") + " -> " + data.get("to") + ": "
            + data.get("reason"));
      }
    }
    for (Incident i : incidents) {
      summaries.add(new ScenarioResult.IncidentSummary(i.id(), i.type().name(), i.rootService(),
          i.severity().name(), i.state().name(), Duration.between(origin, i.openedAt()).toSeconds(),
          i.diagnosis() == null ? "" : i.diagnosis().top().cause(),
          i.diagnosis() == null ? 0 : Math.round(i.diagnosis().confidence().score() * 100) / 100.0,
          decisions.getOrDefault(i.id(), ""), verdicts.getOrDefault(i.id(), List.of()),
          i.outcome() == null ? "" : i.outcome()));
      boolean matches = fault != null && faultAt != null && !i.openedAt().isBefore(faultAt)
          && i.type().equals(fault.expectedType())
          && (fault.expectedRoot() == null || fault.expectedRoot().equals(i.rootService()));
      if (matches && match == null) {
        match = i;
      } else if (!matches) {
        falseIncidents++;
      }
    }
    List<String> violations = new ArrayList<>(h.cluster().oracle().violations());
    violations.addAll(auditViolations(h));
    AgentStats stats = h.agent().stats();
    Long detected = match == null || faultAt == null ? null
        : Duration.between(faultAt, match.openedAt()).toSeconds();
    Long resolved = match != null && faultAt != null && match.state() == IncidentState.RESOLVED
        ? Duration.between(faultAt, match.updatedAt()).toSeconds() : null;
    int awaiting = (int) incidents.stream().filter(i -> i.state() == IncidentState.AWAITING_APPROVAL).count();
    String outcome;
    if (fault == null) {
      outcome = incidents.isEmpty() ? "clean" : "noisy";
    } else if (match == null) {
      outcome = "missed";
    } else {
      outcome = switch (match.state()) {
        case RESOLVED -> "resolved";
        case ROLLED_BACK -> "rolled-back";
        case AWAITING_APPROVAL -> "awaiting-approval";
        case ESCALATED -> stats.actionsShadowed() > 0 && phase == Phase.OBSERVE ? "shadowed" : "escalated";
        default -> match.state().name().toLowerCase(java.util.Locale.ROOT);
      };
    }
    boolean passed = violations.isEmpty() && (fault == null ? incidents.isEmpty() : match != null);
    return new ScenarioResult(scenario.name(), phase.name(), seed,
        fault == null ? null : fault.expectedType().name(), fault == null ? null : fault.expectedRoot(),
        fault == null ? "none" : fault.describe(), summaries, detected, resolved, falseIncidents,
        stats.actionsExecuted(), stats.actionsShadowed(), stats.plansDenied(), awaiting, stats.approvalsRequested(),
        violations, phaseChanges, outcome, passed);
  }

  /** "12/12 allow", or each verdict that did not allow as "policy VERDICT: reason". */
  static List<String> summarizeVerdicts(String json) {
    List<String> out = new ArrayList<>();
    int total = 0;
    try {
      for (JsonNode v : MAPPER.readTree(json)) {
        total++;
        if (!"ALLOW".equals(v.path("verdict").asText())) {
          out.add(v.path("policy").asText() + " " + v.path("verdict").asText() + ": " + v.path("reason").asText());
        }
      }
    } catch (IOException e) {
      return List.of("unreadable verdicts");
    }
    if (out.isEmpty()) {
      out.add(total == 0 ? "none evaluated" : total + "/" + total + " allow");
    }
    return out;
  }

  /**
   * Reads the audit trail: no action may start in OBSERVE; in ASSIST, and for SEV1/SEV2 in every phase, an action
   * may start only after an approval of its incident was granted. Also checks the hash chain.
   */
  static List<String> auditViolations(SimulationHarness h) {
    List<String> out = new ArrayList<>();
    var verification = h.agent().auditLog().verify();
    if (!verification.intact()) {
      out.add("audit chain broken: " + verification.problem());
    }
    Set<String> approved = new HashSet<>();
    java.util.Map<String, Phase> phaseAtDecision = new java.util.HashMap<>();
    for (AuditRecord r : h.agent().auditLog().records()) {
      String type = r.entry().type();
      String incident = r.entry().incidentId();
      if (AuditTypes.DECISION.equals(type) && r.entry().data().containsKey("phase")) {
        phaseAtDecision.put(incident, Phase.valueOf(r.entry().data().get("phase")));
      }
      if (AuditTypes.APPROVAL_GRANTED.equals(type)) {
        approved.add(incident);
      }
      if (!AuditTypes.ACTION_STARTED.equals(type) || r.entry().data().containsKey("inverseOf")) {
        continue;
      }
      String severity = "";
      try {
        JsonNode snapshot = MAPPER.readTree(r.entry().data().getOrDefault(AuditTypes.KEY_INCIDENT, "{}"));
        severity = snapshot.path("severity").asText();
      } catch (IOException e) {
        out.add("unreadable incident snapshot in audit record " + r.sequence());
      }
      Phase p = phaseAtDecision.getOrDefault(incident, Phase.OBSERVE);
      boolean needsApproval = p == Phase.ASSIST || severity.equals("SEV1") || severity.equals("SEV2");
      if (p == Phase.OBSERVE) {
        out.add("action started in OBSERVE: audit record " + r.sequence());
      } else if (needsApproval && !approved.contains(incident)) {
        out.add("action started without approval for " + incident + " (" + severity + ", " + p + "): record "
            + r.sequence());
      }
    }
    return out;
  }
}
