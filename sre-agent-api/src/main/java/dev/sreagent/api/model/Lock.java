package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Objects;

/**
 * A held lock on a target. The fencing token grows with every grant on the same target, so an executor that has
 * seen a newer token can refuse a stale holder.
 *
 * @param target the locked resource
 * @param owner who holds it
 * @param fencingToken monotonically increasing per target
 * @param expiresAt when the lease runs out
 */
public record Lock(String target, String owner, long fencingToken, Instant expiresAt) {
  public Lock {
    Require.notBlank(target, "target");
    Require.notBlank(owner, "owner");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
