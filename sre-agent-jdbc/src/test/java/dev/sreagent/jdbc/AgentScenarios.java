package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import java.time.Duration;
import java.util.List;

/** An agent over the simulated cluster with its incidents and audit log in a {@link JdbcStores}. */
final class AgentScenarios {
  private AgentScenarios() {}

  /**
   * A certificate about to expire is renewed; {@code midIncident} runs once the incident is open (e.g. restarts the
   * database), then the agent crashes and a new one is built over the same database: it rebuilds its state from the
   * audit log in SQL, the incident ends resolved with the action applied once, the incident store holds it, the chain
   * verifies and every record has its outbox event.
   */
  static void anIncidentIsHandledOnceAcrossACrash(JdbcStores db, Runnable midIncident) {
    try (SimulationHarness h = SimulationHarness.builder()
        .setAgentCustomizer(b -> b.setIncidentStore(db.incidentStore()).setAuditLog(db.auditLog())).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> !x.agent().incidents().isEmpty(), Duration.ofMinutes(30))).isTrue();
      midIncident.run();
      h.runFor(Duration.ofMinutes(2));
      h.crashAndRestartAgent();
      h.runFor(Duration.ofMinutes(40));

      assertThat(h.agent().incidents()).singleElement()
          .satisfies(i -> assertThat(i.state()).isEqualTo(IncidentState.RESOLVED));
      assertThat(h.cluster().executor().applied()).as("the renewal took effect once").hasSize(1);
      assertThat(h.oracle().violations()).isEmpty();
      List<Incident> stored = db.incidentStore().all();
      assertThat(stored).singleElement().satisfies(i -> assertThat(i.state()).isEqualTo(IncidentState.RESOLVED));
      List<AuditRecord> records = db.auditLog().records();
      assertThat(records).extracting(r -> r.entry().type()).contains("incident.opened");
      assertThat(db.auditLog().verify().intact()).as(db.auditLog().verify().problem()).isTrue();
      assertThat(db.pendingOutboxEvents()).isEqualTo(records.size());
    }
  }
}
