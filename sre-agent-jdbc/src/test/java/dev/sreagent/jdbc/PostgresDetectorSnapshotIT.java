package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link DetectorSnapshotRestartTest}'s restart on PostgreSQL: the snapshot table holds the detectors' state. */
class PostgresDetectorSnapshotIT {
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void aRestartedAgentOnPostgresDetectsAFaultTwoMinutesAfterTheRestart() {
    SnapshotScenarios.Outcome o = SnapshotScenarios.restartWithAndWithoutSnapshot(stores.postgres(),
        stores.postgres(), Duration.ofDays(1));
    System.out.printf("PostgreSQL: fault 2 min after a restart: found after %s resuming from the snapshot, %s cold%n",
        o.resumedAfter().map(Duration::toString).orElse("never"),
        o.coldAfter().map(Duration::toString).orElse("never (20 min)"));
    assertThat(o.resumedAfter()).get().satisfies(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMinutes(4)));
    assertThat(o.coldAfter()).isEmpty();
  }

  @Test
  void aShardMemberReplacedUnderANewIdOnPostgresResumesFromTheGroupsSnapshot() {
    java.util.Optional<Duration> found = SnapshotScenarios.replacedUnderANewId(stores.postgres(), Duration.ofDays(1));
    System.out.printf("PostgreSQL: new member c after a's crash: fault found after %s%n",
        found.map(Duration::toString).orElse("never (20 min)"));
    assertThat(found).get().satisfies(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMinutes(4)));
  }
}
