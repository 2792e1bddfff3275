package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Incident;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention of ended incidents in the JDBC store, and the agent's start-up replay not bringing them back. */
class IncidentRetentionTest {
  @Test
  void endedIncidentsBeyondTheNewestAreDeletedAndTheReplayDoesNotBringThemBack(@TempDir Path dir) {
    try (JdbcStores db = JdbcStores.embedded(dir)) {
      scenario(db);
    }
  }

  /**
   * Two certificate incidents end; retention keeping 1 deletes the first; the agent crashes and restarts (its replay
   * re-saves every incident of the audit log): the first stays deleted, its history stays in the verified audit log.
   */
  static void scenario(JdbcStores db) {
    try (SimulationHarness h = SimulationHarness.builder()
            .setAgentCustomizer(b -> b.setIncidentStore(db.incidentStore()).setAuditLog(db.auditLog())).build()) {
      h.runFor(Duration.ofMinutes(30));
      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> ended(db) == 1, Duration.ofHours(2))).isTrue();
      h.inject(new Fault.ExpiringCertificate("frontend", Duration.ofDays(10)));
      assertThat(h.runUntil(x -> ended(db) == 2, Duration.ofHours(2))).isTrue();
      List<Incident> before = db.incidentStore().all();
      assertThat(before).hasSize(2);

      IncidentRetention retention = IncidentRetention.builder(db).setMaxEnded(1).build();
      assertThat(retention.runOnce()).as("the older ended incident").isEqualTo(1);
      assertThat(retention.runOnce()).as("idempotent").isZero();
      assertThat(db.incidentStore().all()).extracting(Incident::id).containsExactly(before.get(1).id());
      assertThat(db.incidentStore().find(before.get(0).id())).isEmpty();

      h.crashAndRestartAgent(); // the replay re-saves every incident of the audit log
      h.runFor(Duration.ofMinutes(5));
      assertThat(db.incidentStore().all()).as("the deleted one stays deleted").extracting(Incident::id)
          .containsExactly(before.get(1).id());
      assertThat(h.agent().incidents()).extracting(Incident::id).containsExactly(before.get(1).id());
      assertThat(db.auditLog().records()).as("its history stays in the audit log")
          .anyMatch(r -> before.get(0).id().equals(r.entry().incidentId()));
      assertThat(db.auditLog().verify().intact()).isTrue();
      assertThat(h.cluster().executor().applied()).as("each renewal once, none again after the restart").hasSize(2);

      h.inject(new Fault.ExpiringCertificate("payments", Duration.ofDays(9)));
      assertThat(h.runUntil(x -> ended(db) == 2, Duration.ofHours(2))).as("a new incident after the restart")
          .isTrue();
      assertThat(db.incidentStore().all()).extracting(Incident::id).doesNotContain(before.get(0).id())
          .contains(before.get(1).id());
      assertThat(retention.deleted()).isEqualTo(1);
      assertThatThrownBy(() -> IncidentRetention.builder(db).setMaxEnded(0)).hasMessageContaining("maxEnded");
    }
  }

  private static long ended(JdbcStores db) {
    return db.incidentStore().all().stream().filter(i -> i.state().isTerminal()).count();
  }

}
