package dev.sreagent.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelValidationTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void errorsNameTheFieldAndTheBadValue() {
    assertThatThrownBy(() -> IncidentType.of("Bad Type"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name")
        .hasMessageContaining("'Bad Type'");
    assertThatThrownBy(() -> new Action.ScaleReplicas("cart", 3, 3))
        .hasMessageContaining("toReplicas")
        .hasMessageContaining("3");
    assertThatThrownBy(() -> new Anomaly(IncidentType.OOM_KILL, "cart", "pod", "m", 1, 0.85, 1.5, Severity.SEV3,
        T, T, "x"))
        .hasMessageContaining("score must be within [0, 1], but was 1.5");
    assertThatThrownBy(() -> new Action.RestartPods("cart", List.of()))
        .hasMessageContaining("pods must not be empty");
  }

  @Test
  void planHashChangesWithAnyActionAndKeysAreStable() {
    RemediationPlan a = new RemediationPlan("INC-1", List.of(new Action.ScaleReplicas("cart", 2, 3)), "x");
    RemediationPlan b = new RemediationPlan("INC-1", List.of(new Action.ScaleReplicas("cart", 2, 4)), "x");
    RemediationPlan a2 = new RemediationPlan("INC-1", List.of(new Action.ScaleReplicas("cart", 2, 3)), "other");
    assertThat(a.hash()).isNotEqualTo(b.hash()).isEqualTo(a2.hash()).hasSize(64);
    assertThat(a.idempotencyKey(0)).isEqualTo(a2.idempotencyKey(0)).isNotEqualTo(b.idempotencyKey(0));
  }

  @Test
  void incidentMergesAnomaliesByKeyAndKeepsTheWorstSeverity() {
    Anomaly first = new Anomaly(IncidentType.ERROR_RATE_SPIKE, "frontend", "frontend", "err", 0.05, 0.02, 0.6,
        Severity.SEV3, T, T, "frontend errors");
    Anomaly worse = new Anomaly(IncidentType.ERROR_RATE_SPIKE, "payments", "payments", "err", 0.4, 0.02, 0.9,
        Severity.SEV2, T, T, "payments errors");
    Incident inc = Incident.open("INC-0001", first, "frontend", T)
        .withAnomaly(worse, "payments", IncidentType.ERROR_RATE_SPIKE, T)
        .withAnomaly(worse, "payments", IncidentType.ERROR_RATE_SPIKE, T);
    assertThat(inc.anomalies()).hasSize(2);
    assertThat(inc.severity()).isEqualTo(Severity.SEV2);
    assertThat(inc.rootService()).isEqualTo("payments");
    assertThat(inc.affectedServices()).containsExactlyInAnyOrder("frontend", "payments");
  }

  @Test
  void serviceInfoFindsTheLastHealthyRevisionBeforeTheCurrentOne() {
    ServiceInfo s = new ServiceInfo("cart", "shop", 3, 10, 2, "r3", List.of(new Revision("r1", T, true),
        new Revision("r2", T, true), new Revision("r3", T, false)), List.of("a", "b", "c"));
    assertThat(s.lastHealthyRevisionBeforeCurrent()).map(Revision::id).hasValue("r2");
  }

  @Test
  void seriesKeyIsIndependentOfAttributeOrder() {
    MetricSample a = new MetricSample("m", 1, T, Map.of("a", "1", "b", "2"));
    MetricSample b = new MetricSample("m", 2, T, Map.of("b", "2", "a", "1"));
    assertThat(a.seriesKey()).isEqualTo(b.seriesKey()).isEqualTo("m{a=1,b=2,}");
    assertThat(MetricSample.of("m", 1, T, "cart").service()).isEqualTo("cart");
  }

  @Test
  void severityAndPhaseRules() {
    assertThat(Severity.SEV1.alwaysNeedsApproval()).isTrue();
    assertThat(Severity.SEV2.alwaysNeedsApproval()).isTrue();
    assertThat(Severity.SEV3.alwaysNeedsApproval()).isFalse();
    assertThat(Phase.AUTONOMOUS.demoted()).isEqualTo(Phase.ASSIST);
    assertThat(Phase.ASSIST.demoted()).isEqualTo(Phase.OBSERVE);
    assertThat(Phase.OBSERVE.demoted()).isEqualTo(Phase.OBSERVE);
  }

  /** A window knows the calls it measures from its sample's series key, not from a key that only ends alike. */
  @Test
  void aWindowCallsIntoThePeerItsSeriesNames() {
    Instant t = Instant.parse("2026-11-02T00:00:00Z");
    String key = new MetricSample(MetricNames.CLIENT_LATENCY_P50, 0.05, t, Map.of(Attributes.SERVICE_NAME, "checkout",
        Attributes.PEER_SERVICE, "payments", "k8s.namespace.name", "shop")).seriesKey();
    MetricWindow calls = new MetricWindow(key, "checkout", t, t, 1, 0.05, 0.05, 0.05, 0.05);
    assertThat(calls.callsInto("payments")).isTrue();
    assertThat(calls.callsInto("pay")).isFalse();
    assertThat(calls.callsInto("checkout")).isFalse();
    String first = new MetricSample(MetricNames.CLIENT_LATENCY_P50, 0.05, t, Map.of(Attributes.SERVICE_NAME, "a",
        Attributes.PEER_SERVICE, "payments")).seriesKey(); // peer.service sorts first: right after the brace
    assertThat(new MetricWindow(first, "a", t, t, 1, 0, 0, 0, 0).callsInto("payments")).isTrue();
    assertThat(new MetricWindow("m{net.peer.service=payments,service.name=a,}", "a", t, t, 1, 0, 0, 0, 0)
        .callsInto("payments")).isFalse();
  }
}
