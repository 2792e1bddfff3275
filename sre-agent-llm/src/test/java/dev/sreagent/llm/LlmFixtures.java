package dev.sreagent.llm;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.Evidence;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.MetricWindow;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.model.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An error-rate incident on payments after a deploy, with evidence and two retrieved runbooks. */
final class LlmFixtures {
  static final Instant T = Instant.parse("2026-11-29T03:00:00Z");

  private LlmFixtures() {}

  static Incident incident(List<String> logs) {
    Anomaly a = new Anomaly(IncidentType.ERROR_RATE_SPIKE, "payments", "payments",
        "http.server.request.error_ratio", 0.3, 0.03, 0.9, Severity.SEV3, T.minusSeconds(120), T,
        "error rate of payments is 30.0%, baseline 1.00%");
    Evidence e = new Evidence(List.of(
        new MetricWindow("http.server.request.error_ratio", "payments", T.minusSeconds(1800), T, 180, 0.005, 0.31,
            0.04, 0.30),
        new MetricWindow("http.server.request.rate", "payments", T.minusSeconds(1800), T, 180, 95, 105, 100, 99)),
        List.of(new ChangeEvent(T.minusSeconds(600), "payments", ChangeEvent.DEPLOY, "v42", "rolled out v42")),
        logs, Set.of("checkout"));
    return Incident.open("INC-0001", a, "payments", T).withEvidence(e, T);
  }

  static List<RetrievedDocument> docs() {
    return List.of(
        new RetrievedDocument(new KnowledgeDocument("runbook/error-rate-spike", "Error-rate spike after a deploy",
            "1. Compare the error rate with the last deploy; roll back if it started with it.", Map.of()), 0.9),
        new RetrievedDocument(new KnowledgeDocument("postmortem/INC-0042", "Payments 5xx after v31",
            "A bad config in v31 broke payments; rolled back.", Map.of()), 0.7));
  }

  static String answer(String citation, String action, String root, String direction) {
    return """
        {"hypotheses": [{"cause": "bad deploy v42 of payments", "likelihood": 0.8, "root_service": "%s",
          "rationale": "errors started 8 min after v42 (E3, E1)", "citations": ["%s"], "evidence": ["E1", "E3"],
          "signals": [{"service": "payments", "metric": "http.server.request.error_ratio", "direction": "%s"}],
          "action": "%s"},
         {"cause": "failing dependency of payments", "likelihood": 0.1, "root_service": "payments",
          "rationale": "not excluded", "citations": [], "evidence": [], "signals": [], "action": "none"}]}
        """.formatted(root, citation, direction, action);
  }

  /** The redaction corpus: {secret, line as it appears in telemetry}. */
  static List<String[]> corpus() {
    try (InputStream in = LlmFixtures.class.getResourceAsStream("/redaction-corpus.tsv")) {
      List<String[]> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.split("\t", 2);
        out.add(new String[] {parts[0], parts[1].replace("\\n", "\n").replace("{}", parts[0])});
      }
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
