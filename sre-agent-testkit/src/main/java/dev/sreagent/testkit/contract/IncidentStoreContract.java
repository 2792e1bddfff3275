package dev.sreagent.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.port.IncidentStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link IncidentStore} promises: what was saved is found by id as saved; a save of the same id replaces
 * it in its place; {@code all()} is oldest first; {@code active()} holds exactly the non-terminal incidents.
 */
public abstract class IncidentStoreContract {
  private static final Instant T = Instant.parse("2026-03-02T08:00:00Z");

  /** A fresh, empty store. */
  protected abstract IncidentStore create();

  static Incident incident(String id, String service, int minute) {
    Instant at = T.plusSeconds(60L * minute);
    Anomaly a = new Anomaly(IncidentType.ERROR_RATE_SPIKE, service, service, "m", 0.2, 0.02, 0.8, Severity.SEV3, at,
        at, "errors of " + service);
    // with a ranked candidate list, so that a store that persists incidents is seen to keep it
    return Incident.open(id, a, service, at).withCandidates(List.of(
        new dev.sreagent.api.model.RootCandidate(service, "m", 12.5, "m 0.2 vs median 0.01 (z 12.5)"),
        new dev.sreagent.api.model.RootCandidate("db", "m", 3.0, "below the threshold")), at);
  }

  /**
   * {@code i} as a store may hold it in state {@code s} (built directly: a store keeps whatever state it is given; an
   * agent moves incidents only through its lifecycle). A terminal state comes with an outcome, as the record demands.
   */
  protected static Incident in(Incident i, IncidentState s, Instant at) {
    IncidentOutcome outcome = !s.isTerminal() ? null : s == IncidentState.RESOLVED ? IncidentOutcome.RECOVERED
        : s == IncidentState.ROLLED_BACK ? IncidentOutcome.ROLLED_BACK : IncidentOutcome.ESCALATED;
    return new Incident(i.id(), i.type(), i.severity(), s, i.rootService(), i.affectedServices(), i.anomalies(),
        i.openedAt(), at, i.evidence(), i.diagnosis(), i.plan(), outcome, outcome == null ? null : "contract test",
        i.candidates());
  }

  @Test
  void whatWasSavedIsFoundAsSaved() {
    IncidentStore store = create();
    Incident inc = incident("INC-0001", "cart", 0);
    store.save(inc);
    assertEquals(inc, store.find("INC-0001").orElseThrow());
    assertTrue(store.find("INC-9999").isEmpty());
  }

  @Test
  void allIsOldestFirstAndASaveReplacesInPlace() {
    IncidentStore store = create();
    store.save(incident("INC-0001", "cart", 0));
    store.save(incident("INC-0002", "ads", 1));
    store.save(incident("INC-0003", "email", 2));
    Incident moved = in(store.find("INC-0001").orElseThrow(), IncidentState.INVESTIGATING, T.plusSeconds(600));
    store.save(moved);
    assertEquals(List.of("INC-0001", "INC-0002", "INC-0003"), store.all().stream().map(Incident::id).toList());
    assertEquals(IncidentState.INVESTIGATING, store.find("INC-0001").orElseThrow().state());
  }

  @Test
  void activeHoldsExactlyTheIncidentsNotEnded() {
    IncidentStore store = create();
    store.save(in(incident("INC-0001", "cart", 0), IncidentState.ESCALATED, T));
    store.save(incident("INC-0002", "ads", 1));
    store.save(in(incident("INC-0003", "email", 2), IncidentState.RESOLVED, T));
    store.save(in(incident("INC-0004", "shipping", 3), IncidentState.REMEDIATING, T));
    assertEquals(List.of("INC-0002", "INC-0004"), store.active().stream().map(Incident::id).toList());
  }
}
