/**
 * Kubernetes adapter on the fabric8 client (issue 14, in increments): {@link dev.sreagent.k8s.KubernetesTopology} (the
 * topology port from shared informers, with Deployments' rollout history from their ReplicaSets),
 * {@link dev.sreagent.k8s.KubernetesChangeEvents} (a telemetry source of rollouts, OOM kills, crash loops, evictions,
 * failed mounts and NotReady nodes, from informers; with {@link dev.sreagent.k8s.MemoryUtilisation} completing memory
 * utilisation from pod-spec limits), {@link dev.sreagent.k8s.KubernetesScaleExecutor} (replicas, or an HPA's
 * {@code minReplicas}), {@link dev.sreagent.k8s.KubernetesRestartExecutor} (pods through the Eviction API one wave at
 * a time, each after the workload is ready again; or, when every pod is named, a rolling restart by the pod-template
 * annotation), {@link dev.sreagent.k8s.KubernetesRollbackExecutor} (a Deployment's pod template from a ReplicaSet
 * revision) and
 * {@link dev.sreagent.k8s.PermissionCheck} (a {@code SelfSubjectAccessReview} per permission the enabled components
 * need, {@link dev.sreagent.k8s.Permissions}). Every executor is bounded by a {@link dev.sreagent.k8s.NamespacePolicy},
 * writes with optimistic concurrency and records the incident, idempotency key and fencing token on the objects it
 * changes; scale, rollback and rolling restart refuse objects Argo CD or Flux manages (the change must go through
 * Git).
 */
@NullMarked
package dev.sreagent.k8s;

import org.jspecify.annotations.NullMarked;
