package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedClusterTest {
  private static List<Signal> record(long seed, int steps) {
    SimulatedCluster c = SimulatedCluster.builder().setSeed(seed).build();
    List<Signal> out = new ArrayList<>();
    c.start(out::add);
    for (int i = 0; i < steps; i++) {
      c.advance(Duration.ofSeconds(15));
    }
    return out;
  }

  @Test
  void theSameSeedGivesTheSameTelemetry() {
    assertThat(record(5, 40)).isEqualTo(record(5, 40));
    assertThat(record(5, 40)).isNotEqualTo(record(6, 40));
  }

  @Test
  void latencyRespondsToLoadAndCapacity() {
    SimulatedCluster c = SimulatedCluster.builder().build();
    c.advance(Duration.ofSeconds(15));
    double before = c.latencyP99("frontend");
    c.injectCapacityLoss("frontend", 0.55);
    c.advance(Duration.ofSeconds(15));
    double degraded = c.latencyP99("frontend");
    assertThat(degraded).isGreaterThan(before * 1.5);
    ActionResult r = c.executor().execute(new Action.ScaleReplicas("frontend", 4, 7),
        new ExecutionContext("INC-1", "k1", 1, false));
    assertThat(r.succeeded()).isTrue();
    c.advance(Duration.ofSeconds(15));
    assertThat(c.latencyP99("frontend")).isLessThan(degraded);
    assertThat(c.replicas("frontend")).isEqualTo(7);
  }

  @Test
  void actionsChangeTheStateForReal() {
    SimulatedCluster c = SimulatedCluster.builder().build();
    c.injectBadDeploy("cart", 0.3, Duration.ZERO);
    c.advance(Duration.ofSeconds(15));
    assertThat(c.errorRatio("cart")).isGreaterThan(0.25);
    assertThat(c.errorRatio("checkout")).as("errors propagate to callers").isGreaterThan(0.2);
    c.executor().execute(new Action.RollBack("cart", "r3", "r2"), new ExecutionContext("INC-1", "k", 1, false));
    c.advance(Duration.ofSeconds(15));
    assertThat(c.currentRevision("cart")).isEqualTo("r2");
    assertThat(c.errorRatio("cart")).isLessThan(0.01);

    c.injectLeak("cart", 0.05);
    for (int i = 0; i < 20; i++) {
      c.advance(Duration.ofSeconds(15));
    }
    Map<String, Double> mem = c.podMemory("cart");
    String leaking = mem.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    assertThat(mem.get(leaking)).isGreaterThan(0.6);
    c.executor().execute(new Action.RestartPods("cart", List.of(leaking)), new ExecutionContext("INC-2", "k2", 1,
        false));
    assertThat(c.podMemory("cart")).doesNotContainKey(leaking).allSatisfy((k, v) -> assertThat(v).isLessThan(0.6));
  }

  @Test
  void theExecutorIsIdempotentAndFenced() {
    SimulatedCluster c = SimulatedCluster.builder().build();
    Action scale = new Action.ScaleReplicas("cart", 3, 4);
    c.executor().execute(scale, new ExecutionContext("INC-1", "same", 5, false));
    c.executor().execute(scale, new ExecutionContext("INC-1", "same", 5, false));
    assertThat(c.replicas("cart")).isEqualTo(4);
    assertThat(c.oracle().violations()).isEmpty();
    assertThat(c.executor().deliveries()).containsEntry("same", 2);
    assertThat(c.executor().applied()).hasSize(1);
    ActionResult stale = c.executor().execute(new Action.ScaleReplicas("cart", 4, 5),
        new ExecutionContext("INC-1", "other", 4, false));
    assertThat(stale.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(c.replicas("cart")).isEqualTo(4);
  }

  @Test
  void theOracleSeesUnsafeActions() {
    SimulatedCluster c = SimulatedCluster.builder().build();
    c.executor().execute(new Action.ScaleReplicas("cart", 3, 11), new ExecutionContext("I", "a", 1, false));
    c.executor().execute(new Action.TruncateLogs("cart", "node-1", "/etc"), new ExecutionContext("I", "b", 1,
        false));
    assertThat(c.oracle().violations()).hasSize(2);
  }

  @Test
  void badSpecsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> SimulatedCluster.builder().setServices(List.of(new ServiceSpec("a", 1, 2, 0, 10, 0.01,
        0, Map.of("b", 1.0), 10, ""))).build()).hasMessageContaining("unknown service 'b'");
    assertThatThrownBy(() -> SimulatedCluster.builder().setServices(List.of(
        new ServiceSpec("a", 1, 2, 0, 10, 0.01, 0, Map.of("b", 1.0), 10, ""),
        new ServiceSpec("b", 1, 2, 0, 10, 0.01, 0, Map.of("a", 1.0), 0, ""))).build()).hasMessageContaining("cycle");
  }
}
