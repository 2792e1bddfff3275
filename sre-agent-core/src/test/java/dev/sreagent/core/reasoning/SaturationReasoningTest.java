package dev.sreagent.core.reasoning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Evidence;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricWindow;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Errors and latency rising together: a saturated service (CPU at its limit, or a traffic surge) is a capacity
 * problem and is re-typed as high latency and scaled out; without that evidence, or after a deploy, it stays an
 * error-rate spike.
 */
class SaturationReasoningTest {
  private static final Instant OPENED = Instant.parse("2026-03-02T14:43:00Z");
  private static final Instant FROM = OPENED.minus(Duration.ofMinutes(30));

  private static Anomaly anomaly(IncidentType type, String metric, double value) {
    return new Anomaly(type, "web", "web", metric, value, value / 2, 0.9, Severity.SEV2,
        OPENED.minusSeconds(120), OPENED, type + " on web");
  }

  private static MetricWindow window(String series, double min, double last) {
    return new MetricWindow(series, "web", FROM, OPENED.plusSeconds(60), 130, min, Math.max(min, last),
        (min + last) / 2, last);
  }

  /** An error-rate incident on web whose latency fired too, with the given extra evidence. */
  private static Incident errorsWithLatency(List<MetricWindow> extra, List<ChangeEvent> changes) {
    Incident inc = Incident.open("INC-1", anomaly(IncidentType.ERROR_RATE_SPIKE, MetricNames.ERROR_RATIO, 0.12),
        "web", OPENED);
    inc = inc.withAnomaly(anomaly(IncidentType.HIGH_LATENCY, MetricNames.LATENCY_P99, 2.0), "web",
        IncidentType.ERROR_RATE_SPIKE, OPENED);
    List<MetricWindow> metrics = new ArrayList<>(List.of(
        window(MetricNames.LATENCY_P99 + "{service.name=web,}", 0.2, 2.0),
        window(MetricNames.ERROR_RATIO + "{service.name=web,}", 0.001, 0.12),
        window(MetricNames.REQUEST_RATE + "{service.name=web,}", 100, 104)));
    metrics.addAll(extra);
    return inc.withEvidence(new Evidence(metrics, changes, List.of(), Set.of()), OPENED.plusSeconds(60));
  }

  private static List<MetricWindow> cpu(double last) {
    return List.of(window(MetricNames.CPU_UTILIZATION + "{k8s.pod.name=web-1,service.name=web,}", 0.6, last),
        window(MetricNames.CPU_UTILIZATION + "{k8s.pod.name=web-2,service.name=web,}", 0.6, last));
  }

  private static Topology topology() {
    return new Topology(Map.of("web", new ServiceInfo("web", "shop", 4, 12, 3, "r2",
        List.of(new Revision("r1", OPENED.minus(Duration.ofDays(30)), true),
            new Revision("r2", OPENED.minus(Duration.ofDays(7)), true)), List.of())), Set.of());
  }

  @Test
  void errorsAndLatencyOnAServiceAtItsCpuLimitAreSaturationAndScaledOut() {
    Incident inc = errorsWithLatency(cpu(1.0), List.of());
    Diagnosis d = new EvidenceReasoner().diagnose(inc, List.of());
    assertThat(d.top().cause()).startsWith("saturation of web");
    assertThat(d.top().type()).isEqualTo(IncidentType.HIGH_LATENCY);
    assertThat(d.top().rationale()).contains("100% of its limit");
    var plan = new CatalogPlanner().plan(inc.withType(d.top().type(), OPENED).withDiagnosis(d, OPENED), topology());
    assertThat(plan.actions()).containsExactly(new Action.ScaleReplicas("web", 4, 6));
  }

  @Test
  void withoutUtilisationOrWithCpuToSpareItStaysAnErrorSpike() {
    for (List<MetricWindow> extra : List.of(List.<MetricWindow>of(), cpu(0.55))) {
      Diagnosis d = new EvidenceReasoner().diagnose(errorsWithLatency(extra, List.of()), List.of());
      assertThat(d.top().cause()).startsWith("failing dependency or configuration of web");
      assertThat(d.top().type()).isNull();
    }
  }

  @Test
  void aRecentDeployStillTakesTheBlameEvenOnASaturatedService() {
    ChangeEvent deploy = new ChangeEvent(OPENED.minusSeconds(300), "web", ChangeEvent.DEPLOY, "r3", "rolled out r3");
    Diagnosis d = new EvidenceReasoner().diagnose(errorsWithLatency(cpu(1.0), List.of(deploy)), List.of());
    assertThat(d.top().cause()).startsWith("bad deploy of web");
    assertThat(d.top().type()).isNull();
  }

  @Test
  void errorsWithATrafficSurgeAreTheSurgeSaturatingTheService() {
    Incident inc = errorsWithLatency(List.of(), List.of());
    List<MetricWindow> metrics = new ArrayList<>(inc.evidence().metrics());
    metrics.set(2, window(MetricNames.REQUEST_RATE + "{service.name=web,}", 100, 160));
    inc = inc.withEvidence(new Evidence(metrics, List.of(), List.of(), Set.of()), OPENED);
    Diagnosis d = new EvidenceReasoner().diagnose(inc, List.of());
    assertThat(d.top().cause()).startsWith(EvidenceReasoner.SURGE_PREFIX);
    assertThat(d.top().type()).isEqualTo(IncidentType.HIGH_LATENCY);
  }
}
