package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.port.DetectorStateStore;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Detector snapshots in the JDBC store (H2): the table round trip, and a restart without a warm-up gap. */
class DetectorSnapshotRestartTest {
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void aSnapshotIsReplacedPerAgentAndReadBackBitForBit() {
    DetectorStateStore s = stores.h2().detectorStateStore();
    assertThat(s.load("a")).isEmpty();
    Instant t = Instant.parse("2026-03-02T10:00:00.123456789Z");
    s.save("a", new DetectorStateStore.Saved(t, new byte[] {1, 2, 3}));
    s.save("b", new DetectorStateStore.Saved(t, new byte[] {9}));
    byte[] big = new byte[3_000_000];
    new java.util.Random(7).nextBytes(big);
    s.save("a", new DetectorStateStore.Saved(t.plusSeconds(300), big));
    assertThat(s.load("a")).get().satisfies(x -> {
      assertThat(x.takenAt()).isEqualTo(t.plusSeconds(300));
      assertThat(x.data()).isEqualTo(big);
    });
    assertThat(s.load("b")).get().extracting(DetectorStateStore.Saved::data).isEqualTo(new byte[] {9});
    assertThat(s.newest()).as("the newest of every agent's").get().satisfies(n -> {
      assertThat(n.agentId()).isEqualTo("a");
      assertThat(n.snapshot().data()).isEqualTo(big);
    });
    // compared as instants: "10:10:00Z" sorts after "10:10:00.500Z" as text but is earlier
    Instant whole = Instant.parse("2026-03-02T10:10:00Z");
    s.save("a", new DetectorStateStore.Saved(whole, new byte[] {7}));
    s.save("b", new DetectorStateStore.Saved(whole.plusMillis(500), new byte[] {8}));
    assertThat(s.newest()).get().extracting(DetectorStateStore.Latest::agentId).isEqualTo("b");
  }

  @Test
  void aNewestSnapshotIsEmptyInAnEmptyStore() {
    assertThat(stores.h2().detectorStateStore().newest()).isEmpty();
  }

  @Test
  void aRestartedAgentDetectsAFaultTwoMinutesAfterTheRestartWhereAColdOneMissesIt() {
    SnapshotScenarios.Outcome o = SnapshotScenarios.restartWithAndWithoutSnapshot(stores.h2(), stores.h2(),
        Duration.ofDays(1));
    System.out.printf("fault 2 min after a restart: found after %s resuming from the snapshot, %s cold%n",
        o.resumedAfter().map(Duration::toString).orElse("never"),
        o.coldAfter().map(Duration::toString).orElse("never (20 min)"));
    assertThat(o.resumedAfter()).as("resumed: found within sustain (2 min) + a few samples").get()
        .satisfies(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMinutes(4)));
    assertThat(o.coldAfter()).as("cold: not found in the same time").isEmpty();
  }

  @Test
  void aShardMemberReplacedUnderANewIdResumesFromTheGroupsSnapshot() {
    java.util.Optional<Duration> found = SnapshotScenarios.replacedUnderANewId(stores.h2(), Duration.ofDays(1));
    System.out.printf("new member c after a's crash: fault found after %s%n",
        found.map(Duration::toString).orElse("never (20 min)"));
    assertThat(found).as("resumed from a's snapshot (cold, the same run misses it: the test above)").get()
        .satisfies(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMinutes(4)));
  }
}
