package dev.sreagent.testkit.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Runs {@link ExampleClusterCases} through the JUnit engine and checks the outcome of each test. */
class SreAgentExtensionTest {
  @Test
  void resolvesOneHarnessPerTestAndRunsTheScenario() {
    EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(ExampleClusterCases.class))
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.started(3).succeeded(2).failed(1));
  }
}
