package dev.sreagent.core.guardrail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random storms of restart and scale proposals against random fleets: whatever the gate lets run never restarts
 * more than 10% of the fleet in 10 minutes, never breaks a PodDisruptionBudget and never scales past the HPA
 * maximum; every denial names its policy. (The safety issue extends this to every incident type and to
 * adversarial reasoner output.)
 */
class GuardrailInvariantProperties {
  @Property(tries = 500)
  void executedActionsNeverBreakTheInvariants(@ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int services,
      @ForAll @IntRange(min = 1, max = 60) int proposals) {
    Random rng = new Random(seed);
    List<ServiceInfo> infos = new ArrayList<>();
    for (int i = 0; i < services; i++) {
      int replicas = 1 + rng.nextInt(12);
      infos.add(Fixtures.service("s" + i, replicas, replicas + rng.nextInt(6), rng.nextInt(replicas + 1)));
    }
    Topology topo = Fixtures.topology(infos.toArray(ServiceInfo[]::new));
    SafetyGate gate = SafetyGate.builtIn(GuardrailLimits.defaults(), new KillSwitch(), Set.of(), List.of());
    List<ExecutedAction> history = new ArrayList<>();
    Instant now = Fixtures.NOW;
    for (int p = 0; p < proposals; p++) {
      now = now.plusSeconds(rng.nextInt(600));
      ServiceInfo s = infos.get(rng.nextInt(infos.size()));
      Action a;
      if (rng.nextBoolean()) {
        List<String> pods = new ArrayList<>(s.pods().subList(0, 1 + rng.nextInt(s.pods().size())));
        a = new Action.RestartPods(s.name(), pods);
      } else {
        a = new Action.ScaleReplicas(s.name(), s.replicas(), s.replicas() + 1 + rng.nextInt(8));
      }
      RemediationPlan plan = new RemediationPlan("INC-" + p, List.of(a), "storm");
      SafetyDecision d = gate.decide(Fixtures.incident(Severity.SEV3, 0.9), plan, Phase.AUTONOMOUS, topo, history,
          now, false);
      if (d.outcome() == SafetyDecision.Outcome.DENY) {
        assertThat(d.reason()).startsWith("denied by ");
        continue;
      }
      assertThat(d.outcome()).isEqualTo(SafetyDecision.Outcome.EXECUTE);
      history.add(new ExecutedAction(a, "INC-" + p, now, "k" + p));
      Instant windowStart = now.minus(Duration.ofMinutes(10));
      int restarted = history.stream().filter(e -> !e.at().isBefore(windowStart))
          .mapToInt(e -> e.action() instanceof Action.RestartPods r ? r.pods().size() : 0).sum();
      assertThat(restarted).isLessThanOrEqualTo((int) Math.floor(0.10 * topo.fleetSize()));
      if (a instanceof Action.RestartPods) {
        assertThat(s.replicas() - 1).isGreaterThanOrEqualTo(s.minAvailable());
      }
      if (a instanceof Action.ScaleReplicas sc) {
        assertThat(sc.toReplicas()).isLessThanOrEqualTo(s.maxReplicas());
      }
    }
  }
}
