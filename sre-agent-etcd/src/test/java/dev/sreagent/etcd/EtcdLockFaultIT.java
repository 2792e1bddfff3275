package dev.sreagent.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Lock;
import dev.sreagent.testkit.contract.FencedResource;
import dev.sreagent.testkit.contract.GuardedWork;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Faults against a real etcd: a holder paused past its lease, and etcd killed and restarted under a holder. */
class EtcdLockFaultIT {
  private static final String TARGET = "restart-pods:checkout";

  @Test
  void aHolderPausedPastItsLeaseIsFencedOutByTheResource() throws Exception {
    Duration ttl = Duration.ofSeconds(2);
    String prefix = "/fault-it/" + UUID.randomUUID() + "/";
    try (EtcdServer etcd = EtcdServer.shared();
        EtcdLockService agentA = service(etcd.endpoint(), prefix);
        EtcdLockService agentB = service(etcd.endpoint(), prefix)) {
      FencedResource resource = new FencedResource();
      Lock a = agentA.tryAcquire(TARGET, "agent-a", ttl).orElseThrow();
      Instant acquired = Instant.now(); // the server counts the lease from before this instant
      assertThat(resource.write(TARGET, a.fencingToken(), "a: first write")).isTrue();

      // agent-a pauses (a GC pause, a stopped VM): no renewal, past its lease
      Thread.sleep(Math.max(0, Duration.between(Instant.now(), acquired.plus(ttl)).toMillis()) + 1500);

      Lock b = takeWithin(agentB, "agent-b", ttl, Duration.ofSeconds(5));
      assertThat(b.fencingToken()).isGreaterThan(a.fencingToken());
      assertThat(resource.write(TARGET, b.fencingToken(), "b: write")).isTrue();

      // agent-a wakes up and, not checking its lock, writes: the resource refuses the stale token
      assertThat(resource.write(TARGET, a.fencingToken(), "a: late write")).isFalse();
      assertThat(resource.applied()).containsExactly("a: first write", "b: write");
      assertThat(resource.refused()).singleElement().asString().contains("a: late write");
      // had it checked, it would have been told: the lease is gone
      assertThat(agentA.renew(a, ttl)).isEmpty();
      // and its release leaves its successor's lock alone
      agentA.release(a);
      assertThat(agentB.tryAcquire(TARGET, "agent-c", ttl)).isEmpty();
      agentB.release(b);
    }
  }

  @Test
  void etcdKilledUnderAHoldingAgentIsNoticedAndNothingActsOnTheLostLock() throws Exception {
    Duration ttl = Duration.ofSeconds(4);
    try (EtcdServer etcd = EtcdServer.own();
        EtcdLockService agentA = service(etcd.endpoint(), "/fault-it/");
        EtcdLockService agentB = service(etcd.endpoint(), "/fault-it/")) {
      FencedResource resource = new FencedResource();
      Lock a = agentA.tryAcquire(TARGET, "agent-a", ttl).orElseThrow();
      GuardedWork work = new GuardedWork(agentA, a, ttl, resource);
      Thread worker = new Thread(work, "agent-a-action");
      worker.start();
      Thread.sleep(3000); // the action runs, renewing its lease at half of it
      assertThat(work.lostAt()).as("renewed while etcd is up").isNull();

      Instant killed = Instant.now();
      etcd.kill();
      worker.join(Duration.ofSeconds(15).toMillis());
      assertThat(work.lostAt()).as("the loss of etcd is noticed at the next renewal").isNotNull();
      Duration noticed = Duration.between(killed, work.lostAt());
      assertThat(noticed).isLessThan(ttl); // at most half a lease until the renewal, plus the request timeout
      int stepsWhenLost = work.steps();
      assertThatThrownBy(() -> agentB.tryAcquire(TARGET, "agent-b", ttl))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(etcd.endpoint()).hasMessageContaining("Is etcd running");

      etcd.start(); // same data directory: etcd keeps its leases and extends them by their TTL
      Lock b = takeWithin(agentB, "agent-b", ttl, Duration.ofSeconds(20));
      assertThat(b.fencingToken()).isGreaterThan(work.lock().fencingToken());
      assertThat(resource.write(TARGET, b.fencingToken(), "b: write")).isTrue();
      assertThat(work.steps()).as("no step of agent-a's action after its lock was lost").isEqualTo(stepsWhenLost);
      assertThat(resource.write(TARGET, work.lock().fencingToken(), "a: late write")).isFalse();
      assertThat(agentA.renew(work.lock(), ttl)).isEmpty();
      System.out.printf("etcd killed under a holder: loss noticed after %d ms; agent-b took the lock %s%n",
          noticed.toMillis(), b);
    }
  }

  private static EtcdLockService service(String endpoint, String prefix) {
    return EtcdLockService.builder(endpoint).setKeyPrefix(prefix).setRequestTimeout(Duration.ofSeconds(1)).build();
  }

  private static Lock takeWithin(EtcdLockService locks, String owner, Duration ttl, Duration within)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(within);
    while (Instant.now().isBefore(deadline)) {
      try {
        Optional<Lock> l = locks.tryAcquire(TARGET, owner, ttl);
        if (l.isPresent()) {
          return l.get();
        }
      } catch (IllegalStateException e) {
        // etcd still starting
      }
      Thread.sleep(200);
    }
    throw new AssertionError(owner + " could not take " + TARGET + " within " + within);
  }
}
