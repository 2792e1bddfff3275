package dev.sreagent.core.guardrail;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.ProposedAction;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class Fixtures {
  static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  private Fixtures() {}

  static ServiceInfo service(String name, int replicas, int max, int minAvailable) {
    List<String> pods = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      pods.add(name + "-" + i);
    }
    return new ServiceInfo(name, "shop", replicas, max, minAvailable, "r3", List.of(
        new Revision("r1", NOW.minusSeconds(86400), true), new Revision("r2", NOW.minusSeconds(3600), false),
        new Revision("r3", NOW.minusSeconds(600), false)), pods);
  }

  static Topology topology(ServiceInfo... services) {
    Map<String, ServiceInfo> m = new LinkedHashMap<>();
    for (ServiceInfo s : services) {
      m.put(s.name(), s);
    }
    return new Topology(m, Set.of());
  }

  static Incident incident(Severity severity, double confidence) {
    Anomaly a = new Anomaly(IncidentType.OOM_KILL, "cart", "cart-0", "m", 0.9, 0.85, 0.7, severity, NOW, NOW, "x");
    return Incident.open("INC-1", a, "cart", NOW).withDiagnosis(new Diagnosis(List.of(new Hypothesis("leak",
        0.8, "why", List.of())), new Confidence(confidence, Map.of(), "test"), "test"), NOW);
  }

  static ProposedAction proposal(Action a, Topology t, List<ExecutedAction> history) {
    return new ProposedAction(a, incident(Severity.SEV3, 0.9), t, history, NOW);
  }
}
