package dev.sreagent.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.LockService;
import dev.sreagent.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LockService} promises: at most one owner holds a target until it releases it or its lease runs
 * out; fencing tokens only grow per target, so an executor can refuse a holder whose lease was taken over; a stale
 * holder's release never frees its successor's lock.
 *
 * <p>Time: an in-process service runs its leases on the {@link VirtualClock} it is given, and the contract moves that
 * clock. A service whose leases run on a real server (etcd, Redis) overrides {@link #ttl()} with a short real lease
 * and {@link #elapse} to wait in real time as well (see {@link #elapse}); it still reports {@link Lock#expiresAt()}
 * on the virtual clock it is given, so the lease arithmetic is checked exactly.
 */
public abstract class LockServiceContract {
  /** The lease an in-process service is tested with. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  /** A fresh lock service whose leases run on {@code clock} (or, for a real server, whose locks report on it). */
  protected abstract LockService create(VirtualClock clock);

  /**
   * The lease the contract asks for. A real server's adapter overrides it with a short lease in whole seconds it can
   * honour exactly (etcd grants at least about 2 s), so a lease can run out within a test.
   */
  protected Duration ttl() {
    return DEFAULT_TTL;
  }

  /**
   * How far past a lease's end the contract waits before it counts on the lease having run out, and how far inside a
   * lease it counts on the lease still holding: 1 s by default. A real server expires leases on its own schedule (etcd
   * checks every 500 ms), so its adapter may need more.
   */
  protected Duration slack() {
    return Duration.ofSeconds(1);
  }

  /**
   * Lets {@code d} pass for the leases: moves {@code clock} by {@code d}. A real server's adapter also waits {@code d}
   * of real time, e.g. {@code super.elapse(clock, d); Thread.sleep(d.toMillis());}.
   */
  protected void elapse(VirtualClock clock, Duration d) throws InterruptedException {
    clock.advance(d);
  }

  /** Lets the lease of {@code lock} run out: {@link #elapse} to its end plus {@link #slack()}. */
  protected void letLeaseRunOut(VirtualClock clock, Lock lock) throws InterruptedException {
    Duration left = Duration.between(clock.now(), lock.expiresAt());
    elapse(clock, (left.isNegative() ? Duration.ZERO : left).plus(slack()));
  }

  @Test
  void aHeldTargetIsRefusedToAnotherOwnerAndFreeAfterRelease() {
    LockService locks = create(new VirtualClock());
    Lock mine = locks.tryAcquire("scale:cart", "agent-a", ttl()).orElseThrow();
    assertTrue(locks.tryAcquire("scale:cart", "agent-b", ttl()).isEmpty(), "a held target is refused to another owner");
    assertTrue(locks.tryAcquire("scale:ads", "agent-b", ttl()).isPresent(), "other targets are independent");
    locks.release(mine);
    assertTrue(locks.tryAcquire("scale:cart", "agent-b", ttl()).isPresent(), "free once released");
  }

  @Test
  void anExpiredLeaseIsTakenOverWithAGreaterToken() throws InterruptedException {
    VirtualClock clock = new VirtualClock();
    LockService locks = create(clock);
    Lock first = locks.tryAcquire("scale:cart", "agent-a", ttl()).orElseThrow();
    letLeaseRunOut(clock, first);
    Lock second = locks.tryAcquire("scale:cart", "agent-b", ttl()).orElseThrow();
    assertTrue(second.fencingToken() > first.fencingToken(), "tokens grow: " + first + " then " + second);
    locks.release(first); // the stale holder wakes up and releases
    assertTrue(locks.tryAcquire("scale:cart", "agent-c", ttl()).isEmpty(),
        "a stale holder's release must not free its successor's lock");
  }

  @Test
  void fencingTokensOnlyGrowPerTarget() {
    LockService locks = create(new VirtualClock());
    long last = Long.MIN_VALUE;
    for (int i = 0; i < 20; i++) {
      Optional<Lock> l = locks.tryAcquire("rollback:cart", "agent-" + (i % 3), ttl());
      assertTrue(l.isPresent());
      assertTrue(l.get().fencingToken() > last, "token " + l.get().fencingToken() + " after " + last);
      last = l.get().fencingToken();
      locks.release(l.get());
    }
  }

  @Test
  void aLockNamesItsTargetOwnerAndLease() {
    VirtualClock clock = new VirtualClock();
    Lock l = create(clock).tryAcquire("renew-certificate:payments-mtls", "agent-a", ttl()).orElseThrow();
    assertEquals("renew-certificate:payments-mtls", l.target());
    assertEquals("agent-a", l.owner());
    assertEquals(clock.now().plus(ttl()), l.expiresAt());
  }

  @Test
  void aHolderRenewsItsLeaseKeepingItsTokenButNeverAfterATakeover() throws InterruptedException {
    VirtualClock clock = new VirtualClock();
    LockService locks = create(clock);
    Lock first = locks.tryAcquire("restart:cart", "agent-a", ttl()).orElseThrow();
    elapse(clock, ttl().dividedBy(2));
    Lock renewed = locks.renew(first, ttl()).orElseThrow(() -> new AssertionError("a held lock must renew"));
    assertEquals(first.fencingToken(), renewed.fencingToken(), "renewal keeps the token");
    assertEquals(clock.now().plus(ttl()), renewed.expiresAt());
    // past the first lease, inside the renewed one
    elapse(clock, Duration.between(clock.now(), first.expiresAt()).plus(slack()));
    assertTrue(locks.tryAcquire("restart:cart", "agent-b", ttl()).isEmpty(), "the renewed lease still holds");
    letLeaseRunOut(clock, renewed);
    Lock other = locks.tryAcquire("restart:cart", "agent-b", ttl()).orElseThrow();
    assertTrue(locks.renew(renewed, ttl()).isEmpty(), "a lease taken over must not renew");
    assertTrue(locks.tryAcquire("restart:cart", "agent-c", ttl()).isEmpty(), "the successor " + other + " holds");
    locks.release(other);
    assertTrue(locks.renew(other, ttl()).isEmpty(), "a released lock must not renew");
  }

  @Test
  void ofOwnersRacingForOneTargetExactlyOneWins() throws Exception {
    LockService locks = create(new VirtualClock());
    int racers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Optional<Lock>>> tries = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        String owner = "agent-" + i;
        tries.add(pool.submit(() -> {
          start.await();
          return locks.tryAcquire("restart-pods:checkout", owner, ttl());
        }));
      }
      start.countDown();
      List<Lock> won = new ArrayList<>();
      for (Future<Optional<Lock>> t : tries) {
        t.get(30, TimeUnit.SECONDS).ifPresent(won::add);
      }
      assertEquals(1, won.size(), "exactly one of " + racers + " racing owners holds the target: " + won);
    } finally {
      pool.shutdownNow();
    }
  }
}
