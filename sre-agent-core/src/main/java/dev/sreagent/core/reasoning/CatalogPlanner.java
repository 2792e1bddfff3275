package dev.sreagent.core.reasoning;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricWindow;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.RemediationPlanner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The default planner: the remediation of ARCHITECTURE.md section 3 for each built-in incident type, acting on
 * the root service only.
 * <ul>
 *   <li>OOM kill: rolling restart of the pods over the threshold.
 *   <li>High latency: scale out by half (at least one replica), capped at the HPA maximum; nothing (escalate) when
 *       the root's only latency anomalies are on the calls into it (a network delay: more replicas do not shorten
 *       the path).
 *   <li>Error-rate spike: roll back to the last healthy revision, only when the current revision was rolled out
 *       within {@link #ROLLBACK_RECENCY}; otherwise nothing (escalate).
 *   <li>Disk exhaustion: truncate the logs of the full filesystem.
 *   <li>Certificate expiry: trigger renewal.
 * </ul>
 * Anything else gets an empty plan: the agent escalates to humans.
 */
public final class CatalogPlanner implements RemediationPlanner {
  /** How recent a rollout must be for a rollback to be proposed. */
  public static final Duration ROLLBACK_RECENCY = Duration.ofHours(6);
  /**
   * The share of its callers' relative rise that a root's own p99 must show to be called slow itself (see
   * {@link #ownRiseMatchesCallers}): a capacity loss raises the root's p99 about as much, relatively, as its callers'
   * median (x1.46 against x1.59 in the case that found it); a delay on the path moves the root's own p99 by its noise
   * (x1.3 at most in the simulator) while the calls slow by x1.6 (30 ms on 50 ms calls) and more.
   */
  static final double OWN_RISE_EXPLAINS = 0.5;

  @Override
  public RemediationPlan plan(Incident incident, Topology topology) {
    String root = incident.rootService();
    Optional<ServiceInfo> info = topology.service(root);
    List<Action> actions = new ArrayList<>();
    String why;
    IncidentType t = incident.type();
    if (t.equals(IncidentType.OOM_KILL)) {
      Set<String> pods = new LinkedHashSet<>();
      for (Anomaly a : incident.rootAnomalies()) {
        if (a.type().equals(IncidentType.OOM_KILL) && info.isPresent() && info.get().pods().contains(a.resource())) {
          pods.add(a.resource());
        }
      }
      if (!pods.isEmpty()) {
        actions.add(new Action.RestartPods(root, List.copyOf(pods)));
      }
      why = pods.isEmpty() ? "no current pod of " + root + " is over its memory threshold any more"
          : "rolling restart of " + pods + " frees the leaked memory";
    } else if (t.equals(IncidentType.HIGH_LATENCY) && delayIntoRoot(incident)) {
      why = ownRiseMatchesCallers(incident)
          ? "the calls into " + root + " are slow and its own latency rose less than it would for more replicas to"
              + " help (under x" + EvidenceReasoner.LATENCY_ROSE + "): its own slowness seen late, or a delay on the"
              + " way to it; escalated"
          : "the calls into " + root + " are slow while its own latency is not: a delay on the network path or at its"
              + " pod, which more replicas do not shorten; escalated";
    } else if (t.equals(IncidentType.HIGH_LATENCY)) {
      // a surge saturates every service on the hot path; a capacity loss or slow dependency only the root
      boolean surge = incident.diagnosis() != null
          && incident.diagnosis().top().cause().startsWith(EvidenceReasoner.SURGE_PREFIX);
      Set<String> targets = new LinkedHashSet<>();
      targets.add(root);
      if (surge) {
        incident.anomalies().stream().filter(a -> a.type().equals(IncidentType.HIGH_LATENCY))
            .forEach(a -> targets.add(a.service()));
      }
      List<String> skipped = new ArrayList<>();
      for (String service : targets) {
        Optional<ServiceInfo> si = topology.service(service);
        if (si.isPresent() && si.get().replicas() < si.get().maxReplicas()) {
          int from = si.get().replicas();
          int to = Math.min(si.get().maxReplicas(), Math.max(from + 1, (int) Math.ceil(from * 1.5)));
          actions.add(new Action.ScaleReplicas(service, from, to));
        } else {
          skipped.add(service);
        }
      }
      why = "scale out " + actions.stream().map(Action::service).toList() + " to relieve saturation"
          + (surge ? " along the surge's path" : "")
          + (skipped.isEmpty() ? "" : "; not scalable (unknown or at HPA max): " + skipped);
    } else if (t.equals(IncidentType.ERROR_RATE_SPIKE)) {
      why = planRollback(incident, info, actions);
    } else if (t.equals(IncidentType.DISK_EXHAUSTION)) {
      for (Anomaly a : incident.rootAnomalies()) {
        int colon = a.resource().indexOf(':');
        if (a.type().equals(IncidentType.DISK_EXHAUSTION) && colon > 0) {
          actions.add(new Action.TruncateLogs(root, a.resource().substring(0, colon),
              a.resource().substring(colon + 1)));
        }
      }
      why = "truncate the logs filling " + actions.stream().map(Action::target).toList();
    } else if (t.equals(IncidentType.CERTIFICATE_EXPIRY)) {
      incident.rootAnomalies().stream().filter(a -> a.type().equals(IncidentType.CERTIFICATE_EXPIRY))
          .map(Anomaly::resource).distinct()
          .forEach(cert -> actions.add(new Action.RenewCertificate(root, cert)));
      why = "trigger renewal of " + actions.stream().map(Action::target).toList();
    } else {
      why = "no catalog action for incident type " + t;
    }
    return new RemediationPlan(incident.id(), actions, why);
  }

  private static String planRollback(Incident incident, Optional<ServiceInfo> info, List<Action> actions) {
    String root = incident.rootService();
    if (info.isEmpty()) {
      return root + " is not in the topology";
    }
    ServiceInfo s = info.get();
    Optional<Revision> current = s.revision(s.currentRevision());
    if (current.isEmpty() || current.get().deployedAt().isBefore(incident.openedAt().minus(ROLLBACK_RECENCY))) {
      return "current revision " + s.currentRevision() + " of " + root + " is not a recent rollout; a blind rollback"
          + " is not evidence-based";
    }
    Optional<Revision> target = s.lastHealthyRevisionBeforeCurrent();
    if (target.isEmpty()) {
      return root + " has no earlier healthy revision to roll back to";
    }
    actions.add(new Action.RollBack(root, s.currentRevision(), target.get().id()));
    return "roll " + root + " back from " + s.currentRevision() + " to healthy " + target.get().id();
  }

  /**
   * Whether the incident is escalated as slowness on the way into its root: the root's latency anomalies are all seen
   * from its callers (call-edge client latency), and its own p99 in the evidence did not rise to
   * {@link EvidenceReasoner#LATENCY_ROSE} times its lowest (a root slow itself is scaled out as usual). Whether the
   * delay is on the path or the root's own slowness seen late is told by {@link #ownRiseMatchesCallers}; neither is
   * shortened by more replicas of a root whose own latency did not rise that far.
   */
  static boolean delayIntoRoot(Incident incident) {
    List<Anomaly> slow = incident.rootAnomalies().stream()
        .filter(a -> a.type().equals(IncidentType.HIGH_LATENCY)).toList();
    if (slow.isEmpty() || !slow.stream().allMatch(CatalogPlanner::callEdge)) {
      return false;
    }
    if (incident.evidence() == null) {
      return true;
    }
    return ownP99(incident).noneMatch(w -> w.last() >= EvidenceReasoner.LATENCY_ROSE * w.min());
  }

  /**
   * Whether the root's own p99 rose, relative to its lowest in the evidence, by at least {@link #OWN_RISE_EXPLAINS}
   * of the relative rise its callers see on their calls into it (each window's last against its lowest, positive
   * values only): the root is then at least partly slow itself — a capacity loss paged again from its callers after
   * its own latency anomaly went to an earlier incident — and a delay on the path is not the whole story. A delay on
   * the path adds its time to the calls and moves the root's own p99 by its noise only.
   */
  static boolean ownRiseMatchesCallers(Incident incident) {
    if (incident.evidence() == null) {
      return false;
    }
    String root = incident.rootService();
    double edgeRise = incident.evidence().metrics().stream()
        .filter(w -> (w.series().startsWith(MetricNames.CLIENT_LATENCY_P50 + "{")
            || w.series().startsWith(MetricNames.CLIENT_LATENCY_P99 + "{"))
            && w.callsInto(root) && w.min() > 0)
        .mapToDouble(CatalogPlanner::rise).max().orElse(0);
    double ownRise = ownP99(incident).mapToDouble(CatalogPlanner::rise).max().orElse(0);
    return edgeRise > 0 && ownRise > 0 && ownRise >= OWN_RISE_EXPLAINS * edgeRise;
  }

  /** How far a window's last value is above its lowest, relatively (its lowest positive). */
  private static double rise(MetricWindow w) {
    return w.last() / w.min() - 1;
  }

  /** The root's own p99 windows in the evidence (none without evidence) whose lowest value is positive. */
  private static java.util.stream.Stream<MetricWindow> ownP99(Incident incident) {
    return incident.evidence() == null ? java.util.stream.Stream.empty() : incident.evidence().metrics().stream()
        .filter(w -> w.service().equals(incident.rootService()) && w.series().startsWith(MetricNames.LATENCY_P99)
            && w.min() > 0);
  }

  /** Whether {@code a} was seen on a call edge (a caller's client-side latency of its calls into the service). */
  static boolean callEdge(Anomaly a) {
    return a.signal().equals(MetricNames.CLIENT_LATENCY_P50) || a.signal().equals(MetricNames.CLIENT_LATENCY_P99);
  }
}
