package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Severity;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RealModeLinesTest {
  private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  private static Incident incident(List<RootCandidate> ranked) {
    Anomaly a = new Anomaly(IncidentType.HIGH_LATENCY, "checkout", "checkout", "http.server.request.duration.p99",
        1.2, 0.3, 0.9, Severity.SEV3, T, T, "p99 of checkout 1.2 s");
    return Incident.open("INC-0001", a, "checkout", T).withCandidates(ranked, T);
  }

  @Test
  void theOpeningLineAndTheJsonLineCarryTheRankedCandidates() {
    Incident inc = incident(List.of(
        new RootCandidate("payment", "container.cpu.utilization", 41.25, "cpu 0.95 vs median 0.2 (z 41.3)",
            dev.sreagent.api.model.FaultClass.CPU_SATURATION),
        new RootCandidate("checkout", "http.server.request.duration.p99", 12.0, "calls an anomalous service"),
        new RootCandidate("frontend", "http.server.request.duration.p99", 6.0, "below"),
        new RootCandidate("ads", "http.server.request.duration.p99", 0.5, "below")));
    IncidentEvent opened = new IncidentEvent(T, IncidentEvent.Kind.OPENED, inc, "HIGH_LATENCY SEV3 on checkout");
    IncidentEvent updated = new IncidentEvent(T, IncidentEvent.Kind.UPDATED, inc, "+ p99 of frontend");

    assertThat(RealMode.textLine(opened)).endsWith(
        "HIGH_LATENCY SEV3 on checkout | candidates: payment (z 41.3, cpu-saturation), checkout (z 12.0),"
        + " frontend (z 6.0)");
    assertThat(RealMode.textLine(updated)).doesNotContain("candidates");
    // the model's JSON writes keys in order of name
    assertThat(RealMode.jsonLine(updated)).contains("\"candidates\":[{\"evidence\":\"cpu 0.95 vs median 0.2 (z 41.3)\","
        + "\"faultClass\":\"cpu-saturation\",\"score\":41.25,\"service\":\"payment\","
        + "\"signal\":\"container.cpu.utilization\"}")
        .contains("\"faultClass\":\"unknown\",\"score\":0.5,\"service\":\"ads\"");
  }

  @Test
  void anIncidentWithoutARankedListSaysNothingOfIt() {
    IncidentEvent opened = new IncidentEvent(T, IncidentEvent.Kind.OPENED, incident(List.of()), "opened");
    assertThat(RealMode.textLine(opened)).endsWith("opened");
    assertThat(RealMode.jsonLine(opened)).contains("\"candidates\":[]");
  }
}
