package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The oracle is only worth its silence if it speaks: each of its checks, fed an effect that breaks it, reports it.
 * The setting: payments' certificate incident waits for an approval in ASSIST (nobody answers).
 */
class GuardrailOracleTest {
  private static SimulationHarness waitingForApproval() {
    SimulationHarness h = SimulationHarness.builder().setSeed(10).setPhase(Phase.ASSIST).setOnCallResponse(null)
        .build();
    h.runFor(Duration.ofMinutes(30));
    h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
    h.runFor(Duration.ofMinutes(5));
    assertThat(h.agent().incidents()).singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(IncidentState.AWAITING_APPROVAL));
    return h;
  }

  private static ExecutionContext planned(Incident inc, int index) {
    RemediationPlan plan = inc.plan();
    return new ExecutionContext(inc.id(), plan.idempotencyKey(index), 1, false);
  }

  @Test
  void anEffectWithoutTheApprovalItNeededIsReported() {
    try (SimulationHarness h = waitingForApproval()) {
      Incident inc = h.agent().incidents().get(0);
      h.oracle().onEffect(h.clock().now(), inc.plan().actions().get(0), planned(inc, 0));
      assertThat(h.oracle().violations()).singleElement().asString()
          .contains("needed a human (ASSIST, SEV3").contains("no valid approval of plan");
    }
  }

  @Test
  void theKillSwitchAFreezeAForeignServiceAndAForeignActionAreEachReported() {
    try (SimulationHarness h = waitingForApproval()) {
      Incident inc = h.agent().incidents().get(0);
      h.agent().killSwitch().engage("stop");
      h.agent().declareFreeze("sale", Duration.ofHours(1), "op", "test");
      Action foreign = new Action.ScaleReplicas("checkout", 2, 3);
      h.oracle().onEffect(h.clock().now(), foreign, new ExecutionContext(inc.id(), "k-1", 1, false));
      assertThat(h.oracle().violations()).anySatisfy(v -> assertThat(v).contains("kill switch was engaged (stop)"))
          .anySatisfy(v -> assertThat(v).contains("during change freeze 'sale'"))
          .anySatisfy(v -> assertThat(v).contains("outside the blast radius [payments] of INC-0001"))
          .anySatisfy(v -> assertThat(v).contains("not an action of the incident's current plan"));
    }
  }

  @Test
  void theSameActionOfAnIncidentTakingEffectTwiceIsReported() {
    try (SimulationHarness h = waitingForApproval()) {
      Incident inc = h.agent().incidents().get(0);
      Action renew = inc.plan().actions().get(0);
      h.oracle().onEffect(h.clock().now(), renew, new ExecutionContext(inc.id(), "key-a", 1, false));
      h.oracle().onEffect(h.clock().now(), renew, new ExecutionContext(inc.id(), "key-b", 2, false));
      assertThat(h.oracle().violations()).anySatisfy(v -> assertThat(v).contains("took effect twice"));
    }
  }
}
