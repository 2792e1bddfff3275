package dev.sreagent.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.LockService;
import dev.sreagent.testkit.VirtualClock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LockService} promises: at most one owner holds a target until it releases it or its lease runs
 * out; fencing tokens only grow per target, so an executor can refuse a holder whose lease was taken over; a stale
 * holder's release never frees its successor's lock.
 */
public abstract class LockServiceContract {
  private static final Duration TTL = Duration.ofMinutes(5);

  /** A fresh lock service whose leases run on {@code clock}. */
  protected abstract LockService create(VirtualClock clock);

  @Test
  void aHeldTargetIsRefusedToAnotherOwnerAndFreeAfterRelease() {
    LockService locks = create(new VirtualClock());
    Lock mine = locks.tryAcquire("scale:cart", "agent-a", TTL).orElseThrow();
    assertTrue(locks.tryAcquire("scale:cart", "agent-b", TTL).isEmpty(), "a held target is refused to another owner");
    assertTrue(locks.tryAcquire("scale:ads", "agent-b", TTL).isPresent(), "other targets are independent");
    locks.release(mine);
    assertTrue(locks.tryAcquire("scale:cart", "agent-b", TTL).isPresent(), "free once released");
  }

  @Test
  void anExpiredLeaseIsTakenOverWithAGreaterToken() {
    VirtualClock clock = new VirtualClock();
    LockService locks = create(clock);
    Lock first = locks.tryAcquire("scale:cart", "agent-a", TTL).orElseThrow();
    clock.advance(TTL.plusSeconds(1));
    Lock second = locks.tryAcquire("scale:cart", "agent-b", TTL).orElseThrow();
    assertTrue(second.fencingToken() > first.fencingToken(), "tokens grow: " + first + " then " + second);
    locks.release(first); // the stale holder wakes up and releases
    assertTrue(locks.tryAcquire("scale:cart", "agent-c", TTL).isEmpty(),
        "a stale holder's release must not free its successor's lock");
  }

  @Test
  void fencingTokensOnlyGrowPerTarget() {
    LockService locks = create(new VirtualClock());
    long last = Long.MIN_VALUE;
    for (int i = 0; i < 20; i++) {
      Optional<Lock> l = locks.tryAcquire("rollback:cart", "agent-" + (i % 3), TTL);
      assertTrue(l.isPresent());
      assertTrue(l.get().fencingToken() > last, "token " + l.get().fencingToken() + " after " + last);
      last = l.get().fencingToken();
      locks.release(l.get());
    }
  }

  @Test
  void aLockNamesItsTargetOwnerAndLease() {
    VirtualClock clock = new VirtualClock();
    Lock l = create(clock).tryAcquire("renew-certificate:payments-mtls", "agent-a", TTL).orElseThrow();
    assertEquals("renew-certificate:payments-mtls", l.target());
    assertEquals("agent-a", l.owner());
    assertEquals(clock.now().plus(TTL), l.expiresAt());
  }

  @Test
  void aHolderRenewsItsLeaseKeepingItsTokenButNeverAfterATakeover() {
    VirtualClock clock = new VirtualClock();
    LockService locks = create(clock);
    Lock first = locks.tryAcquire("restart:cart", "agent-a", TTL).orElseThrow();
    clock.advance(TTL.dividedBy(2));
    Lock renewed = locks.renew(first, TTL).orElseThrow(() -> new AssertionError("a held lock must renew"));
    assertEquals(first.fencingToken(), renewed.fencingToken(), "renewal keeps the token");
    assertEquals(clock.now().plus(TTL), renewed.expiresAt());
    clock.advance(TTL.minusSeconds(1)); // past the first lease, inside the renewed one
    assertTrue(locks.tryAcquire("restart:cart", "agent-b", TTL).isEmpty(), "the renewed lease still holds");
    clock.advance(Duration.ofSeconds(2));
    Lock other = locks.tryAcquire("restart:cart", "agent-b", TTL).orElseThrow();
    assertTrue(locks.renew(renewed, TTL).isEmpty(), "a lease taken over must not renew");
    assertTrue(locks.tryAcquire("restart:cart", "agent-c", TTL).isEmpty(), "the successor " + other + " holds");
    locks.release(other);
    assertTrue(locks.renew(other, TTL).isEmpty(), "a released lock must not renew");
  }
}
