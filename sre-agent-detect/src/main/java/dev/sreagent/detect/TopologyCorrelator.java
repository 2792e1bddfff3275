package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.Correlation;
import dev.sreagent.api.port.Correlator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Folds anomalies into incidents along the dependency graph.
 *
 * <p>An anomaly joins an active incident opened within {@code window} when it is on a service already affected, or
 * on a neighbour and both are symptoms that propagate along calls (latency, errors) or of the same type. The root
 * is the affected service none of whose (transitive) dependencies is affected: the most downstream one, where a
 * cascade starts. The incident type is that of the root's most specific anomaly.
 *
 * <p>CPU saturation is a cause, not a symptom that travels along calls: a CPU anomaly on a service an active incident
 * already affects joins that incident as its evidence, and a latency or error symptom on a service of an active CPU
 * incident joins it while it is open or investigating; as the CPU type ranks last, the incident then takes the symptom's type (a saturated service that
 * is also slow is a high-latency incident, scaled out; saturated alone, it is escalated).
 */
public final class TopologyCorrelator implements Correlator {
  /** Default grouping window. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
  private static final List<IncidentType> TYPE_PRIORITY = List.of(IncidentType.OOM_KILL,
      IncidentType.ERROR_RATE_SPIKE, IncidentType.DISK_EXHAUSTION, IncidentType.CERTIFICATE_EXPIRY,
      IncidentType.HIGH_LATENCY, IncidentType.CPU_SATURATION);

  private final Duration window;

  /** With the default window. */
  public TopologyCorrelator() {
    this(DEFAULT_WINDOW);
  }

  /** With a custom grouping window. */
  public TopologyCorrelator(Duration window) {
    this.window = Require.positive(window, "window");
  }

  static boolean propagates(IncidentType t) {
    return t.equals(IncidentType.HIGH_LATENCY) || t.equals(IncidentType.ERROR_RATE_SPIKE);
  }

  @Override
  public Severity severity(Incident incident, Topology topology) {
    return BlastRadius.severity(incident, topology);
  }

  @Override
  public Correlation correlate(Anomaly anomaly, List<Incident> active, Topology topology, Instant now) {
    for (Incident incident : active) {
      if (incident.state().isTerminal() || incident.openedAt().plus(window).isBefore(now)) {
        continue;
      }
      if (belongs(anomaly, incident, topology)) {
        Set<String> affected = new HashSet<>(incident.affectedServices());
        affected.add(anomaly.service());
        boolean mayMoveRoot = incident.state() == IncidentState.OPEN
            || incident.state() == IncidentState.INVESTIGATING;
        String root = mayMoveRoot ? rootOf(affected, incident.rootService(), topology) : incident.rootService();
        IncidentType type = mayMoveRoot ? typeOf(root, incident, anomaly) : incident.type();
        return new Correlation.Attach(incident.id(), root, type, incident.severity().worst(anomaly.severity()));
      }
    }
    return new Correlation.OpenNew(anomaly.service());
  }

  /**
   * Whether {@code a} belongs to {@code incident}: on an affected service, a symptom of the same type or a symptom
   * that propagates along calls (latency, errors); off it, such a symptom on a neighbour of an affected service, on a
   * service that calls one (however many hops up: callers feel what their callees suffer), or below the incident's
   * root (where the cascade may really start).
   */
  private static boolean belongs(Anomaly a, Incident incident, Topology topology) {
    boolean sameType = a.type().equals(incident.type());
    boolean symptoms = propagates(a.type()) && incident.anomalies().stream().anyMatch(x -> propagates(x.type()));
    if (!(sameType || symptoms)) {
      return withCause(a, incident);
    }
    if (incident.affectedServices().contains(a.service())) {
      return true;
    }
    Set<String> neighbours = topology.neighboursOf(a.service());
    for (String s : incident.affectedServices()) {
      if (neighbours.contains(s)) {
        return true;
      }
    }
    return topology.reachesAny(a.service(), incident.affectedServices())
        || topology.reaches(incident.rootService(), a.service());
  }

  /**
   * Whether {@code a} and {@code incident} meet on one service as cause and symptom: a CPU saturation on a service the
   * incident affects, or a latency or error symptom on a service of a CPU saturation incident that is still open or
   * investigating (and so takes the symptom's type; once diagnosed, the symptom opens an incident of its own, which
   * gets its remedy).
   */
  private static boolean withCause(Anomaly a, Incident incident) {
    boolean retypable = incident.state() == IncidentState.OPEN || incident.state() == IncidentState.INVESTIGATING;
    boolean cause = a.type().equals(IncidentType.CPU_SATURATION)
        || (propagates(a.type()) && incident.type().equals(IncidentType.CPU_SATURATION) && retypable);
    return cause && incident.affectedServices().contains(a.service());
  }

  /** The affected service with no affected service among its transitive dependencies; ties keep the current root. */
  static String rootOf(Set<String> affected, String currentRoot, Topology topology) {
    String best = null;
    for (String candidate : affected.stream().sorted().toList()) {
      if (!reachesAnother(candidate, affected, topology)) {
        if (candidate.equals(currentRoot)) {
          return candidate;
        }
        if (best == null) {
          best = candidate;
        }
      }
    }
    return best != null ? best : currentRoot;
  }

  private static boolean reachesAnother(String from, Set<String> affected, Topology topology) {
    return topology.reachesAny(from, affected);
  }

  private static IncidentType typeOf(String root, Incident incident, Anomaly added) {
    IncidentType best = null;
    int bestRank = Integer.MAX_VALUE;
    for (Anomaly a : incident.anomalies()) {
      if (a.service().equals(root)) {
        int r = rank(a.type());
        if (r < bestRank) {
          bestRank = r;
          best = a.type();
        }
      }
    }
    if (added.service().equals(root) && rank(added.type()) < bestRank) {
      best = added.type();
    }
    return best != null ? best : incident.type();
  }

  private static int rank(IncidentType t) {
    int i = TYPE_PRIORITY.indexOf(t);
    return i < 0 ? TYPE_PRIORITY.size() : i;
  }
}
