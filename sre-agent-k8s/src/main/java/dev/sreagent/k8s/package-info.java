/**
 * Kubernetes adapter on the fabric8 client (issue 14, in progress): {@link dev.sreagent.k8s.KubernetesTopology} (the
 * topology port from shared informers), {@link dev.sreagent.k8s.KubernetesChangeEvents} (a telemetry source of
 * rollouts, OOM kills, crash loops, evictions, failed mounts and NotReady nodes, from informers; with
 * {@link dev.sreagent.k8s.MemoryUtilisation} completing memory utilisation from pod-spec limits),
 * {@link dev.sreagent.k8s.KubernetesScaleExecutor} (replicas, or an HPA's {@code minReplicas}),
 * {@link dev.sreagent.k8s.KubernetesRestartExecutor} (pods through the Eviction API) and
 * {@link dev.sreagent.k8s.PermissionCheck} (a {@code SelfSubjectAccessReview} per permission the enabled components
 * need, {@link dev.sreagent.k8s.Permissions}). Every executor is bounded by a {@link dev.sreagent.k8s.NamespacePolicy},
 * writes with optimistic concurrency and records the incident, idempotency key and fencing token on the objects it
 * changes. Not built yet: rollback, log truncation, certificate renewal.
 */
@NullMarked
package dev.sreagent.k8s;

import org.jspecify.annotations.NullMarked;
