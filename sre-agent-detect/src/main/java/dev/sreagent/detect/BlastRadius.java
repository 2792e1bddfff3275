package dev.sreagent.detect;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import java.util.Set;

/**
 * Severity from the blast radius: an incident that reaches an entry point (a known service nobody calls: what
 * users hit) or spreads over {@link #WIDE} services or more is at least SEV2, whatever its anomalies say.
 */
public final class BlastRadius {
  /** Affected services from which an incident counts as wide. */
  public static final int WIDE = 3;

  private BlastRadius() {}

  /** The severity {@code incident} deserves given {@code topology}. */
  public static Severity severity(Incident incident, Topology topology) {
    Severity s = incident.severity();
    if (incident.affectedServices().size() >= WIDE) {
      return s.worst(Severity.SEV2);
    }
    for (String service : incident.affectedServices()) {
      if (isEntryPoint(service, topology)) {
        return s.worst(Severity.SEV2);
      }
    }
    return s;
  }

  /** A service in the topology that has callees or is known, and that no service calls. */
  static boolean isEntryPoint(String service, Topology topology) {
    if (topology.service(service).isEmpty() || topology.dependencies().isEmpty()) {
      return false;
    }
    Set<String> callers = topology.dependentsOf(service);
    return callers.isEmpty() && !topology.dependenciesOf(service).isEmpty();
  }
}
