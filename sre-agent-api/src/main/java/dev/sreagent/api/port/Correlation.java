package dev.sreagent.api.port;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Severity;

/** A correlator's decision for one anomaly: open a new incident, or fold it into an existing one. */
public sealed interface Correlation permits Correlation.OpenNew, Correlation.Attach {
  /**
   * Open a new incident.
   *
   * @param rootService the suspected root service
   */
  record OpenNew(String rootService) implements Correlation {}

  /**
   * Attach to an incident that is already open.
   *
   * @param incidentId the incident
   * @param rootService the suspected root service after adding the anomaly
   * @param type the incident type after adding the anomaly (that of the root)
   * @param severity unused by the agent beyond display; the incident keeps its worst severity
   */
  record Attach(String incidentId, String rootService, IncidentType type, Severity severity)
      implements Correlation {}
}
