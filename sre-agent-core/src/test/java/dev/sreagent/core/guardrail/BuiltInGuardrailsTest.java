package dev.sreagent.core.guardrail;

import static dev.sreagent.core.guardrail.Fixtures.NOW;
import static dev.sreagent.core.guardrail.Fixtures.proposal;
import static dev.sreagent.core.guardrail.Fixtures.service;
import static dev.sreagent.core.guardrail.Fixtures.topology;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.GuardrailVerdict.Verdict;
import dev.sreagent.api.model.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BuiltInGuardrailsTest {
  private final Topology topo = topology(service("cart", 3, 10, 2), service("web", 17, 20, 1));

  @Test
  void fleetRestartCapCountsRecentRestartsAndQuotesTheNumbers() {
    FleetRestartCapGuardrail g = new FleetRestartCapGuardrail(0.10, Duration.ofMinutes(10));
    Action one = new Action.RestartPods("cart", List.of("cart-0"));
    assertThat(g.evaluate(proposal(one, topo, List.of())).verdict()).isEqualTo(Verdict.ALLOW);
    List<ExecutedAction> recent = List.of(new ExecutedAction(new Action.RestartPods("web", List.of("web-0",
        "web-1")), "INC-0", NOW.minusSeconds(60), "k"));
    GuardrailVerdict v = g.evaluate(proposal(one, topo, recent));
    assertThat(v.verdict()).isEqualTo(Verdict.DENY);
    assertThat(v.policy()).isEqualTo("fleet-restart-cap");
    assertThat(v.reason()).contains("2 pods restarted").contains("of 20 pods = 2");
    List<ExecutedAction> old = List.of(new ExecutedAction(new Action.RestartPods("web", List.of("web-0",
        "web-1")), "INC-0", NOW.minus(Duration.ofMinutes(11)), "k"));
    assertThat(g.evaluate(proposal(one, topo, old)).verdict()).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void podDisruptionBudgetIsRespected() {
    PodDisruptionBudgetGuardrail g = new PodDisruptionBudgetGuardrail();
    Topology tight = topology(service("cart", 2, 10, 2));
    assertThat(g.evaluate(proposal(new Action.RestartPods("cart", List.of("cart-0")), tight, List.of())).verdict())
        .isEqualTo(Verdict.DENY);
    assertThat(g.evaluate(proposal(new Action.RestartPods("cart", List.of("cart-0")), topo, List.of())).verdict())
        .isEqualTo(Verdict.ALLOW);
    assertThat(g.evaluate(proposal(new Action.RestartPods("cart", List.of("ghost")), topo, List.of())).reason())
        .contains("not a current pod");
    assertThat(g.evaluate(proposal(new Action.ScaleReplicas("cart", 3, 1), topo, List.of())).verdict())
        .isEqualTo(Verdict.DENY);
  }

  @Test
  void scaleOutIsBoundedByHpaMaxAndTheCeiling() {
    assertThat(new ScaleCeilingGuardrail(50).evaluate(proposal(new Action.ScaleReplicas("cart", 3, 11), topo,
        List.of())).verdict()).isEqualTo(Verdict.DENY);
    assertThat(new ScaleCeilingGuardrail(4).evaluate(proposal(new Action.ScaleReplicas("cart", 3, 5), topo,
        List.of())).verdict()).isEqualTo(Verdict.DENY);
    assertThat(new ScaleCeilingGuardrail(50).evaluate(proposal(new Action.ScaleReplicas("cart", 3, 5), topo,
        List.of())).verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(new ScaleCeilingGuardrail(50).evaluate(proposal(new Action.ScaleReplicas("cart", 2, 5), topo,
        List.of())).reason()).contains("stale");
  }

  @Test
  void rollbackOnlyToAHealthyRevisionFromTheCurrentOne() {
    RollbackTargetGuardrail g = new RollbackTargetGuardrail();
    assertThat(g.evaluate(proposal(new Action.RollBack("cart", "r3", "r1"), topo, List.of())).verdict())
        .isEqualTo(Verdict.ALLOW);
    assertThat(g.evaluate(proposal(new Action.RollBack("cart", "r3", "r2"), topo, List.of())).reason())
        .contains("was not healthy");
    assertThat(g.evaluate(proposal(new Action.RollBack("cart", "r2", "r1"), topo, List.of())).reason())
        .contains("stale");
    assertThat(g.evaluate(proposal(new Action.RollBack("cart", "r3", "r9"), topo, List.of())).verdict())
        .isEqualTo(Verdict.DENY);
  }

  @Test
  void rollingForwardToAnUnhealthyRevisionIsAllowedOnlyAsTheInverseOfTheAgentsOwnRollbackOfThatIncident() {
    Action forward = new Action.RollBack("cart", "r3", "r2");  // cart runs r3; r2 was not healthy
    ExecutedAction own = new ExecutedAction(new Action.RollBack("cart", "r2", "r3"), "INC-1", NOW.minusSeconds(600),
        "k1");
    assertThat(new RollbackTargetGuardrail().evaluate(proposal(forward, topo, List.of(own))).verdict())
        .as("off by default: the rollback stays in place and the incident escalates").isEqualTo(Verdict.DENY);
    assertThat(GuardrailLimits.defaults().revertsOwnRollbacks()).isFalse();
    RollbackTargetGuardrail g = new RollbackTargetGuardrail(
        GuardrailLimits.defaults().withRevertOfOwnRollbacks(true).revertsOwnRollbacks());
    GuardrailVerdict inverse = g.evaluate(proposal(forward, topo, List.of(own)));
    assertThat(inverse.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(inverse.reason()).contains("state before the agent's own rollback(cart;r2->r3)", "INC-1");

    ExecutedAction otherIncident = new ExecutedAction(new Action.RollBack("cart", "r2", "r3"), "INC-9",
        NOW.minusSeconds(600), "k2");
    ExecutedAction otherRevisions = new ExecutedAction(new Action.RollBack("cart", "r1", "r3"), "INC-1",
        NOW.minusSeconds(600), "k3");
    ExecutedAction otherService = new ExecutedAction(new Action.RollBack("web", "r2", "r3"), "INC-1",
        NOW.minusSeconds(600), "k4");
    for (ExecutedAction e : List.of(otherIncident, otherRevisions, otherService)) {
      assertThat(g.evaluate(proposal(forward, topo, List.of(e))).reason()).as(e.toString())
          .contains("was not healthy");
    }
    // the agent's own rollback does not make a stale inverse acceptable
    assertThat(g.evaluate(proposal(new Action.RollBack("cart", "r2", "r1"), topo, List.of(own))).reason())
        .contains("stale");
  }

  @Test
  void truncationIsConfinedToTheAllowListAfterNormalisation() {
    TruncationAllowListGuardrail g = new TruncationAllowListGuardrail(List.of("/var/log/"));
    assertThat(g.evaluate(proposal(new Action.TruncateLogs("cart", "n1", "/var/log/pods/cart"), topo, List.of()))
        .verdict()).isEqualTo(Verdict.ALLOW);
    for (String bad : List.of("/var/log/../../etc", "/etc/passwd", "var/log/x", "/var/logs/x", "/")) {
      assertThat(g.evaluate(proposal(new Action.TruncateLogs("cart", "n1", bad), topo, List.of())).verdict())
          .as(bad).isEqualTo(Verdict.DENY);
    }
  }

  @Test
  void limitsCanTightenButNeverLoosen() {
    assertThatThrownBy(() -> GuardrailLimits.builder().setMaxFleetRestartFraction(0.2))
        .hasMessageContaining("maxFleetRestartFraction must be within (0, 0.1] (hard ceiling), but was 0.2");
    assertThatThrownBy(() -> GuardrailLimits.builder().setCooldown(Duration.ofMinutes(1)))
        .hasMessageContaining("hard floor");
    assertThatThrownBy(() -> GuardrailLimits.builder().setTruncationAllowList(List.of("/etc/")))
        .hasMessageContaining("system directory /etc");
    assertThatThrownBy(() -> GuardrailLimits.builder().setTruncationAllowList(List.of("/var/log/../")))
        .hasMessageContaining("normalised");
    assertThat(GuardrailLimits.builder().setMaxFleetRestartFraction(0.05).build().maxFleetRestartFraction())
        .isEqualTo(0.05);
  }

  @Test
  void catalogKillSwitchFreezeCooldownRateLimit() {
    Action custom = new Action.Custom("drop-database", "cart", Map.of());
    assertThat(new ActionCatalogGuardrail(Set.of()).evaluate(proposal(custom, topo, List.of())).verdict())
        .isEqualTo(Verdict.DENY);
    assertThat(new ActionCatalogGuardrail(Set.of("drop-database")).evaluate(proposal(custom, topo, List.of()))
        .verdict()).isEqualTo(Verdict.ALLOW);
    KillSwitch ks = new KillSwitch();
    Action scale = new Action.ScaleReplicas("cart", 3, 4);
    assertThat(new KillSwitchGuardrail(ks).evaluate(proposal(scale, topo, List.of())).verdict())
        .isEqualTo(Verdict.ALLOW);
    ks.engage("game day");
    assertThat(new KillSwitchGuardrail(ks).evaluate(proposal(scale, topo, List.of())).reason())
        .contains("game day");
    ChangeFreezeGuardrail freeze = new ChangeFreezeGuardrail(List.of(new FreezeWindow("sale", NOW.minusSeconds(1),
        NOW.plusSeconds(60))));
    assertThat(freeze.evaluate(proposal(scale, topo, List.of())).reason()).contains("sale");
    List<ExecutedAction> recent = List.of(new ExecutedAction(scale, "INC-0", NOW.minusSeconds(60), "k"));
    assertThat(new CooldownGuardrail(Duration.ofMinutes(15)).evaluate(proposal(scale, topo, recent)).verdict())
        .isEqualTo(Verdict.DENY);
    assertThat(new RateLimitGuardrail(1).evaluate(proposal(scale, topo, recent)).verdict()).isEqualTo(Verdict.DENY);
    assertThat(new RateLimitGuardrail(2).evaluate(proposal(scale, topo, recent)).verdict())
        .isEqualTo(Verdict.ALLOW);
  }
}
