package dev.sreagent.core.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Evidence;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricWindow;
import dev.sreagent.api.model.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a reader with a small token budget (a language model's prompt) is given first. */
class EvidenceDigestTest {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  private static MetricWindow window(String series, String service, double last) {
    return new MetricWindow(series, service, T0.minusSeconds(1800), T0, 120, 0.05, last, 0.06, last);
  }

  /** A network delay into payments: the slow calls are checkout's series, checkout itself is not affected. */
  private static Incident delayIntoPayments(List<MetricWindow> others) {
    Anomaly edge = new Anomaly(IncidentType.HIGH_LATENCY, "payments", "checkout->payments",
        MetricNames.CLIENT_LATENCY_P50, 0.25, 0.075, 0.9, Severity.SEV3, T0, T0.plusSeconds(120), "slow calls");
    List<MetricWindow> windows = new ArrayList<>(others);
    windows.add(window(MetricNames.CLIENT_LATENCY_P50 + "{k8s.namespace.name=shop,peer.service=payments,"
        + "service.name=checkout,}", "checkout", 0.25));
    return Incident.open("INC-0001", edge, "payments", T0)
        .withEvidence(new Evidence(windows, List.of(), List.of(), Set.of("checkout", "frontend")), T0);
  }

  @Test
  void theCallsIntoTheRootComeFirstThoughTheCallerMeasuredThem() {
    List<MetricWindow> others = new ArrayList<>();
    for (String s : List.of("frontend", "cart", "catalog", "ads", "email")) {
      others.add(window(MetricNames.LATENCY_P99 + "{service.name=" + s + ",}", s, 0.1));
    }
    others.add(window(MetricNames.CLIENT_LATENCY_P50 + "{peer.service=cart,service.name=checkout,}", "checkout",
        0.05));
    Incident inc = delayIntoPayments(others);
    EvidenceDigest all = EvidenceDigest.of(inc, 100_000);
    assertThat(all.items().get(0)).contains("peer.service=payments,");
    int oneLine = EvidenceDigest.tokens(all.items().get(0));
    EvidenceDigest tight = EvidenceDigest.of(inc, oneLine);
    assertThat(tight.items()).singleElement().asString().contains("peer.service=payments,");
    assertThat(tight.dropped()).isEqualTo(all.items().size() - 1);
    assertThat(all.items()).as("a call edge into another service is not the root's").last().asString()
        .startsWith("call-graph neighbours");
  }

  @Test
  void anAttributeWhoseKeyEndsLikePeerServiceIsNotTakenForIt() {
    Incident inc = delayIntoPayments(List.of(window(MetricNames.CLIENT_LATENCY_P50
        + "{net.peer.service=payments,service.name=frontend,}", "frontend", 0.05)));
    List<String> items = EvidenceDigest.of(inc, 100_000).items();
    assertThat(items.get(0)).contains("{k8s.namespace.name=shop,peer.service=payments,");
    assertThat(items.get(1)).as("not the root's: after it, with the neighbours").contains("net.peer.service=payments,");
  }

  /** Only the calls that paged come first: a quiet caller's edge into the root does not push the deploy line out. */
  @Test
  void aQuietCallersEdgeIntoTheRootComesAfterTheChanges() {
    Incident inc = delayIntoPayments(List.of(window(MetricNames.CLIENT_LATENCY_P50
        + "{peer.service=payments,service.name=frontend,}", "frontend", 0.05)));
    Incident withDeploy = inc.withEvidence(new Evidence(inc.evidence().metrics(), List.of(
        new dev.sreagent.api.model.ChangeEvent(T0.minusSeconds(300), "payments", "deploy", "r7", "image v7")),
        List.of(), inc.evidence().neighbours()), T0);
    List<String> items = EvidenceDigest.of(withDeploy, 100_000).items();
    assertThat(items.get(0)).contains("service.name=checkout,");
    assertThat(items.get(1)).startsWith("change deploy of payments");
    assertThat(items.get(2)).contains("service.name=frontend,");
  }
}
