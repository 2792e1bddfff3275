package dev.sreagent.core.guardrail;

import static dev.sreagent.core.guardrail.Fixtures.NOW;
import static dev.sreagent.core.guardrail.Fixtures.incident;
import static dev.sreagent.core.guardrail.Fixtures.service;
import static dev.sreagent.core.guardrail.Fixtures.topology;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.ProposedAction;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.SafetyDecision.Outcome;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.Guardrail;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SafetyGateTest {
  private final Topology topo = topology(service("cart", 3, 10, 2), service("web", 27, 40, 1));
  private final SafetyGate gate = SafetyGate.builtIn(GuardrailLimits.defaults(), new KillSwitch(), Set.of(),
      List.of());
  private final RemediationPlan restart = new RemediationPlan("INC-1",
      List.of(new Action.RestartPods("cart", List.of("cart-0"))), "x");

  @Test
  void phaseRules() {
    assertThat(gate.decide(incident(Severity.SEV3, 0.9), restart, Phase.OBSERVE, topo, List.of(), NOW, false)
        .outcome()).isEqualTo(Outcome.SHADOW);
    assertThat(gate.decide(incident(Severity.SEV3, 0.9), restart, Phase.ASSIST, topo, List.of(), NOW, false)
        .outcome()).isEqualTo(Outcome.NEEDS_APPROVAL);
    assertThat(gate.decide(incident(Severity.SEV3, 0.9), restart, Phase.AUTONOMOUS, topo, List.of(), NOW, false)
        .outcome()).isEqualTo(Outcome.EXECUTE);
    assertThat(gate.decide(incident(Severity.SEV2, 0.9), restart, Phase.AUTONOMOUS, topo, List.of(), NOW, false)
        .outcome()).isEqualTo(Outcome.NEEDS_APPROVAL);
    assertThat(gate.decide(incident(Severity.SEV1, 0.9), restart, Phase.AUTONOMOUS, topo, List.of(), NOW, true)
        .outcome()).isEqualTo(Outcome.EXECUTE);
    assertThat(gate.decide(incident(Severity.SEV3, 0.3), restart, Phase.AUTONOMOUS, topo, List.of(), NOW, false)
        .reason()).contains("diagnosis-confidence");
  }

  @Test
  void anApprovalNeverOverridesADenial() {
    RemediationPlan wild = new RemediationPlan("INC-1", List.of(new Action.TruncateLogs("cart", "n1", "/etc")), "x");
    var d = gate.decide(incident(Severity.SEV3, 0.9), wild, Phase.AUTONOMOUS, topo, List.of(), NOW, true);
    assertThat(d.outcome()).isEqualTo(Outcome.DENY);
    assertThat(d.verdicts()).anyMatch(v -> v.policy().equals("truncation-allow-list")
        && v.verdict() == GuardrailVerdict.Verdict.DENY);
  }

  @Test
  void anEmptyPlanIsEscalated() {
    var d = gate.decide(incident(Severity.SEV3, 0.9), new RemediationPlan("INC-1", List.of(), "x"),
        Phase.AUTONOMOUS, topo, List.of(), NOW, false);
    assertThat(d.outcome()).isEqualTo(Outcome.DENY);
  }

  @Test
  void actionsOfOnePlanAddUpAgainstTheCaps() {
    // fleet of 30 pods: cap 3; two restarts of 2 pods each in one plan exceed it
    Topology t = topology(service("cart", 3, 10, 0), service("web", 27, 40, 0));
    RemediationPlan two = new RemediationPlan("INC-1", List.of(new Action.RestartPods("cart", List.of("cart-0",
        "cart-1")), new Action.RestartPods("web", List.of("web-0", "web-1"))), "x");
    assertThat(gate.decide(incident(Severity.SEV3, 0.9), two, Phase.AUTONOMOUS, t, List.of(), NOW, false)
        .verdicts()).anyMatch(v -> v.policy().equals("fleet-restart-cap")
            && v.verdict() == GuardrailVerdict.Verdict.DENY);
  }

  @Test
  void aGuardrailThatThrowsDenies() {
    Guardrail broken = new Guardrail() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public GuardrailVerdict evaluate(ProposedAction proposal) {
        throw new IllegalStateException("boom");
      }
    };
    SafetyGate g = SafetyGate.builtIn(GuardrailLimits.defaults(), new KillSwitch(), Set.of(), List.of(broken));
    var d = g.decide(incident(Severity.SEV3, 0.9), restart, Phase.AUTONOMOUS, topo, List.of(), NOW, false);
    assertThat(d.outcome()).isEqualTo(Outcome.DENY);
    assertThat(d.reason()).contains("broken").contains("boom");
  }
}
