package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Objects;

/**
 * One revision in a workload's rollout history.
 *
 * @param id revision id
 * @param deployedAt when it was rolled out
 * @param healthy whether it ran healthy (rollbacks may only target healthy revisions)
 */
public record Revision(String id, Instant deployedAt, boolean healthy) {
  public Revision {
    Require.notBlank(id, "id");
    Objects.requireNonNull(deployedAt, "deployedAt");
  }
}
