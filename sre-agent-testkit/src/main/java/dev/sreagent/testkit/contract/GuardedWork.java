package dev.sreagent.testkit.contract;

import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.LockService;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A long action under a lock, following the agent's rule (Remediator.watch): renew the lease once half of it has
 * passed; a renewal that answers empty means the lock is lost and the action stops. Each step writes to a fenced
 * resource with the lock's token. For lock adapters' fault tests (run it on a thread, kill the server under it).
 */
public final class GuardedWork implements Runnable {
  private final LockService locks;
  private final Duration ttl;
  private final FencedResource resource;
  private volatile Lock lock;
  private volatile boolean stop;
  private volatile Instant lostAt;
  private final AtomicInteger steps = new AtomicInteger();

  /** Work under {@code lock}, renewed for {@code ttl} at a time, writing to {@code resource}. */
  public GuardedWork(LockService locks, Lock lock, Duration ttl, FencedResource resource) {
    this.locks = locks;
    this.lock = lock;
    this.ttl = ttl;
    this.resource = resource;
  }

  /** The lock as last renewed. */
  public Lock lock() {
    return lock;
  }

  /** When a renewal answered empty (the lock lost), or null while it is held. */
  public Instant lostAt() {
    return lostAt;
  }

  /** Steps written so far. */
  public int steps() {
    return steps.get();
  }

  /** Stops after the current step. */
  public void stop() {
    stop = true;
  }

  @Override
  public void run() {
    Instant renewAt = Instant.now().plus(ttl.dividedBy(2));
    while (!stop) {
      if (!Instant.now().isBefore(renewAt)) {
        Optional<Lock> renewed = locks.renew(lock, ttl);
        if (renewed.isEmpty()) {
          lostAt = Instant.now();
          return; // the agent cancels the guarded action: no step after this
        }
        lock = renewed.get();
        renewAt = Instant.now().plus(ttl.dividedBy(2));
      }
      resource.write(lock.target(), lock.fencingToken(), lock.owner() + " step " + steps.incrementAndGet());
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
