package dev.sreagent.core.reasoning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A latency incident seen only on the calls into its root (the call-edge latency detector: a network delay at the
 * pod or on the path) is escalated, not scaled out: more replicas do not shorten a network path. Once the root's own
 * latency is slow too, the usual scale-out applies.
 */
class CatalogPlannerCallEdgeTest {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");
  private static final Topology TOPOLOGY = new Topology(Map.of("cart", new ServiceInfo("cart", "shop", 2, 10, 1,
      "r1", List.of(), List.of())), Set.of());

  private static Anomaly slow(String signal, String resource) {
    return new Anomaly(IncidentType.HIGH_LATENCY, "cart", resource, signal, 0.21, 0.008, 0.9, Severity.SEV2, T0,
        T0.plusSeconds(120), "slow");
  }

  @Test
  void aDelayOnlyOnTheCallsIntoTheRootIsEscalatedWithTheReason() {
    Incident inc = Incident.open("INC-0001", slow(MetricNames.CLIENT_LATENCY_P50, "checkout->cart"), "cart", T0)
        .withAnomaly(slow(MetricNames.CLIENT_LATENCY_P50, "frontend->cart"), "cart", IncidentType.HIGH_LATENCY, T0);
    assertThat(new EvidenceReasoner().diagnose(inc, List.of()).top().cause())
        .isEqualTo("network delay into cart (at its pod or on the path to it)");
    RemediationPlan plan = new CatalogPlanner().plan(inc, TOPOLOGY);
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.rationale()).contains("calls into cart are slow while its own latency is not")
        .contains("escalated");
  }

  @Test
  void whenTheRootsOwnLatencyIsSlowTooItIsScaledOutAsBefore() {
    Incident inc = Incident.open("INC-0001", slow(MetricNames.CLIENT_LATENCY_P50, "checkout->cart"), "cart", T0)
        .withAnomaly(slow(MetricNames.LATENCY_P99, "cart"), "cart", IncidentType.HIGH_LATENCY, T0);
    assertThat(new EvidenceReasoner().diagnose(inc, List.of()).top().cause()).doesNotStartWith("network delay");
    assertThat(new CatalogPlanner().plan(inc, TOPOLOGY).actions())
        .containsExactly(new Action.ScaleReplicas("cart", 2, 3));
  }

  @Test
  void callsIntoARootWhoseOwnP99RoseTooAreItsOwnSlownessNotADelay() {
    // its own latency anomaly went to an earlier incident (scaled out, rolled back); the calls into it page again
    Incident inc = Incident.open("INC-0002", slow(MetricNames.CLIENT_LATENCY_P50, "checkout->cart"), "cart", T0)
        .withEvidence(new dev.sreagent.api.model.Evidence(List.of(new dev.sreagent.api.model.MetricWindow(
            MetricNames.LATENCY_P99 + "{service.name=cart,}", "cart", T0.minusSeconds(1800), T0, 120, 0.13, 0.25,
            0.2, 0.24)), List.of(), List.of(), Set.of()), T0);
    assertThat(new EvidenceReasoner().diagnose(inc, List.of()).top().cause()).startsWith("capacity loss in cart");
    assertThat(new CatalogPlanner().plan(inc, TOPOLOGY).actions())
        .containsExactly(new Action.ScaleReplicas("cart", 2, 3));
  }

  /**
   * Found by attack: the hypothesis said the latency cart "reports of itself did not rise" also when cart reports no
   * latency at all (a database, a third-party API): the evidence says so only when it holds cart's own p99.
   */
  @Test
  void theHypothesisClaimsTheRootsOwnLatencyStayedOnlyWhenTheEvidenceHoldsIt() {
    Incident bare = Incident.open("INC-0001", slow(MetricNames.CLIENT_LATENCY_P50, "checkout->cart"), "cart", T0);
    dev.sreagent.api.model.MetricWindow own = new dev.sreagent.api.model.MetricWindow(MetricNames.LATENCY_P99, "cart",
        T0.minusSeconds(900), T0, 15, 0.010, 0.012, 0.011, 0.011);
    Incident measured = bare.withEvidence(new dev.sreagent.api.model.Evidence(List.of(own), List.of(), List.of(),
        Set.of()), T0);
    assertThat(new EvidenceReasoner().diagnose(measured, List.of()).top().rationale()).contains("did not rise");
    assertThat(new EvidenceReasoner().diagnose(bare, List.of()).top().rationale()).doesNotContain("did not rise")
        .contains("cart reports no latency of its own");
    assertThat(new EvidenceReasoner().diagnose(bare, List.of()).top().cause())
        .isEqualTo("network delay into cart (at its pod or on the path to it)");
  }

  private static Incident edgeIncidentWith(double ownMin, double ownLast, double edgeMin, double edgeLast) {
    return Incident.open("INC-0003", slow(MetricNames.CLIENT_LATENCY_P50, "checkout->cart"), "cart", T0)
        .withEvidence(new dev.sreagent.api.model.Evidence(List.of(
            new dev.sreagent.api.model.MetricWindow(MetricNames.LATENCY_P99 + "{service.name=cart,}", "cart",
                T0.minusSeconds(1800), T0, 120, ownMin, Math.max(ownMin, ownLast), ownLast, ownLast),
            new dev.sreagent.api.model.MetricWindow(MetricNames.CLIENT_LATENCY_P50
                + "{peer.service=cart,service.name=checkout,}", "checkout", T0.minusSeconds(1800), T0, 120, edgeMin,
                Math.max(edgeMin, edgeLast), edgeLast, edgeLast)), List.of(), List.of(), Set.of()), T0);
  }

  /**
   * Found by the end-to-end property (seed 696): after two rolled-back scale-outs of a capacity loss, the calls into
   * the root paged a third time; the root's own p99 had risen from 169 to 246 ms in the window (x1.46, under the x1.5
   * rule) while the callers' median rose from 56 to 89 ms (x1.59). Not a network delay alone: the root's own rise
   * matches its callers'. Escalated all the same (more replicas were already tried and did not help).
   */
  @Test
  void aRootWhoseOwnRiseMatchesItsCallersIsSlowItselfOrOnTheWayEscalated() {
    Incident inc = edgeIncidentWith(0.169, 0.246, 0.056, 0.089);
    assertThat(CatalogPlanner.ownRiseMatchesCallers(inc)).isTrue();
    assertThat(new EvidenceReasoner().diagnose(inc, List.of()).top().cause())
        .isEqualTo("slowness in cart or on the way to it");
    RemediationPlan plan = new CatalogPlanner().plan(inc, TOPOLOGY);
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.rationale()).contains("its own latency rose less than it would for more replicas to help");
  }

  @Test
  void aDelayWhoseRootsOwnP99JittersIsStillADelay() {
    // a 200 ms delay on the calls; the root's p99 moves by its noise (132 to 170 ms)
    Incident inc = edgeIncidentWith(0.132, 0.170, 0.050, 0.250);
    assertThat(CatalogPlanner.delayIntoRoot(inc)).isTrue();
    assertThat(new EvidenceReasoner().diagnose(inc, List.of()).top().cause())
        .isEqualTo("network delay into cart (at its pod or on the path to it)");
  }

  /**
   * Found in review: the first form of the rule compared the root's rise in milliseconds with its callers', and 38 ms
   * of p99 noise outweighed half of a 70 ms delay: the delay was scaled out as a capacity loss.
   */
  @Test
  void aShortDelayIsADelayThoughTheRootsNoiseIsHalfOfIt() {
    Incident inc = edgeIncidentWith(0.132, 0.170, 0.050, 0.120);
    assertThat(CatalogPlanner.ownRiseMatchesCallers(inc)).isFalse();
    assertThat(new EvidenceReasoner().diagnose(inc, List.of()).top().cause())
        .isEqualTo("network delay into cart (at its pod or on the path to it)");
    assertThat(new CatalogPlanner().plan(inc, TOPOLOGY).actions()).isEmpty();
  }

  /** An interval without calls (0) or an exporter's -1 in the windows does not count as the lowest value. */
  @Test
  void zeroOrNegativeWindowsDoNotDecide() {
    Incident zeroEdge = edgeIncidentWith(0.169, 0.246, 0.0, 0.089);
    assertThat(CatalogPlanner.ownRiseMatchesCallers(zeroEdge)).isFalse();
    Incident negativeOwn = edgeIncidentWith(-1, 0.246, 0.056, 0.089);
    assertThat(CatalogPlanner.ownRiseMatchesCallers(negativeOwn)).isFalse();
    assertThat(CatalogPlanner.delayIntoRoot(negativeOwn)).isTrue();
  }
}
