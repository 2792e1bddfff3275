package dev.sreagent.core;

import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.phase.DiagnosticAccuracy;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learning: a resolved incident becomes a post-mortem in the knowledge base; the documents a diagnosis cited are
 * credited when the remediation helped and debited when it was rolled back; a failed or useless remediation demotes
 * its incident type; operators override phases, promote them when the reviewed accuracy allows, and review diagnoses.
 */
final class Learner {
  private static final Logger LOG = LoggerFactory.getLogger(SreAgent.class);

  private final LoopContext ctx;
  private final KnowledgeBase knowledge;

  Learner(LoopContext ctx, KnowledgeBase knowledge) {
    this.ctx = ctx;
    this.knowledge = knowledge;
  }

  /** Writes the post-mortem of the resolved {@code inc} and credits the documents its diagnosis cited. */
  void learn(Incident inc, Instant now) {
    feedback(inc, true);
    Diagnosis d = inc.diagnosis();
    RemediationPlan p = inc.plan();
    String text = "# Post-mortem " + inc.id() + ": " + inc.type() + " on " + inc.rootService() + "\n\n"
        + "## What was seen\n" + String.join("\n", inc.anomalies().stream().map(a -> "- " + a.summary()).toList())
        + "\n\n## Hypothesis\n" + (d == null ? "none" : d.top().cause() + " (confidence "
        + String.format(Locale.ROOT, "%.2f", d.confidence().score()) + ")")
        + "\n\n## Action\n" + (p == null ? "none" : Decider.describe(p))
        + "\n\n## Outcome\n" + inc.outcomeReason() + "\n\nTime to resolve: "
        + Duration.between(inc.openedAt(), now).toSeconds() + " s\n";
    KnowledgeDocument doc = new KnowledgeDocument("postmortem-" + inc.id(), "Post-mortem " + inc.id() + ": "
        + inc.type() + " on " + inc.rootService(), text, Map.of(KnowledgeDocument.KIND, "post-mortem",
        KnowledgeDocument.INCIDENT_TYPES, inc.type().name(), KnowledgeDocument.SERVICES,
        String.join(",", inc.affectedServices())));
    try {
      knowledge.upsert(doc);
    } catch (RuntimeException e) {
      ctx.contained("knowledge base", e);
    }
    ctx.audit(new AuditEvent.PostmortemWritten(inc, doc.id()));
  }

  /** Tells the knowledge base whether the documents the diagnosis cited helped. */
  void feedback(Incident inc, boolean useful) {
    Diagnosis d = inc.diagnosis();
    if (d == null) {
      return;
    }
    for (var c : d.top().citations()) {
      try {
        knowledge.feedback(c.documentId(), useful);
      } catch (RuntimeException e) {
        ctx.contained("knowledge base", e);
      }
    }
  }

  /** Demotes {@code type} one phase (every service scope capped too); audited. Returns what changed, or "". */
  String demote(IncidentType type, String service, String why) {
    Phase old = ctx.phases.phaseFor(type, service);
    Phase next = old.demoted();
    if (next == old) {
      return "";
    }
    lowerTo(ctx, type, next);
    ctx.audit(new AuditEvent.PhaseChanged(LoopContext.AGENT, type, null, old, next, "automatic demotion: " + why,
        true));
    LOG.warn("phase of {} demoted from {} to {}: {}", type, old, next, why);
    return "phase of " + type + " demoted " + old + " -> " + next;
  }

  /** No scope of {@code type} stays above {@code ceiling}. */
  static void lowerTo(LoopContext ctx, IncidentType type, Phase ceiling) {
    if (ctx.phases.phaseFor(type).compareTo(ceiling) > 0) {
      ctx.phases.set(type, ceiling);
    }
    ctx.phases.capScopes(type, ceiling);
  }

  /** An operator's phase override (any direction, no eligibility check); audited. */
  void override(IncidentType type, @Nullable String service, Phase phase, String operator, String reason) {
    Phase old = service == null ? ctx.phases.phaseFor(type) : ctx.phases.phaseFor(type, service);
    ctx.phases.set(type, service, phase);
    ctx.audit(new AuditEvent.PhaseChanged(operator, type, service, old, phase, "operator override: " + reason,
        false));
  }

  /** An operator's promotion, granted only when the reviewed accuracy is eligible; audited with the numbers. */
  void promote(IncidentType type, @Nullable String service, Phase to, String operator, int minVerified,
      double minLowerBound) {
    Phase current = service == null ? ctx.phases.phaseFor(type) : ctx.phases.phaseFor(type, service);
    if (to.compareTo(current) <= 0) {
      throw new IllegalArgumentException("to must be above the current phase " + current + ", but was " + to);
    }
    DiagnosticAccuracy acc = ctx.accuracy(type);
    String numbers = String.format(Locale.ROOT, "%d/%d diagnoses verified correct, Wilson 95%% lower bound %.3f;"
        + " needs >= %d verified and >= %.3f", acc.correct(), acc.verified(), acc.wilsonLowerBound(), minVerified,
        minLowerBound);
    if (!acc.eligible(minVerified, minLowerBound)) {
      throw new IllegalStateException("promotion of " + type + " to " + to + " refused: " + numbers);
    }
    ctx.phases.set(type, service, to);
    ctx.audit(new AuditEvent.PhaseChanged(operator, type, service, current, to, "promotion granted by " + operator
        + ": " + numbers, false));
  }

  /** A human's verdict on the diagnosis of {@code incidentId}: counted for promotion, audited. */
  void review(String incidentId, boolean correct, String reviewer) {
    Incident inc = ctx.store.find(incidentId).orElseThrow(() -> new IllegalArgumentException(
        "incidentId must name a known incident, but was '" + incidentId + "'"));
    ctx.accuracy.merge(inc.type(), new DiagnosticAccuracy(1, correct ? 1 : 0), (a, b) -> a.plus(correct));
    ctx.audit(new AuditEvent.DiagnosisReviewed(incidentId, reviewer, inc.type(), correct));
  }
}
