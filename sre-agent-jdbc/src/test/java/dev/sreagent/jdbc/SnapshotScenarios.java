package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.port.DetectorStateStore;
import dev.sreagent.core.AgentSettings;
import dev.sreagent.core.audit.SharedAuditLog;
import dev.sreagent.core.shard.InMemoryShardGroup;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A restart on the JDBC store without a warm-up gap: an agent learns a day of the simulated shop and crashes (its
 * last periodic snapshot, at most 5 minutes old, is in the database); a new agent starts on the same database and a
 * bad deploy of cart (20% errors) comes 2 minutes after the restart. Run twice with the same seed: resuming from the
 * database's snapshot, and cold (an empty snapshot store), which learns the fault during its 5-minute warm-up.
 */
final class SnapshotScenarios {
  /** When each run found the fault. */
  record Outcome(Optional<Duration> resumedAfter, Optional<Duration> coldAfter) {}

  private SnapshotScenarios() {}

  static Outcome restartWithAndWithoutSnapshot(JdbcStores resumed, JdbcStores cold, Duration learn) {
    Optional<Duration> withSnapshot = run(resumed, true, learn);
    Optional<Duration> withoutSnapshot = run(cold, false, learn);
    return new Outcome(withSnapshot, withoutSnapshot);
  }

  /**
   * A sharded agent replaced under a new id: member "a" learns a day and crashes; member "c" (a new id, no snapshot of
   * its own) starts on the same database in its place, each agent with its own view of the shared audit chain; the
   * same bad deploy 2 minutes later. How long after the fault "c" opened the incident, within 20 minutes.
   */
  static Optional<Duration> replacedUnderANewId(JdbcStores db, Duration learn) {
    InMemoryShardGroup group = new InMemoryShardGroup();
    AtomicInteger builds = new AtomicInteger();
    try (SimulationHarness h = SimulationHarness.builder().setAgentCustomizer(b -> {
      String id = builds.getAndIncrement() == 0 ? "a" : "c";
      group.leave("a"); // a crashed: its registration is gone before c joins
      b.setSettings(AgentSettings.defaults().withAgentId(id)).setShardMembership(group.join(id))
          .setAuditLog(SharedAuditLog.of(db.auditLog(), id)).setDetectorStateStore(db.detectorStateStore());
    }).build()) {
      h.runFor(learn);
      assertThat(db.detectorStateStore().load("a")).as("a's periodic snapshot").isPresent();
      h.crashAndRestartAgent();
      assertThat(h.agent().settings().agentId()).isEqualTo("c");
      assertThat(db.detectorStateStore().load("c")).as("c has no snapshot of its own").isEmpty();
      h.runFor(Duration.ofMinutes(2));
      Instant faultAt = h.clock().now();
      h.inject(new Fault.BadDeploy("cart", 0.2, Duration.ZERO));
      h.runUntil(x -> found(x, faultAt).isPresent(), Duration.ofMinutes(20));
      return found(h, faultAt).map(i -> Duration.between(faultAt, i.openedAt()));
    }
  }

  /** How long after the fault the restarted agent opened an error-rate incident on cart, within 20 minutes. */
  private static Optional<Duration> run(JdbcStores db, boolean snapshots, Duration learn) {
    try (SimulationHarness h = SimulationHarness.builder().setAgentCustomizer(b -> b
        .setIncidentStore(db.incidentStore()).setAuditLog(db.auditLog())
        .setDetectorStateStore(snapshots ? db.detectorStateStore() : DetectorStateStore.inMemory())).build()) {
      h.runFor(learn);
      if (snapshots) {
        assertThat(db.detectorStateStore().load(h.agent().settings().agentId())).as("a periodic snapshot")
            .get().satisfies(s -> assertThat(s.takenAt()).isAfter(h.clock().now().minus(Duration.ofMinutes(5))));
      }
      h.crashAndRestartAgent();
      h.runFor(Duration.ofMinutes(2));
      Instant faultAt = h.clock().now();
      h.inject(new Fault.BadDeploy("cart", 0.2, Duration.ZERO));
      h.runUntil(x -> found(x, faultAt).isPresent(), Duration.ofMinutes(20));
      return found(h, faultAt).map(i -> Duration.between(faultAt, i.openedAt()));
    }
  }

  private static Optional<Incident> found(SimulationHarness h, Instant faultAt) {
    return h.agent().incidents().stream().filter(i -> !i.openedAt().isBefore(faultAt))
        .filter(i -> i.type().equals(IncidentType.ERROR_RATE_SPIKE) && i.rootService().equals("cart")).findFirst();
  }
}
