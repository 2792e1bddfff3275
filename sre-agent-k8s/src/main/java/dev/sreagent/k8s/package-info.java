/**
 * Kubernetes adapter on the fabric8 client (issue 14, in increments): {@link dev.sreagent.k8s.KubernetesTopology} (the
 * topology port from shared informers, with Deployments' rollout history from their ReplicaSets),
 * {@link dev.sreagent.k8s.KubernetesScaleExecutor} (replicas, or an HPA's {@code minReplicas}),
 * {@link dev.sreagent.k8s.KubernetesRestartExecutor} (pods through the Eviction API) and
 * {@link dev.sreagent.k8s.KubernetesRollbackExecutor} (a Deployment's pod template from a ReplicaSet revision). Every
 * executor is bounded by a {@link dev.sreagent.k8s.NamespacePolicy}, writes with optimistic concurrency and records
 * the incident, idempotency key and fencing token on the objects it changes; scale and rollback refuse objects Argo CD
 * or Flux manages (the change must go through Git). Not built yet: StatefulSet rollback, log truncation, certificate
 * renewal, change-event telemetry and the start-up permission check.
 */
@NullMarked
package dev.sreagent.k8s;

import org.jspecify.annotations.NullMarked;
