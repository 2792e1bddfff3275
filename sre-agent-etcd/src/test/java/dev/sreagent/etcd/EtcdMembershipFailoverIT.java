package dev.sreagent.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.shard.ShardAssignment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The failover time of a shard against a real etcd: two members split 300 services; one stops (a crash: no more
 * keep-alives, no goodbye; or a clean close that revokes its lease); the time from the stop until the survivor owns
 * every service of the stopped member, over several runs (median and worst, printed). With a 2 s lease a crash is
 * bounded by the lease plus etcd's expiry check (every 500 ms) plus the watch's delivery.
 */
class EtcdMembershipFailoverIT {
  private static final List<String> SERVICES = IntStream.range(0, 300).mapToObj(i -> "svc-" + i).toList();
  private static final Duration TTL = Duration.ofSeconds(2);
  private static final int RUNS = Integer.getInteger("failover.runs", 8);

  @Test
  void aCrashedMembersServicesMoveWithinItsLeaseAndACleanCloseAtOnce() throws Exception {
    List<Long> crash = new ArrayList<>();
    List<Long> close = new ArrayList<>();
    try (EtcdServer etcd = EtcdServer.shared()) {
      for (int run = 0; run < RUNS; run++) {
        crash.add(failover(etcd.endpoint(), true));
        close.add(failover(etcd.endpoint(), false));
      }
    }
    Collections.sort(crash);
    Collections.sort(close);
    System.out.printf("shard failover, %d runs, 2 s lease: crash median %d ms, worst %d ms (%s); clean close median %d"
        + " ms, worst %d ms (%s)%n", RUNS, crash.get(crash.size() / 2), crash.get(crash.size() - 1), crash,
        close.get(close.size() / 2), close.get(close.size() - 1), close);
    assertThat(crash.get(crash.size() - 1)).as("a crash is noticed within the lease plus 2 s")
        .isLessThan(TTL.plusSeconds(2).toMillis());
    assertThat(close.get(close.size() - 1)).as("a clean close moves the services within 1 s").isLessThan(1000);
  }

  @Test
  void aMemberThatLosesEtcdOwnsNothingUntilItIsRegisteredAgain() throws Exception {
    try (EtcdServer etcd = EtcdServer.own();
        EtcdMembership a = EtcdMembership.builder("a", etcd.endpoint()).setTtl(TTL)
            .setRequestTimeout(Duration.ofMillis(500)).build()) {
      waitFor(() -> a.owns("svc-0") && a.registered());
      long killed = System.nanoTime();
      etcd.kill();
      waitFor(() -> !a.registered());
      long lostMs = (System.nanoTime() - killed) / 1_000_000;
      assertThat(SERVICES).as("a owns nothing without its registration").noneMatch(a::owns);
      assertThat(lostMs).as("noticed within the lease").isLessThanOrEqualTo(TTL.toMillis() + 500);

      etcd.start(); // same data: the key and its lease are still there
      waitFor(() -> a.registered() && a.owns("svc-0"));
      assertThat(SERVICES).as("registered again, a owns everything again").allMatch(a::owns);
      System.out.printf("etcd killed under a member: it stopped owning after %d ms and registered again after the"
          + " restart%n", lostMs);
    }
  }

  /** One run: a and b split the services; b stops; how long until a owns every service b owned (ms). */
  private static long failover(String endpoint, boolean crash) throws InterruptedException {
    String prefix = "/failover-it/" + UUID.randomUUID() + "/";
    try (EtcdMembership a = EtcdMembership.builder("a", endpoint).setKeyPrefix(prefix).setTtl(TTL).build();
        EtcdMembership b = EtcdMembership.builder("b", endpoint).setKeyPrefix(prefix).setTtl(TTL).build()) {
      waitFor(() -> a.liveMembers().equals(Set.of("a", "b")) && b.liveMembers().equals(Set.of("a", "b")));
      List<String> ofB = SERVICES.stream().filter(b::owns).toList();
      List<String> ofA = SERVICES.stream().filter(a::owns).toList();
      assertThat(ofA.size() + ofB.size()).as("every service has one owner").isEqualTo(SERVICES.size());
      assertThat(ofB).isNotEmpty();
      assertThat(ofB).allMatch(s -> ShardAssignment.owner(s, Set.of("a", "b")).orElseThrow().equals("b"));

      long stopped = System.nanoTime();
      if (crash) {
        b.crash();
      } else {
        b.close();
      }
      assertThat(b.liveMembers()).as("a stopped member owns nothing").doesNotContain("b");
      waitFor(() -> ofB.stream().allMatch(a::owns));
      long ms = (System.nanoTime() - stopped) / 1_000_000;
      assertThat(ofA).as("a kept its own services").allMatch(a::owns);
      return ms;
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s");
      }
      Thread.sleep(5);
    }
  }
}
