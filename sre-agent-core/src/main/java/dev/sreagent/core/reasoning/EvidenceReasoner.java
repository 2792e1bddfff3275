package dev.sreagent.core.reasoning;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.Citation;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Evidence;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricWindow;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.port.Reasoner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The offline reasoner: maps the incident type and the evidence to ranked hypotheses with rules an SRE would use
 * (a deploy shortly before an error spike points at the deploy; rising traffic before latency points at
 * saturation; errors and latency rising together on a service whose CPU is at its limit, with no deploy to blame,
 * are saturation too - a capacity problem, so the top hypothesis re-types the incident as high latency and the
 * planner scales out instead of escalating a rollback it cannot justify), cites the retrieved runbooks, and
 * explains its confidence as three factors:
 * <ul>
 *   <li>{@code detector} — mean anomaly score of the root service's anomalies;
 *   <li>{@code evidence} — how strongly the evidence supports the top hypothesis;
 *   <li>{@code knowledge} — whether a runbook for this incident type was retrieved.
 * </ul>
 * Confidence = 0.3 detector + 0.4 evidence + 0.3 knowledge. No network, deterministic.
 *
 * <p>Extension point: the fallback of {@code sre-agent-llm}'s reasoner and of any reasoner of yours; kept
 * stable (checked by the architecture tests).
 */
public final class EvidenceReasoner implements Reasoner {
  /** A deploy within this window before the incident counts as a suspect. */
  public static final Duration DEPLOY_SUSPECT_WINDOW = Duration.ofMinutes(60);
  /** Log lines of an exhausted connection pool (HikariCP, pgbouncer, database drivers). */
  private static final java.util.regex.Pattern POOL_EXHAUSTED = java.util.regex.Pattern.compile(
      "(?i)connection is not available|pool (is )?exhausted|timed out waiting for (a )?connection"
          + "|too many connections|no available connection");
  /** Top hypotheses that blame a traffic surge start with this text. */
  public static final String SURGE_PREFIX = "traffic surge";
  /**
   * CPU utilisation (of the limit) at which a service counts as saturated: queueing delay grows as 1 / (1 - rho),
   * ten times the service time at 90%, and a service shedding load runs at its limit.
   */
  public static final double SATURATED_UTILISATION = 0.9;
  /** Traffic growth over the evidence window (last / lowest request rate) that counts as a surge. */
  private static final double SURGE_GROWTH = 1.3;
  /** How much higher than its lowest the root's p99 must end the window to count as risen: the latency floor. */
  static final double LATENCY_ROSE = 1.5;

  @Override
  public Diagnosis diagnose(Incident incident, List<RetrievedDocument> knowledge) {
    Evidence evidence = incident.evidence() == null ? Evidence.empty() : incident.evidence();
    String root = incident.rootService();
    List<Citation> citations = cite(knowledge);
    List<Hypothesis> hypotheses = new ArrayList<>();
    double evidenceFactor;
    IncidentType t = incident.type();
    if (t.equals(IncidentType.OOM_KILL)) {
      List<String> pods = incident.rootAnomalies().stream().map(Anomaly::resource).distinct().toList();
      hypotheses.add(new Hypothesis("memory leak in " + root + " pods " + pods, 0.7,
          "memory of " + pods + " stayed above the limit threshold while other pods stayed normal", citations));
      hypotheses.add(new Hypothesis("memory limit of " + root + " too low for its load", 0.2,
          "possible if all pods grow together with traffic", citations));
      evidenceFactor = pods.size() < replicasHint(evidence, root) ? 0.9 : 0.6;
    } else if (t.equals(IncidentType.HIGH_LATENCY) && CatalogPlanner.delayIntoRoot(incident)) {
      List<String> edges = incident.rootAnomalies().stream().filter(CatalogPlanner::callEdge).map(Anomaly::resource)
          .distinct().sorted().toList();
      if (CatalogPlanner.ownRiseMatchesCallers(incident)) {
        hypotheses.add(new Hypothesis("slowness in " + root + " or on the way to it", 0.6,
            "the calls " + edges + " are slow at the median and the latency " + root + " reports of itself rose too,"
                + " about as much (under x" + LATENCY_ROSE + " of its lowest): " + root + " is at least partly slow"
                + " itself (a capacity loss seen again from its callers) or the path into it adds to it", citations));
        hypotheses.add(new Hypothesis("network delay into " + root + " (at its pod or on the path to it)", 0.25,
            "possible: the calls slowed at least as much as " + root + "'s own latency", citations));
        evidenceFactor = 0.6;
      } else {
        boolean reportsOwn = evidence.metrics().stream()
            .anyMatch(w -> w.service().equals(root) && w.series().startsWith(MetricNames.LATENCY_P99));
        hypotheses.add(new Hypothesis("network delay into " + root + " (at its pod or on the path to it)", 0.7,
            "the calls " + edges + " are slow at the median while " + (reportsOwn ? "the latency " + root
                + " reports of itself did not rise: the time is spent between the callers and " + root
                : root + " reports no latency of its own (whether it rose is not known): the time is spent between"
                    + " the callers and " + root + " or in it"), citations));
        hypotheses.add(new Hypothesis("capacity loss or a slow dependency of " + root, 0.2,
            "possible when " + root + " does not report its own latency", citations));
        evidenceFactor = 0.8;
      }
    } else if (t.equals(IncidentType.HIGH_LATENCY)) {
      double growth = trafficGrowth(evidence, root);
      long poolWaits = evidence.logExcerpts().stream()
          .filter(l -> l.contains(" " + root + " ") && POOL_EXHAUSTED.matcher(l).find()).count();
      if (poolWaits > 0 && growth <= 1.3) {
        hypotheses.add(new Hypothesis("connection pool contention in " + root + ": requests wait for a connection",
            0.7, poolWaits + " recent log lines of " + root + " report an exhausted connection pool while traffic"
            + " stayed flat; more replicas add connections to the same pool and may make it worse", citations));
        hypotheses.add(new Hypothesis("capacity loss in " + root, 0.2, "latency rose without a traffic increase",
            citations));
        evidenceFactor = 0.8;
      } else if (growth > SURGE_GROWTH) {
        hypotheses.add(new Hypothesis(String.format(SURGE_PREFIX + " (x%.1f) saturates %s", growth, root), 0.75,
            String.format("request rate of %s rose x%.1f over the window while latency rose", root, growth),
            citations));
        hypotheses.add(new Hypothesis("capacity loss in " + root, 0.15, "latency rose with the surge", citations));
        evidenceFactor = 0.85;
      } else {
        java.util.OptionalDouble cpu = utilisation(evidence, root);
        hypotheses.add(new Hypothesis("capacity loss in " + root + " (throttling or a noisy neighbour)", 0.6,
            "latency rose without a traffic increase and no downstream dependency is slow"
                + (cpu.isPresent() ? String.format(java.util.Locale.ROOT, "; CPU utilisation of %s is %.0f%% of its"
                + " limit", root, cpu.getAsDouble() * 100) : ""), citations));
        hypotheses.add(new Hypothesis("slow dependency of " + root, 0.25,
            "not excluded: dependencies without telemetry", citations));
        evidenceFactor = 0.7;
      }
    } else if (t.equals(IncidentType.ERROR_RATE_SPIKE)) {
      Optional<ChangeEvent> deploy = recentDeploy(evidence, incident);
      double growth = trafficGrowth(evidence, root);
      java.util.OptionalDouble cpu = utilisation(evidence, root);
      boolean slower = latencyRose(incident, evidence, root);
      if (deploy.isEmpty() && slower && growth > SURGE_GROWTH) {
        hypotheses.add(new Hypothesis(String.format(java.util.Locale.ROOT, SURGE_PREFIX + " (x%.1f) saturates %s:"
            + " it sheds load", growth, root), 0.75, String.format(java.util.Locale.ROOT, "request rate of %s rose"
            + " x%.1f over the window and its latency rose with its errors; no deploy of %s in the last %d min",
            root, growth, root, DEPLOY_SUSPECT_WINDOW.toMinutes()), citations, IncidentType.HIGH_LATENCY));
        hypotheses.add(new Hypothesis("failing dependency or configuration of " + root, 0.15,
            "not excluded: errors with rising traffic can also come from a dependency", citations));
        evidenceFactor = 0.85;
      } else if (deploy.isEmpty() && slower && cpu.isPresent() && cpu.getAsDouble() >= SATURATED_UTILISATION) {
        hypotheses.add(new Hypothesis("saturation of " + root + ": capacity loss (throttling or a noisy neighbour)"
            + " makes it shed load", 0.7, String.format(java.util.Locale.ROOT, "CPU utilisation of %s is %.0f%% of"
            + " its limit and its latency rose with its errors, without a traffic increase (x%.1f) and without a"
            + " deploy in the last %d min", root, cpu.getAsDouble() * 100, growth,
            DEPLOY_SUSPECT_WINDOW.toMinutes()), citations, IncidentType.HIGH_LATENCY));
        hypotheses.add(new Hypothesis("failing dependency or configuration of " + root, 0.2,
            "not excluded: a slow dependency without telemetry also raises latency and errors", citations));
        evidenceFactor = 0.8;
      } else if (deploy.isPresent()) {
        ChangeEvent d = deploy.get();
        long minutes = Duration.between(d.timestamp(), incident.openedAt()).toMinutes();
        hypotheses.add(new Hypothesis("bad deploy of " + root + " revision " + d.revision(), 0.8,
            "revision " + d.revision() + " was rolled out " + minutes + " min before the error spike", citations));
        hypotheses.add(new Hypothesis("failing dependency of " + root, 0.1,
            "no downstream service shows errors", citations));
        evidenceFactor = 0.95;
      } else {
        hypotheses.add(new Hypothesis("failing dependency or configuration of " + root, 0.4,
            "no deploy of " + root + " in the last " + DEPLOY_SUSPECT_WINDOW.toMinutes() + " min", citations));
        evidenceFactor = 0.35;
      }
    } else if (t.equals(IncidentType.DISK_EXHAUSTION)) {
      List<String> disks = incident.rootAnomalies().stream().map(Anomaly::resource).distinct().toList();
      hypotheses.add(new Hypothesis("log burst from " + root + " fills " + disks, 0.75,
          "the filesystem holding " + root + "'s logs grows fast enough to fill within the horizon", citations));
      evidenceFactor = 0.8;
    } else if (t.equals(IncidentType.CPU_SATURATION)) {
      List<String> pods = incident.rootAnomalies().stream().map(Anomaly::resource).distinct().toList();
      hypotheses.add(new Hypothesis("CPU saturation of " + root + " pods " + pods + ": a noisy neighbour, a runaway"
          + " loop or a CPU limit too low for its load", 0.6, "CPU of " + pods + " stayed at its limit, far above its"
          + " usual level, without a latency or error symptom; no catalog action fits, humans decide", citations));
      evidenceFactor = 0.6;
    } else if (t.equals(IncidentType.CERTIFICATE_EXPIRY)) {
      hypotheses.add(new Hypothesis("automated renewal of " + root + "'s certificate did not happen", 0.85,
          "the certificate is inside its renewal window and was not renewed", citations));
      evidenceFactor = 0.9;
    } else {
      hypotheses.add(new Hypothesis("unclassified anomaly on " + root, 0.2,
          "no built-in rule covers incident type " + t, citations));
      evidenceFactor = 0.2;
    }
    double detector = incident.rootAnomalies().stream().mapToDouble(Anomaly::score).average()
        .orElse(incident.anomalies().stream().mapToDouble(Anomaly::score).average().orElse(0));
    double knowledgeFactor = citations.stream().anyMatch(c -> c.score() > 0) && typeCovered(knowledge, t) ? 1.0
        : citations.isEmpty() ? 0.0 : 0.5;
    double score = clamp(0.3 * detector + 0.4 * evidenceFactor + 0.3 * knowledgeFactor);
    hypotheses.sort(Comparator.comparingDouble(Hypothesis::likelihood).reversed());
    String explanation = String.format(
        "%.2f = 0.3 x detector %.2f + 0.4 x evidence %.2f + 0.3 x knowledge %.2f", score, detector,
        evidenceFactor, knowledgeFactor);
    return new Diagnosis(hypotheses,
        new Confidence(score, Map.of("detector", clamp(detector), "evidence", evidenceFactor, "knowledge",
            knowledgeFactor), explanation), "offline-evidence");
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }

  private static List<Citation> cite(List<RetrievedDocument> knowledge) {
    List<Citation> out = new ArrayList<>();
    for (RetrievedDocument r : knowledge.subList(0, Math.min(2, knowledge.size()))) {
      KnowledgeDocument d = r.document();
      String excerpt = d.text().lines().filter(l -> l.startsWith("1.")).findFirst()
          .orElse(d.text().lines().findFirst().orElse(""));
      out.add(new Citation(d.id(), d.title(), excerpt, r.score()));
    }
    return out;
  }

  private static boolean typeCovered(List<RetrievedDocument> knowledge, IncidentType t) {
    return knowledge.stream().limit(2).anyMatch(r -> List.of(r.document().metadata()
        .getOrDefault(KnowledgeDocument.INCIDENT_TYPES, "").split("\\s*,\\s*")).contains(t.name()));
  }

  private static Optional<ChangeEvent> recentDeploy(Evidence e, Incident incident) {
    return e.recentChanges().stream()
        .filter(c -> c.service().equals(incident.rootService()) && ChangeEvent.DEPLOY.equals(c.kind()))
        .filter(c -> !c.timestamp().isBefore(incident.openedAt().minus(DEPLOY_SUSPECT_WINDOW)))
        .max(Comparator.comparing(ChangeEvent::timestamp));
  }

  private static double trafficGrowth(Evidence e, String service) {
    for (MetricWindow w : e.metrics()) {
      if (w.service().equals(service) && w.series().startsWith(MetricNames.REQUEST_RATE) && w.min() > 0) {
        return w.last() / w.min();
      }
    }
    return 1.0;
  }

  /**
   * Mean CPU utilisation of {@code service}'s pods at their latest sample (pods gone since are left out), or empty
   * when it reports none.
   */
  private static java.util.OptionalDouble utilisation(Evidence e, String service) {
    List<MetricWindow> cpu = e.metrics().stream()
        .filter(w -> w.service().equals(service) && w.series().startsWith(MetricNames.CPU_UTILIZATION)
            && w.count() > 0)
        .toList();
    java.util.Optional<java.time.Instant> latest = cpu.stream().map(MetricWindow::to)
        .max(Comparator.naturalOrder());
    return latest.isEmpty() ? java.util.OptionalDouble.empty()
        : cpu.stream().filter(w -> w.to().equals(latest.get())).mapToDouble(MetricWindow::last).average();
  }

  /** Whether the latency of {@code root} rose: its own latency anomaly, or its p99 ending far above its lowest. */
  private static boolean latencyRose(Incident incident, Evidence e, String root) {
    if (incident.rootAnomalies().stream().anyMatch(a -> a.type().equals(IncidentType.HIGH_LATENCY))) {
      return true;
    }
    for (MetricWindow w : e.metrics()) {
      if (w.service().equals(root) && w.series().startsWith(MetricNames.LATENCY_P99) && w.min() > 0) {
        return w.last() >= LATENCY_ROSE * w.min();
      }
    }
    return false;
  }

  private static int replicasHint(Evidence e, String service) {
    return (int) e.metrics().stream()
        .filter(w -> w.service().equals(service) && w.series().startsWith(MetricNames.MEMORY_UTILIZATION))
        .count();
  }
}
