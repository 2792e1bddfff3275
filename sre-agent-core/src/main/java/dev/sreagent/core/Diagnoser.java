package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Evidence;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.api.port.Reasoner;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.phase.DiagnosticAccuracy;
import dev.sreagent.core.reasoning.ConfidenceCalibration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Diagnosis: the evidence and the runbooks retrieved for it go to the reasoner (on the loop, or on the diagnosis
 * executor so a slow model stalls nothing else); the answer is re-typed when its top hypothesis says so, calibrated,
 * blended with the type's track record, audited, and handed to the decision.
 */
final class Diagnoser {
  /** Reviews of a type needed before its track record joins the confidence. */
  static final int HISTORY_MIN_REVIEWS = 5;

  private final LoopContext ctx;
  private final IncidentBook book;
  private final Investigator investigator;
  private final Decider decider;
  private final KnowledgeBase knowledge;
  private final Reasoner reasoner;
  private final @Nullable Executor executor;
  private final @Nullable ConfidenceCalibration calibration;

  Diagnoser(LoopContext ctx, IncidentBook book, Investigator investigator, Decider decider, KnowledgeBase knowledge,
      Reasoner reasoner, @Nullable Executor executor, @Nullable ConfidenceCalibration calibration) {
    this.ctx = ctx;
    this.book = book;
    this.investigator = investigator;
    this.decider = decider;
    this.knowledge = knowledge;
    this.reasoner = reasoner;
    this.executor = executor;
    this.calibration = calibration;
  }

  /** Investigates and diagnoses {@code inc}, or collects the answer of a diagnosis running elsewhere. */
  void diagnose(Incident inc, Instant now) {
    IncidentRecord record = book.record(inc.id());
    IncidentRecord.PendingDiagnosis pending = record.diagnosing;
    if (pending != null) {
      if (!pending.future().isDone()) {
        return; // still thinking; other incidents move on
      }
      record.diagnosing = null;
      Diagnosis d;
      try {
        d = Objects.requireNonNull(pending.future().join(), "reasoner returned null");
      } catch (RuntimeException e) {
        RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
        ctx.contained("reasoner", cause);
        d = failed(cause);
      }
      // the incident may have gained anomalies while the reasoner thought: apply the result to its current state
      Incident current = ctx.store.find(inc.id()).orElse(inc);
      if (current.state() != IncidentState.INVESTIGATING) {
        return;
      }
      Evidence evidence = pending.withEvidence().evidence();
      diagnosed(evidence == null ? current : current.withEvidence(evidence, now), d, now);
      return;
    }
    Incident subject = investigator.splitIndependentRoots(inc, now);
    Incident withEvidence = subject.withEvidence(investigator.investigate(subject), now);
    List<RetrievedDocument> docs;
    // one anomaly per line: a knowledge base reads an alert's "; rule: ..." tail up to the end of its own line
    String queryText = String.join("\n", withEvidence.anomalies().stream().map(Anomaly::summary).toList());
    try {
      docs = knowledge.retrieve(new KnowledgeQuery(queryText, subject.type(), subject.affectedServices(), 5));
    } catch (RuntimeException e) {
      ctx.contained("knowledge base", e);
      docs = List.of();
    }
    if (executor != null) {
      List<RetrievedDocument> forReasoner = docs;
      record.diagnosing = new IncidentRecord.PendingDiagnosis(withEvidence, CompletableFuture
          .supplyAsync(() -> reasoner.diagnose(withEvidence, forReasoner), executor));
      return;
    }
    Diagnosis d;
    try {
      d = Objects.requireNonNull(reasoner.diagnose(withEvidence, docs), "reasoner returned null");
    } catch (RuntimeException e) {
      ctx.contained("reasoner", e);
      d = failed(e);
    }
    diagnosed(withEvidence, d, now);
  }

  private static Diagnosis failed(RuntimeException e) {
    return new Diagnosis(List.of(new Hypothesis("unknown: the reasoner failed", 0.0, e.toString(), List.of())),
        new Confidence(0, Map.of(), "reasoner failed"), "fallback");
  }

  private void diagnosed(Incident withEvidence, Diagnosis reasoned, Instant now) {
    Diagnosis d = reasoned;
    if (d.usage() != null) {
      ctx.telemetry.llm(d.usage());
    }
    Incident subject = retyped(withEvidence, d.top(), now);
    d = calibrated(d);
    d = withHistory(d, subject.type());
    Incident diagnosed = book.move(subject.withDiagnosis(d, now), IncidentState.DIAGNOSED, now, "diagnosed");
    ctx.audit(new AuditEvent.Diagnosed(diagnosed, d.top().cause(), Math.round(d.confidence().score() * 100) / 100.0));
    ctx.emit(IncidentEvent.Kind.DIAGNOSED, diagnosed, String.format(Locale.ROOT, "%s (confidence %.2f: %s)",
        d.top().cause(), d.confidence().score(), d.confidence().explanation()), now);
    decider.decide(diagnosed, now);
  }

  /**
   * The incident with the type its top hypothesis names, if any (errors that are a symptom of saturation are a
   * capacity problem); audited and announced.
   */
  private Incident retyped(Incident inc, Hypothesis top, Instant now) {
    IncidentType to = top.type();
    if (to == null || to.equals(inc.type())) {
      return inc;
    }
    Incident out = inc.withType(to, now);
    String why = "re-typed " + inc.type() + " -> " + to + ": " + top.cause();
    ctx.audit(new AuditEvent.IncidentUpdated(out, top.cause(), null, inc.type() + " -> " + to));
    ctx.emit(IncidentEvent.Kind.UPDATED, out, why, now);
    return out;
  }

  /** The diagnosis with its confidence mapped through the configured calibration, if any. */
  private Diagnosis calibrated(Diagnosis d) {
    if (calibration == null || !calibration.reasoner().equals(d.reasoner())) {
      return d;
    }
    Confidence c = d.confidence();
    double score = Math.max(0, Math.min(1, calibration.apply(c.score())));
    Map<String, Double> factors = new LinkedHashMap<>(c.factors());
    factors.put("stated", c.score());
    return new Diagnosis(d.hypotheses(), new Confidence(score, factors, String.format(Locale.ROOT,
        "%s; calibrated %.2f -> %.2f (how often diagnoses stated at %.2f were right, %d graded)", c.explanation(),
        c.score(), score, c.score(), calibration.diagnoses())), d.reasoner(), d.usage());
  }

  /**
   * Blends the human-verified accuracy of the incident type into the confidence once the type has
   * {@value #HISTORY_MIN_REVIEWS} reviews: {@code 0.8 x reasoner + 0.2 x (correct + 1) / (verified + 2)}.
   */
  private Diagnosis withHistory(Diagnosis d, IncidentType type) {
    DiagnosticAccuracy acc = ctx.accuracy(type);
    if (acc.verified() < HISTORY_MIN_REVIEWS) {
      return d;
    }
    double history = (acc.correct() + 1.0) / (acc.verified() + 2.0);
    Confidence c = d.confidence();
    double score = Math.max(0, Math.min(1, 0.8 * c.score() + 0.2 * history));
    Map<String, Double> factors = new LinkedHashMap<>(c.factors());
    factors.put("history", history);
    return new Diagnosis(d.hypotheses(), new Confidence(score, factors, String.format(Locale.ROOT,
        "%s; with the type's track record: 0.8 x %.2f + 0.2 x history %.2f (%d/%d verified correct) = %.2f",
        c.explanation(), c.score(), history, acc.correct(), acc.verified(), score)), d.reasoner(), d.usage());
  }
}
