package dev.sreagent.api.port;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import java.time.Instant;
import java.util.List;

/** Groups anomalies into incidents. Stateless: it returns a decision and the agent applies it. */
@FunctionalInterface
public interface Correlator {
  /**
   * Decides where {@code anomaly} belongs.
   *
   * @param anomaly the new anomaly
   * @param active incidents that are not terminal, oldest first
   * @param topology the dependency graph
   * @param now the current time
   */
  Correlation correlate(Anomaly anomaly, List<Incident> active, Topology topology, Instant now);

  /**
   * The severity {@code incident} deserves given {@code topology} (its blast radius), applied before any plan
   * exists; by default the incident's own.
   */
  default Severity severity(Incident incident, Topology topology) {
    return incident.severity();
  }

  /** A correlator that opens one incident per anomaly. */
  static Correlator noop() {
    return (anomaly, active, topology, now) -> new Correlation.OpenNew(anomaly.service());
  }
}
