package dev.sreagent.api.port;

import dev.sreagent.api.model.Lock;
import java.time.Duration;
import java.util.Optional;

/** Mutual exclusion between agents acting on the same target, with fencing tokens. */
public interface LockService {
  /** Takes the lock on {@code target} for {@code ttl} if free (or expired). */
  Optional<Lock> tryAcquire(String target, String owner, Duration ttl);

  /** Releases a lock; a lock that expired or was taken over is left alone. */
  void release(Lock lock);

  /**
   * Extends the lease of a lock its holder still has, keeping its fencing token; used while a long action runs.
   *
   * @return the lock with its new lease, or empty when it expired and was taken over, was released, or this service
   *     cannot extend leases (the default): the agent then treats the lock as lost and cancels the action it guarded
   */
  default Optional<Lock> renew(Lock lock, Duration ttl) {
    return Optional.empty();
  }
}
