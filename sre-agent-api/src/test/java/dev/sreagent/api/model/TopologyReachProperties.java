package dev.sreagent.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** {@link Topology#reachesAny}: the same answer as a search over the edges, on graphs with cycles and self-loops. */
class TopologyReachProperties {

  /** The oracle: a search that follows {@link Topology#dependenciesOf} one service at a time. */
  private static boolean oracle(Topology t, String from, Set<String> targets) {
    Deque<String> todo = new ArrayDeque<>(t.dependenciesOf(from));
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      String s = todo.pop();
      if (seen.add(s)) {
        if (targets.contains(s)) {
          return true;
        }
        todo.addAll(t.dependenciesOf(s));
      }
    }
    return false;
  }

  @Property(tries = 300)
  void reachesAnyAgreesWithASearchAlongTheCalls(@ForAll long seed) {
    Random rng = new Random(seed);
    int n = 1 + rng.nextInt(12);
    Set<Topology.Dependency> deps = new HashSet<>();
    for (int i = 0; i < n * 2; i++) {
      deps.add(new Topology.Dependency("s" + rng.nextInt(n), "s" + rng.nextInt(n)));  // self-loops and cycles too
    }
    Topology t = new Topology(Map.of(), deps);
    for (int i = 0; i < n + 1; i++) {  // s<n> is no service
      Set<String> targets = new HashSet<>(java.util.List.of("s" + rng.nextInt(n + 1), "s" + rng.nextInt(n + 1)));
      assertThat(t.reachesAny("s" + i, targets)).isEqualTo(oracle(t, "s" + i, targets));
    }
  }

  @Test
  void aLongChainIsFollowedToItsEndAndNotBackwards() {
    Set<Topology.Dependency> deps = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      deps.add(new Topology.Dependency("s" + i, "s" + (i + 1)));
    }
    Topology t = new Topology(Map.of(), deps);

    assertThat(t.reaches("s0", "s100000")).isTrue();
    assertThat(t.reaches("s100000", "s0")).isFalse();
    assertThat(t.reaches("s5", "s5")).as("no cycle, no self-reach").isFalse();
  }
}
