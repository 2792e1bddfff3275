package dev.sreagent.redis;

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

/** Faults against a real Redis: a holder paused past its lease, and Redis restarted (its data lost) under a holder. */
class RedisLockFaultIT {
  private static final String TARGET = "restart-pods:checkout";

  @Test
  void aHolderPausedPastItsLeaseIsFencedOutByTheResource() throws Exception {
    Duration ttl = Duration.ofSeconds(1);
    String prefix = "fault-it:" + UUID.randomUUID() + ":";
    try (RedisServer redis = RedisServer.shared();
        RedisLockService agentA = service(redis.uri(), prefix);
        RedisLockService agentB = service(redis.uri(), prefix)) {
      FencedResource resource = new FencedResource();
      Lock a = agentA.tryAcquire(TARGET, "agent-a", ttl).orElseThrow();
      Instant acquired = Instant.now(); // the server counts the lease from before this instant
      assertThat(resource.write(TARGET, a.fencingToken(), "a: first write")).isTrue();

      // agent-a pauses (a GC pause, a stopped VM): no renewal, past its lease
      Thread.sleep(Math.max(0, Duration.between(Instant.now(), acquired.plus(ttl)).toMillis()) + 300);

      Lock b = agentB.tryAcquire(TARGET, "agent-b", ttl).orElseThrow();
      assertThat(b.fencingToken()).isGreaterThan(a.fencingToken());
      assertThat(resource.write(TARGET, b.fencingToken(), "b: write")).isTrue();

      // agent-a wakes up and, not checking its lock, writes: the resource refuses the stale token
      assertThat(resource.write(TARGET, a.fencingToken(), "a: late write")).isFalse();
      assertThat(resource.applied()).containsExactly("a: first write", "b: write");
      assertThat(agentA.renew(a, ttl)).isEmpty();
      agentA.release(a);
      assertThat(agentB.tryAcquire(TARGET, "agent-c", ttl)).as("a stale release leaves the successor's lock").isEmpty();
      agentB.release(b);
    }
  }

  @Test
  void aLockIsNotBelievedHeldAfterRedisRestartedAndLostIt() throws Exception {
    Duration ttl = Duration.ofSeconds(30);
    try (RedisServer redis = RedisServer.own();
        RedisLockService agentA = service(redis.uri(), "fault-it:");
        RedisLockService agentB = service(redis.uri(), "fault-it:")) {
      Lock a = agentA.tryAcquire(TARGET, "agent-a", ttl).orElseThrow();
      // a quick restart between two renewals: no persistence, so the key and the token counter are gone
      redis.kill();
      redis.start();
      assertThat(agentA.renew(a, ttl)).as("the lease has 30 s left, but Redis no longer has it").isEmpty();
      Lock b = agentB.tryAcquire(TARGET, "agent-b", ttl).orElseThrow();
      assertThat(b.fencingToken()).as("the token still grows though the counter was lost (TIME floor)")
          .isGreaterThan(a.fencingToken());
    }
  }

  @Test
  void redisKilledUnderAHoldingAgentIsNoticedAndNothingActsOnTheLostLock() throws Exception {
    Duration ttl = Duration.ofSeconds(2);
    try (RedisServer redis = RedisServer.own();
        RedisLockService agentA = service(redis.uri(), "fault-it:");
        RedisLockService agentB = service(redis.uri(), "fault-it:")) {
      FencedResource resource = new FencedResource();
      Lock a = agentA.tryAcquire(TARGET, "agent-a", ttl).orElseThrow();
      GuardedWork work = new GuardedWork(agentA, a, ttl, resource);
      Thread worker = new Thread(work, "agent-a-action");
      worker.start();
      Thread.sleep(2500);
      assertThat(work.lostAt()).as("renewed while Redis is up").isNull();

      Instant killed = Instant.now();
      redis.kill();
      worker.join(Duration.ofSeconds(10).toMillis());
      assertThat(work.lostAt()).as("the loss of Redis is noticed at the next renewal").isNotNull();
      Duration noticed = Duration.between(killed, work.lostAt());
      assertThat(noticed).isLessThan(ttl.plusSeconds(1));
      int stepsWhenLost = work.steps();
      assertThatThrownBy(() -> agentB.tryAcquire(TARGET, "agent-b", ttl))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(redis.uri().substring("redis://".length())).hasMessageContaining("redis-server");

      redis.start();
      Lock b = takeWithin(agentB, "agent-b", ttl, Duration.ofSeconds(10));
      assertThat(b.fencingToken()).isGreaterThan(work.lock().fencingToken());
      assertThat(resource.write(TARGET, b.fencingToken(), "b: write")).isTrue();
      assertThat(work.steps()).as("no step of agent-a's action after its lock was lost").isEqualTo(stepsWhenLost);
      assertThat(resource.write(TARGET, work.lock().fencingToken(), "a: late write")).isFalse();
      System.out.printf("Redis killed under a holder: loss noticed after %d ms; agent-b took the lock %s%n",
          noticed.toMillis(), b);
    }
  }

  private static RedisLockService service(String uri, String prefix) {
    return RedisLockService.builder(uri).setKeyPrefix(prefix).setCommandTimeout(Duration.ofSeconds(1)).build();
  }

  private static Lock takeWithin(RedisLockService locks, String owner, Duration ttl, Duration within)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(within);
    while (Instant.now().isBefore(deadline)) {
      try {
        Optional<Lock> l = locks.tryAcquire(TARGET, owner, ttl);
        if (l.isPresent()) {
          return l.get();
        }
      } catch (IllegalStateException e) {
        // the client is reconnecting
      }
      Thread.sleep(100);
    }
    throw new AssertionError(owner + " could not take " + TARGET + " within " + within);
  }
}
