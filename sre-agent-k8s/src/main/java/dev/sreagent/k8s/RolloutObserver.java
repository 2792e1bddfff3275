package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per ReplicaSet (by uid), whether every desired pod was ready the last time the informers showed it as its
 * Deployment's current revision. Fed by the informers' event handlers (on the informer threads); read by
 * {@link KubernetesTopology#topology()} without any API call. Memory only: a restarted agent knows nothing of
 * revisions superseded before it started ({@link RolloutRevision.Health#UNKNOWN}).
 */
final class RolloutObserver {
  private final Map<String, Boolean> readyWhenLastCurrent = new ConcurrentHashMap<>();

  /** Records what {@code rs} shows now, when it is {@code deployment}'s current revision and wants pods. */
  void observe(Deployment deployment, ReplicaSet rs) {
    OptionalLong current = ReplicaSets.revision(deployment);
    OptionalLong revision = ReplicaSets.revision(rs);
    if (!ReplicaSets.ownedBy(rs, deployment) || current.isEmpty() || revision.isEmpty()
        || current.getAsLong() != revision.getAsLong() || ReplicaSets.scaledToZero(rs)) {
      return;  // not the current revision, or no pods wanted: no evidence either way
    }
    readyWhenLastCurrent.put(rs.getMetadata().getUid(), ReplicaSets.fullyReady(rs) && !deadlineExceeded(deployment));
  }

  /** Forgets a deleted ReplicaSet. */
  void forget(ReplicaSet rs) {
    if (rs.getMetadata().getUid() != null) {
      readyWhenLastCurrent.remove(rs.getMetadata().getUid());
    }
  }

  RolloutRevision.Health health(ReplicaSet rs) {
    Boolean ready = rs.getMetadata().getUid() == null ? null : readyWhenLastCurrent.get(rs.getMetadata().getUid());
    return ready == null ? RolloutRevision.Health.UNKNOWN
        : ready ? RolloutRevision.Health.HEALTHY : RolloutRevision.Health.UNHEALTHY;
  }

  private static boolean deadlineExceeded(Deployment d) {
    List<DeploymentCondition> conditions = d.getStatus() == null ? null : d.getStatus().getConditions();
    return conditions != null && conditions.stream().anyMatch(c -> "Progressing".equals(c.getType())
        && "False".equals(c.getStatus()) && "ProgressDeadlineExceeded".equals(c.getReason()));
  }
}
