package dev.sreagent.k8s;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;
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
 * API server's own ({@code dryRun=All}) and answers {@code DRY_RUN}.
 *
 * <p>RBAC: {@code get, list} on deployments, statefulsets and horizontalpodautoscalers; {@code update} on the
 * deployments, statefulsets and horizontalpodautoscalers it may change.
 */
public final class KubernetesScaleExecutor implements ActionExecutor {
  private final KubernetesClient client;
  private final NamespacePolicy namespaces;
  private final String serviceLabel;
  private final Executions executions;

  private KubernetesScaleExecutor(Builder b) {
    this.client = b.client;
    this.namespaces = Objects.requireNonNull(b.namespaces, "namespaces (setNamespaces)");
    this.serviceLabel = b.serviceLabel;
    this.executions = new Executions(b.clock);
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
  public boolean supports(Action action) {
    return action instanceof Action.ScaleReplicas;
  }

  @Override
  public ActionResult execute(Action action, ExecutionContext context) {
    if (!(action instanceof Action.ScaleReplicas scale)) {
      return executions.result(context, ActionResult.Status.REJECTED, name() + " does not support "
          + action.canonical());
    }
    return executions.withOneRetryOnConflict(context, afterConflict -> attempt(scale, context));
  }

  private ActionResult attempt(Action.ScaleReplicas scale, ExecutionContext context) {
    List<HasMetadata> found = Workloads.find(client, namespaces.namespaces(), serviceLabel, scale.service());
    if (found.size() != 1) {
      return executions.result(context, ActionResult.Status.FAILED, found.isEmpty()
          ? "no Deployment or StatefulSet of service " + scale.service() + " in " + namespaces.namespaces()
          : "service " + scale.service() + " names " + found.size() + " workloads: "
              + found.stream().map(Workloads::describe).toList());
    }
    HasMetadata workload = found.get(0);
    Optional<String> refused = namespaces.refusal(workload.getMetadata().getNamespace());
    if (refused.isPresent()) {
      return executions.result(context, ActionResult.Status.REJECTED, refused.get());
    }
    Optional<HorizontalPodAutoscaler> hpa = client.autoscaling().v2().horizontalPodAutoscalers()
        .inNamespace(workload.getMetadata().getNamespace()).list().getItems().stream()
        .filter(h -> Workloads.targets(h, workload)).findFirst();
    HasMetadata[] marked = hpa.isPresent() ? new HasMetadata[] {workload, hpa.get()} : new HasMetadata[] {workload};
    Optional<ActionResult> early = executions.alreadyApplied(context, marked)
        .or(() -> executions.staleToken(context, marked));
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
    ChangeMarks.mark(hpa, context);
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
    ChangeMarks.mark(workload, context);
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
    return Workloads.markedWith(client, namespaces.namespaces(), idempotencyKey, true)
        .map(o -> executions.result(idempotencyKey, ActionResult.Status.SUCCEEDED, "took effect: key "
            + idempotencyKey + " is recorded on " + Workloads.describe(o)));
  }

  /** Builds a {@link KubernetesScaleExecutor}. */
  public static final class Builder {
    private final KubernetesClient client;
    private NamespacePolicy namespaces;
    private String serviceLabel = Workloads.DEFAULT_SERVICE_LABEL;
    private Clock clock = Clock.system();

    private Builder(KubernetesClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** The namespaces it may change (required). */
    public Builder setNamespaces(NamespacePolicy namespaces) {
      this.namespaces = Objects.requireNonNull(namespaces, "namespaces");
      return this;
    }

    /** The label naming a workload's service (default {@code app.kubernetes.io/name}; else the workload's name). */
    public Builder setServiceLabel(String serviceLabel) {
      this.serviceLabel = dev.sreagent.api.Require.notBlank(serviceLabel, "serviceLabel");
      return this;
    }

    /** The clock stamping results (default the system clock). */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public KubernetesScaleExecutor build() {
      return new KubernetesScaleExecutor(this);
    }
  }
}
