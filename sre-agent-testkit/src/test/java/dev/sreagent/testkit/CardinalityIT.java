package dev.sreagent.testkit;

import org.junit.jupiter.api.Test;

/**
 * The cardinality test of issue #12 at its full size: 1,000,000 distinct series, 1,000,000 distinct log sources and
 * 1,000,000 distinct call edges through {@code agent.sink()} (about a minute on 2 shared cores; run by {@code .ci/run}
 * with {@code mvn -Pit}).
 */
class CardinalityIT {
  @Test
  void aMillionOneOffKeysOfEachKindStayWithinTheBoundsAndTheNextIncidentGetsAllItsEvidence() {
    CardinalityTest.check(1_000_000);
  }
}
