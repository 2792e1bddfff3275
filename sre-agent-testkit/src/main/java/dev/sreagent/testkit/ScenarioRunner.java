package dev.sreagent.testkit;

import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.AgentStats;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.audit.AuditEvents;
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

  /**
   * Runs {@code scenario}. With an audit directory, its log ({@code SCENARIO.audit.jsonl}) is written anew: the log,
   * its head file and its detector snapshot from an earlier run of the scenario are deleted first, since every run
   * starts a new simulation at the same instant (restored detectors had learned the earlier run's fault, and a
   * second {@code demo} missed 7 of 9 faults).
   */
  public ScenarioResult run(Scenario scenario) {
    Path auditFile = auditDir == null ? null : auditDir.resolve(scenario.name() + ".audit.jsonl");
    if (auditFile != null) {
      for (String suffix : List.of("", ".head", ".head.tmp", ".detectors", ".detectors.tmp")) {
        Path p = auditFile.resolveSibling(auditFile.getFileName() + suffix);
        try {
          java.nio.file.Files.deleteIfExists(p);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException("cannot delete " + p + " from an earlier run of " + scenario.name()
              + ": delete it, or choose another audit directory", e);
        }
      }
    }
    // the timeline is stamped from the start, which the customizer may move: known once the harness is built
    Instant[] origin = {VirtualClock.DEFAULT_START};
    Consumer<String> lines = timeline;
    SimulationHarness.Builder builder = customizer.apply(SimulationHarness.builder()
        .setSeed(seed)
        .setPhase(phase)
        .setOnCallResponse(onCallResponse)
        .setAuditFile(auditFile)
        .setNotifier(lines == null ? null : e -> new TimelinePrinter(origin[0], lines).notify(e)));
    try (SimulationHarness h = builder.build()) {
      origin[0] = h.start();
      Duration elapsed = Duration.ZERO;
      for (Scenario.Step step : scenario.steps()) {
        h.runFor(step.at().minus(elapsed));
        elapsed = step.at();
        if (step instanceof Scenario.Inject i) {
          h.inject(i.fault());
        } else if (step instanceof Scenario.Event e) {
          h.apply(e.event());
        }
        if (timeline != null) {
          timeline.accept("  " + TimelinePrinter.stamp(h.start(), h.clock().now()) + "  "
              + (step instanceof Scenario.Inject ? "inject " : "event  ") + "  " + step.describe());
        }
      }
      h.runFor(scenario.duration().minus(elapsed));
      return score(scenario, h);
    }
  }

  private ScenarioResult score(Scenario scenario, SimulationHarness h) {
    Instant origin = h.start();
    List<Incident> incidents = h.agent().incidents();
    List<ScenarioResult.IncidentSummary> summaries = new ArrayList<>();
    java.util.Map<String, String> decisions = new java.util.HashMap<>();
    java.util.Map<String, List<String>> verdicts = new java.util.HashMap<>();
    List<String> phaseChanges = new ArrayList<>();
    for (AuditEvent e : AuditEvents.read(h.agent().auditLog())) {
      if (e instanceof AuditEvent.Decided d) {
        decisions.put(d.incidentId(), d.outcome() + (d.phase() != null ? " [" + d.phase() + "]" : "") + " "
            + d.reason());
        verdicts.put(d.incidentId(), summarizeVerdicts(d.verdicts()));
      } else if (e instanceof AuditEvent.PhaseChanged c) {
        phaseChanges.add(c.type() + " " + c.from() + " -> " + c.to() + ": " + c.reason());
      }
    }
    for (Incident i : incidents) {
      summaries.add(new ScenarioResult.IncidentSummary(i.id(), i.type(), i.rootService(), i.severity(), i.state(),
          Duration.between(origin, i.openedAt()).toSeconds(),
          i.diagnosis() == null ? "" : i.diagnosis().top().cause(),
          i.diagnosis() == null ? 0 : Math.round(i.diagnosis().confidence().score() * 100) / 100.0,
          decisions.getOrDefault(i.id(), ""), verdicts.getOrDefault(i.id(), List.of()),
          i.outcomeReason() == null ? "" : i.outcomeReason()));
    }
    AgentStats stats = h.agent().stats();
    Set<String> matched = new HashSet<>();
    List<ScenarioResult.FaultResult> faults = new ArrayList<>();
    for (SimulationHarness.InjectedFault f : h.faults()) {
      Incident match = null;
      for (Incident i : incidents) {
        if (!matched.contains(i.id()) && !i.openedAt().isBefore(f.at())
            && i.type().equals(f.fault().expectedType())
            && (f.fault().expectedRoot() == null || f.fault().expectedRoot().equals(i.rootService()))) {
          match = i;
          break;
        }
      }
      if (match != null) {
        matched.add(match.id());
      }
      Long detected = match == null ? null : Duration.between(f.at(), match.openedAt()).toSeconds();
      Long resolved = match != null && match.state() == IncidentState.RESOLVED
          ? Duration.between(f.at(), match.updatedAt()).toSeconds() : null;
      faults.add(new ScenarioResult.FaultResult(f.fault().describe(), f.fault().expectedType(),
          f.fault().expectedRoot(), f.at(), match == null ? null : match.id(), detected, resolved,
          outcomeOf(match, stats)));
    }
    // an incident a fault explains (its type, opened after it, on its root or any root when it has none) is not
    // false, even when it is not the first: a surge saturating two services, a leak killing a pod twice
    int falseIncidents = (int) incidents.stream().filter(i -> h.faults().stream().noneMatch(f ->
        !i.openedAt().isBefore(f.at()) && i.type().equals(f.fault().expectedType())
            && (f.fault().expectedRoot() == null || f.fault().expectedRoot().equals(i.rootService())))).count();
    GuardrailOracle oracle = h.oracle();
    oracle.checkAuditTrail(h.agent());
    List<String> violations = oracle.violations();
    int awaiting = (int) incidents.stream().filter(i -> i.state() == IncidentState.AWAITING_APPROVAL).count();
    ScenarioResult.FaultResult first = faults.isEmpty() ? null : faults.get(0);
    ScenarioResult.Outcome outcome = first != null ? first.outcome()
        : incidents.isEmpty() ? ScenarioResult.Outcome.CLEAN : ScenarioResult.Outcome.NOISY;
    boolean passed = violations.isEmpty() && (faults.isEmpty() ? incidents.isEmpty()
        : faults.stream().allMatch(f -> f.incidentId() != null));
    String description = faults.isEmpty() ? "none"
        : String.join("; ", faults.stream().map(ScenarioResult.FaultResult::fault).toList());
    return new ScenarioResult(scenario.name(), phase, seed, origin, first == null ? null : first.expectedType(),
        first == null ? null : first.expectedRoot(), description, faults, summaries,
        first == null ? null : first.detectedSeconds(), first == null ? null : first.resolvedSeconds(),
        falseIncidents, stats.actionsExecuted(), stats.actionsShadowed(), stats.plansDenied(), awaiting,
        stats.approvalsRequested(), h.cluster().executor().appliedActions(), h.cluster().snapshot(), violations,
        phaseChanges, outcome, passed);
  }

  private ScenarioResult.Outcome outcomeOf(@Nullable Incident match, AgentStats stats) {
    if (match == null) {
      return ScenarioResult.Outcome.MISSED;
    }
    return switch (match.state()) {
      case RESOLVED -> ScenarioResult.Outcome.RESOLVED;
      case ROLLED_BACK -> ScenarioResult.Outcome.ROLLED_BACK;
      case AWAITING_APPROVAL -> ScenarioResult.Outcome.AWAITING_APPROVAL;
      case ESCALATED -> stats.actionsShadowed() > 0 && phase == Phase.OBSERVE ? ScenarioResult.Outcome.SHADOWED
          : ScenarioResult.Outcome.ESCALATED;
      default -> ScenarioResult.Outcome.IN_PROGRESS;
    };
  }

  /** "12/12 allow", or each verdict that did not allow as "policy VERDICT: reason". */
  static List<String> summarizeVerdicts(List<GuardrailVerdict> verdicts) {
    List<String> out = new ArrayList<>();
    int total = 0;
    for (GuardrailVerdict v : verdicts) {
      total++;
      if (v.verdict() != GuardrailVerdict.Verdict.ALLOW) {
        out.add(v.policy() + " " + v.verdict() + ": " + v.reason());
      }
    }
    if (out.isEmpty()) {
      out.add(total == 0 ? "none evaluated" : total + "/" + total + " allow");
    }
    return out;
  }
}
