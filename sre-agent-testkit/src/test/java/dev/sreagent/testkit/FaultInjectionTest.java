package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Phase;
import dev.sreagent.core.execution.ExecutorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Executors that fail, hang or succeed-but-report-failure on 30% of calls, across every built-in scenario and
 * several seeds: no action ever takes effect twice, nothing is retried past its budget, and every incident ends
 * (resolved, escalated or rolled back) instead of looping.
 */
class FaultInjectionTest {
  @Test
  void flakyExecutorsNeverCauseDuplicateEffectsOrEndlessLoops() {
    ExecutorPolicy policy = ExecutorPolicy.defaults().withTimeout(Duration.ofMillis(100)).withMaxAttempts(4);
    List<FlakyExecutor> flakies = new ArrayList<>();
    List<ScenarioResult> results = new ArrayList<>();
    for (long seed = 1; seed <= 4; seed++) {
      long s = seed;
      ScenarioRunner runner = new ScenarioRunner(Phase.AUTONOMOUS, seed, Duration.ofMinutes(3), null, null,
          b -> b.setExecutorPolicy(policy).setExecutorWrapper(real -> {
            FlakyExecutor f = new FlakyExecutor(real, 0.3, Duration.ofMillis(300), s * 1000 + flakies.size());
            flakies.add(f);
            return f;
          }));
      for (Scenario scenario : Scenarios.builtIn()) {
        results.add(runner.run(scenario));
      }
    }
    int injected = flakies.stream().mapToInt(f -> f.injected()[0] + f.injected()[1] + f.injected()[2]).sum();
    assertThat(injected).as("the test injected faults").isGreaterThanOrEqualTo(6);
    for (ScenarioResult r : results) {
      assertThat(r.violations()).as(r.scenario() + " seed " + r.seed()).isEmpty();
      for (ScenarioResult.IncidentSummary i : r.incidents()) {
        assertThat(i.state()).as(r.scenario() + " " + i).isIn(dev.sreagent.api.model.IncidentState.RESOLVED, dev.sreagent.api.model.IncidentState.ESCALATED,
            dev.sreagent.api.model.IncidentState.ROLLED_BACK);
      }
      if (r.faultType() != null) {
        assertThat(r.detectedSeconds()).as(r.scenario() + " detected").isNotNull();
      }
    }
    long resolved = results.stream().filter(r -> r.outcome() == ScenarioResult.Outcome.RESOLVED).count();
    assertThat(resolved).as("retries recover most remediations").isGreaterThan(results.size() / 2);
  }
}
