package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per ReplicaSet (by uid), whether every desired pod was ready the last time the informers showed it as its
 * Deployment's current revision; and per StatefulSet revision (StatefulSet uid and ControllerRevision name, which
 * stays with the template when a rollback renumbers it), whether every pod ran it and was ready the last time it was
 * the revision of the StatefulSet's template. Fed by the informers' event handlers (on the informer threads); read by
 * {@link KubernetesTopology#topology()} without any API call. Memory only: a restarted agent knows nothing of
 * revisions superseded before it started ({@link RolloutRevision.Health#UNKNOWN}).
 */
final class RolloutObserver {
  private final Map<String, Boolean> readyWhenLastCurrent = new ConcurrentHashMap<>();
  /** Per StatefulSet uid and ControllerRevision name: ready when last seen as the revision of its template. */
  private final Map<String, Boolean> statefulSetRevisions = new ConcurrentHashMap<>();

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

  /**
   * Records what {@code s} shows now of the revision of its template ({@code status.updateRevision}), when the status
   * has caught up with its generation and it wants pods: ready when every pod runs that revision
   * ({@code currentRevision == updateRevision}) and every desired replica is ready.
   */
  void observe(StatefulSet s) {
    StatefulSetStatus st = s.getStatus();
    int replicas = Workloads.replicas(s);
    long generation = s.getMetadata().getGeneration() == null ? 0 : s.getMetadata().getGeneration();
    if (st == null || st.getUpdateRevision() == null || s.getMetadata().getUid() == null || replicas <= 0
        || st.getObservedGeneration() == null || st.getObservedGeneration() < generation) {
      return;  // no revision named, no pods wanted, or a status that has not caught up: no evidence either way
    }
    boolean ready = st.getUpdateRevision().equals(st.getCurrentRevision()) && st.getReadyReplicas() != null
        && st.getReadyReplicas() >= replicas;
    statefulSetRevisions.put(s.getMetadata().getUid() + "/" + st.getUpdateRevision(), ready);
  }

  /** Forgets a deleted StatefulSet's revisions. */
  void forget(StatefulSet s) {
    String uid = s.getMetadata().getUid();
    if (uid != null) {
      statefulSetRevisions.keySet().removeIf(k -> k.startsWith(uid + "/"));
    }
  }

  /** What was observed of {@code revision} of {@code s} (see {@link #observe(StatefulSet)}). */
  RolloutRevision.Health health(StatefulSet s, ControllerRevision revision) {
    Boolean ready = statefulSetRevisions.get(s.getMetadata().getUid() + "/" + revision.getMetadata().getName());
    return ready == null ? RolloutRevision.Health.UNKNOWN
        : ready ? RolloutRevision.Health.HEALTHY : RolloutRevision.Health.UNHEALTHY;
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
