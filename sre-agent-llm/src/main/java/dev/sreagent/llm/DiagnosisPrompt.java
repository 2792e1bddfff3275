package dev.sreagent.llm;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.core.evidence.EvidenceDigest;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.model.RootCandidate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prompt: the incident, its evidence as numbered items ({@code E1}, {@code E2}, ...), the retrieved documents
 * by id, the action catalog, and the JSON schema the answer must follow. The evidence is the incident's
 * {@link EvidenceDigest} within a token budget (metric summaries, log templates with counts, changes; most telling
 * first). {@link #evidenceIds()} and {@link #documentIds()} tell the validator what exists.
 */
final class DiagnosisPrompt {
  static final List<String> CATALOG = List.of("restart-pods", "scale-out", "rollback", "truncate-logs",
      "renew-certificate", "none");

  static final String SYSTEM = """
      You are the diagnosis step of an autonomous SRE agent. Given an incident, its numbered evidence items and
      retrieved runbooks and post-mortems, rank the most likely root causes. Use only the evidence and documents
      given; cite document ids and evidence ids exactly as given; never invent ids. Propose at most one action per
      hypothesis, from this catalog only: restart-pods, scale-out, rollback, truncate-logs, renew-certificate, none.
      Answer with one JSON object and nothing else, in exactly this schema:
      {"hypotheses": [{"cause": "<one sentence>", "likelihood": <0..1>, "root_service": "<service>",
        "rationale": "<why, referring to evidence ids>", "citations": ["<document id>"],
        "evidence": ["E1"], "signals": [{"service": "<service>", "metric": "<metric>", "direction": "up|down"}],
        "action": "<catalog action>"}]}
      Give 1 to 3 hypotheses, best first; likelihoods should sum to at most 1.""";

  /** How many of the incident's ranked candidates the prompt lists. */
  static final int MAX_CANDIDATES = 5;

  private final String user;
  private final Map<String, String> evidence = new LinkedHashMap<>();
  private final List<String> documentIds = new ArrayList<>();
  private final EvidenceDigest digest;

  DiagnosisPrompt(Incident incident, List<RetrievedDocument> docs, int evidenceBudget, int maxDocChars) {
    StringBuilder b = new StringBuilder();
    b.append("Incident ").append(incident.id()).append(": type ").append(incident.type()).append(", severity ")
        .append(incident.severity()).append(", suspected root service ").append(incident.rootService())
        .append(", affected services ").append(incident.affectedServices()).append('\n');
    b.append("Anomalies:\n");
    for (Anomaly a : incident.anomalies()) {
      b.append("- ").append(a.service()).append(' ').append(a.signal()).append(": ").append(a.summary()).append('\n');
    }
    if (!incident.candidates().isEmpty()) {
      b.append("Ranked root-cause candidates (score: robust z of the signal after the onset against the service's own"
          + " recent baseline; services whose callees are quiet first):\n");
      int rank = 0;
      for (RootCandidate c : incident.candidates()) {
        if (++rank > MAX_CANDIDATES) {
          break;
        }
        b.append(rank).append(". ").append(c.service()).append(' ').append(c.signal())
            .append(String.format(java.util.Locale.ROOT, " score %.1f: ", c.score())).append(c.evidence());
        if (c.faultClass() != dev.sreagent.api.model.FaultClass.UNKNOWN) {
          b.append("; signals point at ").append(c.faultClass().label());
        }
        b.append('\n');
      }
    }
    EvidenceDigest digest = EvidenceDigest.of(incident, evidenceBudget);
    this.digest = digest;
    int n = 0;
    for (String item : digest.items()) {
      evidence.put("E" + ++n, item);
    }
    b.append("Evidence:\n");
    evidence.forEach((id, text) -> b.append(id).append(": ").append(text).append('\n'));
    b.append("Documents:\n");
    for (RetrievedDocument d : docs) {
      documentIds.add(d.document().id());
      String text = d.document().text();
      b.append("[").append(d.document().id()).append("] ").append(d.document().title()).append(": ")
          .append(text.length() > maxDocChars ? text.substring(0, maxDocChars) + "..." : text).append('\n');
    }
    this.user = b.toString();
  }

  String user() {
    return user;
  }

  EvidenceDigest digest() {
    return digest;
  }

  Map<String, String> evidenceIds() {
    return evidence;
  }

  List<String> documentIds() {
    return documentIds;
  }
}
