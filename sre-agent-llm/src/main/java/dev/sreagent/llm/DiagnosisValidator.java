package dev.sreagent.llm;

import dev.sreagent.api.model.Evidence;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricWindow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The second opinion on a model's hypothesis, checked against what the agent knows: every cited document was
 * retrieved, every cited evidence item exists, every claimed signal moved in the claimed direction in its metric
 * window, the root service is in the incident or next to it in the call graph, and the proposed action is in the
 * catalog and fits the incident type. A failed check is a problem; hallucinated citations, contradicted signals,
 * a root outside the incident and an out-of-catalog or unfitting action are <em>refusals</em>, which cap the
 * diagnosis's confidence below the autonomy floor so that a human decides.
 */
final class DiagnosisValidator {
  /** Actions that fit each incident type ({@code none} always fits). */
  static final Map<IncidentType, Set<String>> FITTING = Map.of(
      IncidentType.OOM_KILL, Set.of("restart-pods"),
      IncidentType.HIGH_LATENCY, Set.of("scale-out", "rollback"),
      IncidentType.ERROR_RATE_SPIKE, Set.of("rollback", "restart-pods"),
      IncidentType.DISK_EXHAUSTION, Set.of("truncate-logs"),
      IncidentType.CERTIFICATE_EXPIRY, Set.of("renew-certificate"));

  /**
   * The verdict on one hypothesis.
   *
   * @param citations the cited documents that exist
   * @param evidence the cited evidence items that exist
   * @param problems every failed check, readable
   * @param refused whether any failed check is a refusal
   * @param factor 1 minus 0.25 per problem, at least 0
   */
  record Verdict(List<String> citations, List<String> evidence, List<String> problems, boolean refused,
      double factor) {}

  private DiagnosisValidator() {}

  static Verdict check(LlmAnswer.H h, Incident incident, Collection<String> documentIds,
      Collection<String> evidenceIds) {
    List<String> problems = new ArrayList<>();
    boolean refused = false;
    List<String> citations = new ArrayList<>();
    for (String c : h.citations()) {
      if (documentIds.contains(c)) {
        citations.add(c);
      } else {
        problems.add("hallucinated citation '" + c + "' (not among the retrieved documents)");
        refused = true;
      }
    }
    List<String> evidence = new ArrayList<>();
    for (String e : h.evidence()) {
      if (evidenceIds.contains(e)) {
        evidence.add(e);
      } else {
        problems.add("cites evidence '" + e + "' that was not given");
      }
    }
    Evidence ev = incident.evidence() == null ? Evidence.empty() : incident.evidence();
    for (LlmAnswer.Signal s : h.signals()) {
      List<MetricWindow> windows = ev.metrics().stream()
          .filter(w -> w.service().equals(s.service()) && w.series().startsWith(s.metric())).toList();
      if (windows.isEmpty()) {
        problems.add("claims " + s.metric() + " of " + s.service() + " went " + s.direction()
            + " but there is no such metric in the evidence");
        continue;
      }
      boolean moved = windows.stream().anyMatch(w -> s.direction().equals("up") ? w.max() > w.mean() * 1.05
          && w.last() > w.mean() : w.min() < w.mean() * 0.95 && w.last() < w.mean());
      if (!moved) {
        problems.add("claims " + s.metric() + " of " + s.service() + " went " + s.direction()
            + " but the evidence shows otherwise");
        refused = true;
      }
    }
    boolean rootKnown = incident.affectedServices().contains(h.rootService())
        || ev.neighbours().contains(h.rootService())
        || incident.candidates().stream().anyMatch(c -> c.service().equals(h.rootService()));
    if (!rootKnown) {
      problems.add("root service '" + h.rootService() + "' is neither affected, a call-graph neighbour nor a ranked"
          + " candidate");
      refused = true;
    }
    if (!DiagnosisPrompt.CATALOG.contains(h.action())) {
      problems.add("out-of-catalog action '" + h.action() + "' refused");
      refused = true;
    } else if (!h.action().equals("none") && FITTING.containsKey(incident.type())
        && !FITTING.get(incident.type()).contains(h.action())) {
      problems.add("action '" + h.action() + "' does not fit incident type " + incident.type());
      refused = true;
    }
    return new Verdict(citations, evidence, problems, refused, Math.max(0, 1 - 0.25 * problems.size()));
  }
}
