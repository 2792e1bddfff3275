package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the cluster says about one workload.
 *
 * @param name service name
 * @param namespace namespace
 * @param replicas current replicas
 * @param maxReplicas scale-out ceiling (HPA max or configured)
 * @param minAvailable PodDisruptionBudget: pods that must stay available
 * @param currentRevision the revision running now
 * @param revisions rollout history, oldest first
 * @param pods current pod names
 */
public record ServiceInfo(String name, String namespace, int replicas, int maxReplicas, int minAvailable,
    String currentRevision, List<Revision> revisions, List<String> pods) {
  public ServiceInfo {
    Require.notBlank(name, "name");
    Require.notBlank(namespace, "namespace");
    Require.atLeast(replicas, 0, "replicas");
    Require.atLeast(maxReplicas, 1, "maxReplicas");
    Require.atLeast(minAvailable, 0, "minAvailable");
    Require.notBlank(currentRevision, "currentRevision");
    revisions = List.copyOf(Objects.requireNonNull(revisions, "revisions"));
    pods = List.copyOf(Objects.requireNonNull(pods, "pods"));
  }

  /** The newest healthy revision other than the current one. */
  public Optional<Revision> lastHealthyRevisionBeforeCurrent() {
    for (int i = revisions.size() - 1; i >= 0; i--) {
      Revision r = revisions.get(i);
      if (r.healthy() && !r.id().equals(currentRevision)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The revision with id {@code id}. */
  public Optional<Revision> revision(String id) {
    return revisions.stream().filter(r -> r.id().equals(id)).findFirst();
  }
}
