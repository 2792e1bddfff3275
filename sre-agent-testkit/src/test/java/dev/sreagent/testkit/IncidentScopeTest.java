package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.port.RemediationPlanner;
import dev.sreagent.core.audit.AuditTypes;
import dev.sreagent.core.guardrail.GuardrailLimits;
import dev.sreagent.core.guardrail.ScopeException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Issue #12, defect 2: a planner (custom, or a language model's proposal) could act on any service. For a SEV3
 * certificate incident on payments, plans that restart an email pod, scale shipping 2 -> 1, scale checkout 2 -> 8,
 * renew another service's certificate or roll back ads all ran in AUTONOMOUS with "12/12 allow". The incident's blast
 * radius now bounds its plan.
 */
class IncidentScopeTest {
  /** Plans for payments' certificate incident that reach outside it. */
  private static final List<String> OUT_OF_SCOPE = List.of("restart-email-pod", "scale-in-shipping",
      "scale-out-checkout", "renew-ads-certificate", "renew-ads-certificate-as-payments", "rollback-ads");

  private static Action outOfScope(String name, dev.sreagent.api.model.Topology t) {
    return switch (name) {
      case "restart-email-pod" -> new Action.RestartPods("email", List.of(t.service("email").orElseThrow().pods()
          .get(0)));
      case "scale-in-shipping" -> new Action.ScaleReplicas("shipping", 2, 1);
      case "scale-out-checkout" -> new Action.ScaleReplicas("checkout", 2, 8);
      case "renew-ads-certificate" -> new Action.RenewCertificate("ads", "ads-tls");
      case "renew-ads-certificate-as-payments" -> new Action.RenewCertificate("payments", "ads-tls");
      case "rollback-ads" -> new Action.RollBack("ads", "r2", "r1");
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static SimulationHarness withPlanner(RemediationPlanner planner,
      UnaryOperator<GuardrailLimits> limits) {
    return SimulationHarness.builder().setSeed(10)
        .setAgentCustomizer(a -> a.setPlanner(planner).setGuardrailLimits(limits.apply(GuardrailLimits.defaults())))
        .build();
  }

  private static void certificateIncident(SimulationHarness h) {
    h.runFor(Duration.ofMinutes(30));
    h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
    h.runFor(Duration.ofMinutes(20));
  }

  @ParameterizedTest
  @ValueSource(strings = {"restart-email-pod", "scale-in-shipping", "scale-out-checkout", "renew-ads-certificate",
      "renew-ads-certificate-as-payments", "rollback-ads"})
  void anActionOutsideTheIncidentIsDenied(String name) {
    try (SimulationHarness h = withPlanner((inc, topo) -> new RemediationPlan(inc.id(), List.of(
        new Action.RenewCertificate("payments", "payments-mtls"), outOfScope(name, topo)), "a confused planner"),
        b -> b)) {
      certificateIncident(h);
      assertThat(h.cluster().executor().appliedActions()).as("nothing ran, not even the in-scope renewal").isEmpty();
      assertThat(h.agent().incidents()).singleElement().satisfies(i -> {
        assertThat(i.severity().name()).isEqualTo("SEV3");
        assertThat(i.state()).isEqualTo(IncidentState.ESCALATED);
        assertThat(i.outcome()).isEqualTo(dev.sreagent.api.model.IncidentOutcome.DENIED);
        assertThat(i.outcomeReason()).startsWith("denied by incident-scope: ");
      });
      assertThat(h.oracle().violations()).isEmpty();
    }
  }

  @Test
  void everyOutOfScopeActionIsNamedInTheAuditedVerdicts() {
    try (SimulationHarness h = withPlanner((inc, topo) -> new RemediationPlan(inc.id(), OUT_OF_SCOPE.stream()
        .map(n -> outOfScope(n, topo)).toList(), "all of them"), b -> b)) {
      certificateIncident(h);
      AuditRecord decision = h.records(AuditTypes.DECISION).get(0);
      String verdicts = decision.entry().data().get("verdicts");
      assertThat(decision.entry().data()).containsEntry("outcome", "DENY");
      for (String service : List.of("email", "shipping", "checkout", "ads")) {
        assertThat(verdicts).contains("acts on " + service + ", outside the blast radius of INC-0001 [payments]");
      }
      assertThat(verdicts).contains("certificate 'ads-tls' is not one INC-0001's anomalies name [payments-mtls]");
    }
  }

  @Test
  void aNamedScopeExceptionAllowsItAndTheDecisionQuotesIt() {
    try (SimulationHarness h = withPlanner((inc, topo) -> new RemediationPlan(inc.id(), List.of(
        new Action.RenewCertificate("payments", "payments-mtls"), new Action.RenewCertificate("ads", "ads-tls")),
        "renew the shared chain"), b -> b.withScopeException(new ScopeException("shared-ca-chain",
            "renew-certificate", "ads")))) {
      certificateIncident(h);
      assertThat(h.cluster().executor().appliedActions()).extracting(a -> a.action().canonical())
          .containsExactly("renew-certificate(payments;payments-mtls)", "renew-certificate(ads;ads-tls)");
      assertThat(h.records(AuditTypes.DECISION).get(0).entry().data().get("verdicts"))
          .contains("allowed by scope exception 'shared-ca-chain'");
      assertThat(h.oracle().violations()).as("the oracle accepts an audited, named exception").isEmpty();
    }
  }

  @Test
  void theCatalogPlanStaysInsideAndRuns() {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(10).build()) {
      certificateIncident(h);
      assertThat(h.cluster().executor().appliedActions()).singleElement()
          .satisfies(a -> assertThat(a.action().service()).isEqualTo("payments"));
      assertThat(h.records(AuditTypes.DECISION).get(0).entry().data().get("verdicts"))
          .contains("payments is in the blast radius of INC-0001 [payments]");
    }
  }
}
