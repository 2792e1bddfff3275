package dev.sreagent.k8s;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * Carries out {@link Action.ScaleReplicas} on a Deployment or StatefulSet. When a HorizontalPodAutoscaler targets the
 * workload, its {@code minReplicas} is changed instead (changing the replicas under an HPA would be undone by it),
 * never above its {@code maxReplicas}; otherwise the workload's {@code spec.replicas}.
 *
 * <p>Safety: only namespaces the {@link NamespacePolicy} allows; the plan's {@code fromReplicas} must still be the
 * workload's replicas; a fencing token lower than the one recorded on the workload or its HPA is refused; every write
 * is a PUT carrying the {@code resourceVersion} read (a 409 re-reads and re-checks once, never overwrites blindly);
 * the changed object gets the {@link ChangeMarks} annotations (incident, idempotency key, fencing token), which make a
 * redelivered key a no-op and let {@link #reconcile(String)} tell whether a lost attempt took effect. A dry run is the
 * API server's own ({@code dryRun=All}) and answers {@code DRY_RUN}. The object it would change (the HPA when one
 * targets the workload, else the workload) is never changed when Argo CD or Flux manages it ({@link GitOps}): that is
 * REJECTED naming the owning Application, Kustomization or HelmRelease, since a scale must then go through Git.
 *
 * <p>RBAC: {@code get, list} on deployments, statefulsets and horizontalpodautoscalers; {@code update} on the
 * deployments, statefulsets and horizontalpodautoscalers it may change.
 */
public final class KubernetesScaleExecutor extends KubernetesExecutor<Action.ScaleReplicas> {
  private KubernetesScaleExecutor(Builder b) {
    super(b, Action.ScaleReplicas.class);
  }

  /** A builder over {@code client}; {@link Builder#setNamespaces} is required. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public String name() {
    return "kubernetes-scale";
  }

  @Override
  ActionResult run(Action.ScaleReplicas scale, ExecutionContext context) {
    return executions.withOneRetryOnConflict(context, afterConflict -> attempt(scale, context));
  }

  private ActionResult attempt(Action.ScaleReplicas scale, ExecutionContext context) {
    Target target = target(scale.service(), context);
    if (!target.found()) {
      return target.refusal();
    }
    HasMetadata workload = target.workload();
    Optional<HorizontalPodAutoscaler> hpa = client.autoscaling().v2().horizontalPodAutoscalers()
        .inNamespace(workload.getMetadata().getNamespace()).list().getItems().stream()
        .filter(h -> Workloads.targets(h, workload)).findFirst();
    HasMetadata[] marked = hpa.isPresent() ? new HasMetadata[] {workload, hpa.get()} : new HasMetadata[] {workload};
    Optional<ActionResult> early = executions.alreadyApplied(context, marked)
        .or(() -> executions.staleToken(context, scale.target(), marked))
        .or(() -> executions.managedByGitOps(context, hpa.isPresent() ? hpa.get() : workload, "a scale"));
    if (early.isPresent()) {
      return early.get();
    }
    int replicas = Workloads.replicas(workload);
    if (replicas != scale.fromReplicas()) {
      return executions.result(context, ActionResult.Status.FAILED, Workloads.describe(workload) + " has "
          + replicas + " replicas, the plan expected " + scale.fromReplicas() + ": plan again on the current state");
    }
    return hpa.isPresent() ? viaHpa(hpa.get(), scale, context) : direct(workload, scale, context);
  }

  private ActionResult viaHpa(HorizontalPodAutoscaler hpa, Action.ScaleReplicas scale, ExecutionContext context) {
    int max = hpa.getSpec().getMaxReplicas();
    if (scale.toReplicas() > max) {
      return executions.result(context, ActionResult.Status.REJECTED, "would set minReplicas of "
          + Workloads.describe(hpa) + " to " + scale.toReplicas() + ", above its maxReplicas " + max
          + "; refused (raise the HPA's maximum through its owner)");
    }
    Integer before = hpa.getSpec().getMinReplicas();
    hpa.getSpec().setMinReplicas(scale.toReplicas());
    ChangeMarks.mark(hpa, context, scale.target());
    var resource = client.autoscaling().v2().horizontalPodAutoscalers()
        .inNamespace(hpa.getMetadata().getNamespace()).resource(hpa);
    String what = "minReplicas of " + Workloads.describe(hpa) + " " + (before == null ? 1 : before) + " -> "
        + scale.toReplicas() + " (maxReplicas " + max + "; the HPA scales the workload)";
    if (context.dryRun()) {
      resource.dryRun().update();
      return executions.result(context, ActionResult.Status.DRY_RUN, "server-side dry run accepted: " + what);
    }
    resource.update();
    return executions.result(context, ActionResult.Status.SUCCEEDED, "set " + what);
  }

  private ActionResult direct(HasMetadata workload, Action.ScaleReplicas scale, ExecutionContext context) {
    Workloads.setReplicas(workload, scale.toReplicas());
    ChangeMarks.mark(workload, context, scale.target());
    String ns = workload.getMetadata().getNamespace();
    String what = Workloads.describe(workload) + " " + scale.fromReplicas() + " -> " + scale.toReplicas()
        + " replicas";
    if (workload instanceof Deployment d) {
      var resource = client.apps().deployments().inNamespace(ns).resource(d);
      if (context.dryRun()) {
        resource.dryRun().update();
      } else {
        resource.update();
      }
    } else {
      var resource = client.apps().statefulSets().inNamespace(ns).resource((StatefulSet) workload);
      if (context.dryRun()) {
        resource.dryRun().update();
      } else {
        resource.update();
      }
    }
    return context.dryRun()
        ? executions.result(context, ActionResult.Status.DRY_RUN, "server-side dry run accepted: scale " + what)
        : executions.result(context, ActionResult.Status.SUCCEEDED, "scaled " + what);
  }

  /** Whether a change under {@code idempotencyKey} is recorded on a workload or HPA in the allowed namespaces. */
  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    return recordedOn(idempotencyKey, true);
  }

  /** Builds a {@link KubernetesScaleExecutor}. */
  public static final class Builder extends KubernetesExecutorBuilder<Builder, KubernetesScaleExecutor> {
    private Builder(KubernetesClient client) {
      super(client);
    }

    @Override
    KubernetesScaleExecutor create() {
      return new KubernetesScaleExecutor(this);
    }
  }
}
