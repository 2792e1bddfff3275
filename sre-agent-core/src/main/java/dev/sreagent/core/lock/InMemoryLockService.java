package dev.sreagent.core.lock;

import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.LockService;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Locks within one process, with leases on the clock port and a fencing token per target that only grows. For
 * several agents use a shared lock service (Redis, etcd adapters).
 */
public final class InMemoryLockService implements LockService {
  private final Clock clock;
  private final Map<String, Lock> held = new HashMap<>();
  private final Map<String, Long> tokens = new HashMap<>();

  public InMemoryLockService(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public synchronized Optional<Lock> tryAcquire(String target, String owner, Duration ttl) {
    var now = clock.now();
    Lock current = held.get(target);
    if (current != null && current.expiresAt().isAfter(now) && !current.owner().equals(owner)) {
      return Optional.empty();
    }
    long token = tokens.merge(target, 1L, Long::sum);
    Lock lock = new Lock(target, owner, token, now.plus(ttl));
    held.put(target, lock);
    return Optional.of(lock);
  }

  @Override
  public synchronized void release(Lock lock) {
    Lock current = held.get(lock.target());
    if (current != null && current.fencingToken() == lock.fencingToken()) {
      held.remove(lock.target());
    }
  }

  @Override
  public synchronized Optional<Lock> renew(Lock lock, Duration ttl) {
    Lock current = held.get(lock.target());
    if (current == null || current.fencingToken() != lock.fencingToken()) {
      return Optional.empty();
    }
    Lock extended = new Lock(current.target(), current.owner(), current.fencingToken(), clock.now().plus(ttl));
    held.put(lock.target(), extended);
    return Optional.of(extended);
  }
}
