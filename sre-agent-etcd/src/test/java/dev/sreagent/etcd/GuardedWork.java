package dev.sreagent.etcd;

import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.LockService;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A long action under a lock, following the agent's rule (Remediator.watch): renew the lease once half of it has
 * passed; a renewal that answers empty means the lock is lost and the action stops. Each step writes to a fenced
 * resource with the lock's token.
 */
final class GuardedWork implements Runnable {
  private final LockService locks;
  private final Duration ttl;
  private final FencedResource resource;
  private volatile Lock lock;
  private volatile boolean stop;
  volatile Instant lostAt;
  final AtomicInteger steps = new AtomicInteger();

  GuardedWork(LockService locks, Lock lock, Duration ttl, FencedResource resource) {
    this.locks = locks;
    this.lock = lock;
    this.ttl = ttl;
    this.resource = resource;
  }

  Lock lock() {
    return lock;
  }

  void stop() {
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
