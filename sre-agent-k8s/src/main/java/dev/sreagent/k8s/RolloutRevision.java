package dev.sreagent.k8s;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One revision of a Deployment's rollout history as {@link KubernetesTopology#rolloutHistory} reads it from the
 * ReplicaSets the Deployment owns: more than {@link dev.sreagent.api.model.Revision} holds (the ReplicaSet, the images,
 * whether the health is known at all).
 *
 * @param revision the revision number ({@code deployment.kubernetes.io/revision} on the ReplicaSet)
 * @param replicaSet the ReplicaSet's name
 * @param createdAt when the ReplicaSet was created (its template's first rollout; the epoch when the API gave none)
 * @param images the images of its pod template (init containers first)
 * @param health what the topology observed of it while it was the Deployment's current revision
 * @param current whether it is the Deployment's current revision
 */
public record RolloutRevision(String revision, String replicaSet, Instant createdAt, List<String> images,
    Health health, boolean current) {
  /** What the topology's informers saw of a revision while it was the current one. */
  public enum Health {
    /** Every desired pod was ready ({@code readyReplicas == replicas > 0}) the last time it was seen as current. */
    HEALTHY,
    /**
     * Seen as current, but not every desired pod was ready the last time (or the Deployment reported
     * {@code ProgressDeadlineExceeded}).
     */
    UNHEALTHY,
    /** Never seen as current with pods wanted: superseded before the topology started, or only ever scaled to 0. */
    UNKNOWN
  }

  /** Checks the components. */
  public RolloutRevision {
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(replicaSet, "replicaSet");
    Objects.requireNonNull(createdAt, "createdAt");
    images = List.copyOf(Objects.requireNonNull(images, "images"));
    Objects.requireNonNull(health, "health");
  }
}
