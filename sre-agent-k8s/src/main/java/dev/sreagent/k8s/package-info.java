/**
 * Kubernetes adapter on the fabric8 client (first increment of issue 14): {@link dev.sreagent.k8s.KubernetesTopology}
 * (the topology port from shared informers), {@link dev.sreagent.k8s.KubernetesScaleExecutor} (replicas, or an HPA's
 * {@code minReplicas}) and {@link dev.sreagent.k8s.KubernetesRestartExecutor} (pods through the Eviction API). Every
 * executor is bounded by a {@link dev.sreagent.k8s.NamespacePolicy}, writes with optimistic concurrency and records
 * the incident, idempotency key and fencing token on the objects it changes. Not built yet: rollback, log truncation,
 * certificate renewal, change-event telemetry and the start-up permission check.
 */
@NullMarked
package dev.sreagent.k8s;

import org.jspecify.annotations.NullMarked;
