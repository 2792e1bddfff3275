package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** End to end: every built-in scenario in every phase, scored by the oracle and the audit trail. */
class BuiltInScenariosTest {
  private static List<ScenarioResult> runAll(Phase phase, long seed) {
    ScenarioRunner runner = new ScenarioRunner(phase, seed, Duration.ofMinutes(3), null, null);
    List<ScenarioResult> out = new ArrayList<>();
    for (Scenario s : Scenarios.builtIn()) {
      out.add(runner.run(s));
    }
    return out;
  }

  @Test
  void aScenarioRunAgainIntoTheSameAuditDirectoryStartsAfreshAndDetectsAgain(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    ScenarioRunner runner = new ScenarioRunner(Phase.AUTONOMOUS, 42, Duration.ofMinutes(3), dir, null);
    Scenario s = Scenarios.named("high-latency").orElseThrow();
    ScenarioResult first = runner.run(s);
    assertThat(dir.resolve("high-latency.audit.jsonl.detectors")).exists();
    ScenarioResult second = runner.run(s);
    // the first run's detector snapshot, restored, had learned its fault: the second run missed it
    assertThat(second.outcome()).as(second.toString()).isEqualTo(first.outcome())
        .isEqualTo(ScenarioResult.Outcome.RESOLVED);
  }

  @Test
  void autonomousDetectsDiagnosesAndResolvesEveryFaultAndStaysQuietWithoutOne() {
    for (ScenarioResult r : runAll(Phase.AUTONOMOUS, 42)) {
      assertThat(r.violations()).as(r.scenario()).isEmpty();
      assertThat(r.passed()).as(r.scenario() + " " + r).isTrue();
      if (r.faultType() == null) {
        assertThat(r.incidents()).as("no-fault run").isEmpty();
      } else if (r.scenario().equals("bad-remediation")) {
        assertThat(r.outcome()).isEqualTo(ScenarioResult.Outcome.ROLLED_BACK);
        assertThat(r.phaseChanges()).singleElement().asString().startsWith("high-latency AUTONOMOUS -> ASSIST");
        assertThat(r.incidents().get(0).outcome()).contains("got worse").contains("scale-in");
      } else {
        assertThat(r.outcome()).as(r.scenario()).isEqualTo(ScenarioResult.Outcome.RESOLVED);
        assertThat(r.falseIncidents()).as(r.scenario()).isZero();
        assertThat(r.incidents().get(0).guardrails()).as(r.scenario()).singleElement().asString().endsWith("allow");
      }
    }
  }

  @Test
  void observeExecutesNothingAndRecordsTheIntendedActions() {
    for (ScenarioResult r : runAll(Phase.OBSERVE, 42)) {
      assertThat(r.passed()).as(r.scenario()).isTrue();
      assertThat(r.actionsExecuted()).as(r.scenario()).isZero();
      if (r.faultType() != null) {
        assertThat(r.actionsShadowed()).as(r.scenario()).isPositive();
        assertThat(r.outcome()).as(r.scenario()).isEqualTo(ScenarioResult.Outcome.SHADOWED);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Phase.class, names = {"ASSIST", "AUTONOMOUS"})
  void nobodyOnCallMeansNothingNeedingApprovalRuns(Phase phase) {
    ScenarioRunner runner = new ScenarioRunner(phase, 42, null, null, null);
    ScenarioResult cascade = runner.run(Scenarios.named("cascading-failure").orElseThrow());
    assertThat(cascade.violations()).isEmpty();
    assertThat(cascade.actionsExecuted()).isZero();
    assertThat(cascade.approvalsRequested()).isPositive();
    assertThat(cascade.incidents()).singleElement().satisfies(i -> assertThat(i.state()).isEqualTo(dev.sreagent.api.model.IncidentState.ESCALATED));
  }

  @Test
  void otherSeedsPassToo() {
    for (long seed : new long[] {1, 7, 2026}) {
      for (ScenarioResult r : runAll(Phase.AUTONOMOUS, seed)) {
        assertThat(r.passed()).as(r.scenario() + " seed " + seed + " " + r).isTrue();
      }
    }
  }
}
