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
}
