package dev.sreagent.k8s;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Carries out {@link Action.RestartPods} by evicting each named pod, in order, through the Eviction API
 * ({@code policy/v1}), so the API server enforces the PodDisruptionBudgets: a refusal (HTTP 429) stops the action with
 * a FAILED result that quotes the budget; a pod is never deleted around it. The workload's controller replaces each
 * evicted pod. (This increment does not wait for the replacement to be ready between pods.)
 *
 * <p>Idempotency and fencing live on the owning workload (the pods are gone afterwards): when every pod was evicted,
 * the workload gets the {@link ChangeMarks} annotations (incident, idempotency key, fencing token) with an optimistic
 * write; a redelivered key is answered from them, {@link #reconcile(String)} reads them, and a fencing token lower than
 * the recorded one is refused before any eviction. Every named pod must exist and belong to the workload before the
 * first eviction. When a budget refuses after some pods were evicted, the result is FAILED naming them and the key is
 * not recorded: {@code reconcile} then answers "not taken effect", and a retry under the same key fails its check at
 * once because an evicted pod no longer exists, so no pod is ever evicted twice. A dry run sends each eviction with
 * {@code dryRun: [All]}.
 *
 * <p>The fabric8 client retries an HTTP 429 {@code requestRetryBackoffLimit} times (default 10, about 20 s) before
 * an eviction answers "refused"; give this executor a client configured with a small limit so a budget refusal
 * returns promptly (the agent retries the action with its own backoff).
 *
 * <p>RBAC: {@code get, list} on pods, deployments, statefulsets and poddisruptionbudgets; {@code create} on
 * {@code pods/eviction}; {@code update} on deployments and statefulsets (the annotations).
 */
public final class KubernetesRestartExecutor extends KubernetesExecutor<Action.RestartPods> {
  private KubernetesRestartExecutor(Builder b) {
    super(b, Action.RestartPods.class);
  }

  /** A builder over {@code client}; {@link Builder#setNamespaces} is required. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public String name() {
    return "kubernetes-restart";
  }

  @Override
  ActionResult run(Action.RestartPods restart, ExecutionContext context) {
    List<String> evicted = new ArrayList<>();
    ActionResult r = executions.withOneRetryOnConflict(context, afterConflict -> afterConflict
        && evicted.size() == restart.pods().size()
        ? mark(restart, context, evicted)  // the pods are evicted; only the annotation write met the conflict
        : evictAll(restart, context, evicted));
    if (!evicted.isEmpty() && !r.succeeded() && r.status() != ActionResult.Status.FAILED) {
      return executions.result(context, ActionResult.Status.FAILED, "evicted " + evicted + "; then: " + r.message());
    }
    return r;
  }

  private ActionResult evictAll(Action.RestartPods restart, ExecutionContext context, List<String> evicted) {
    Target target = target(restart.service(), context);
    if (!target.found()) {
      return target.refusal();
    }
    HasMetadata workload = target.workload();
    String ns = workload.getMetadata().getNamespace();
    Optional<ActionResult> early = executions.alreadyApplied(context, workload)
        .or(() -> executions.staleToken(context, restart.target(), workload));
    if (early.isPresent()) {
      return early.get();
    }
    for (String name : restart.pods()) {
      Pod pod = client.pods().inNamespace(ns).withName(name).get();
      if (pod == null || !Workloads.matches(Workloads.selector(workload), pod.getMetadata().getLabels())) {
        return executions.result(context, ActionResult.Status.FAILED, "pod " + ns + "/" + name
            + (pod == null ? " does not exist" : " is not a pod of " + Workloads.describe(workload))
            + "; nothing was evicted");
      }
    }
    for (String name : restart.pods()) {
      Eviction eviction = new EvictionBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
          .build();
      if (context.dryRun()) {
        eviction.setDeleteOptions(new io.fabric8.kubernetes.api.model.DeleteOptionsBuilder().withDryRun("All")
            .build());
      }
      boolean accepted;
      try {
        accepted = client.pods().inNamespace(ns).withName(name).evict(eviction);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 429) {
          throw e;
        }
        accepted = false;
      }
      if (!accepted) {
        return executions.result(context, ActionResult.Status.FAILED, "eviction of pod " + ns + "/" + name
            + " refused (HTTP 429) by " + budgets(ns, name) + (evicted.isEmpty() ? "; nothing was evicted"
            : "; already evicted " + evicted + " (key not recorded: a retry fails at once, no pod is evicted twice)"));
      }
      if (!context.dryRun()) {
        evicted.add(name);
      }
    }
    if (context.dryRun()) {
      return executions.result(context, ActionResult.Status.DRY_RUN, "server-side dry run accepted the eviction"
          + " of " + restart.pods() + " in " + ns);
    }
    return mark(restart, context, evicted);
  }

  /** Records the key on the workload (re-read, fencing checked again, written with the version read). */
  private ActionResult mark(Action.RestartPods restart, ExecutionContext context, List<String> evicted) {
    HasMetadata workload = Workloads.find(client, namespaces.namespaces(), serviceLabel, restart.service()).stream()
        .findFirst().orElse(null);
    if (workload == null) {
      return executions.result(context, ActionResult.Status.FAILED, "evicted " + evicted + " but the workload of "
          + restart.service() + " is gone: the key could not be recorded");
    }
    Optional<ActionResult> stale = executions.staleToken(context, restart.target(), workload);
    if (stale.isPresent()) {
      return stale.get();
    }
    ChangeMarks.mark(workload, context, restart.target());
    String ns = workload.getMetadata().getNamespace();
    if (workload instanceof Deployment d) {
      client.apps().deployments().inNamespace(ns).resource(d).update();
    } else {
      client.apps().statefulSets().inNamespace(ns).resource((StatefulSet) workload).update();
    }
    return executions.result(context, ActionResult.Status.SUCCEEDED, "evicted " + evicted + " of "
        + Workloads.describe(workload) + " through the Eviction API");
  }

  /** The budgets covering pod {@code name}, quoted with their numbers. */
  private String budgets(String ns, String name) {
    Pod pod = client.pods().inNamespace(ns).withName(name).get();
    List<String> quoted = new ArrayList<>();
    for (PodDisruptionBudget pdb : client.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems()) {
      if (pod != null && Workloads.matches(pdb.getSpec().getSelector(), pod.getMetadata().getLabels())) {
        var spec = pdb.getSpec();
        var status = pdb.getStatus();
        quoted.add("PodDisruptionBudget " + ns + "/" + pdb.getMetadata().getName()
            + (spec.getMinAvailable() != null ? " minAvailable " + text(spec.getMinAvailable()) : "")
            + (spec.getMaxUnavailable() != null ? " maxUnavailable " + text(spec.getMaxUnavailable()) : "")
            + (status == null ? "" : " (currentHealthy " + status.getCurrentHealthy() + ", desiredHealthy "
                + status.getDesiredHealthy() + ", disruptionsAllowed " + status.getDisruptionsAllowed() + ")"));
      }
    }
    return quoted.isEmpty() ? "a PodDisruptionBudget (none readable matches the pod)" : String.join("; ", quoted);
  }

  private static String text(io.fabric8.kubernetes.api.model.IntOrString v) {
    return v.getIntVal() != null ? v.getIntVal().toString() : String.valueOf(v.getStrVal());
  }

  /** Whether a completed restart under {@code idempotencyKey} is recorded on a workload in the allowed namespaces. */
  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    return recordedOn(idempotencyKey, false);
  }

  /** Builds a {@link KubernetesRestartExecutor}. */
  public static final class Builder extends KubernetesExecutorBuilder<Builder, KubernetesRestartExecutor> {
    private Builder(KubernetesClient client) {
      super(client);
    }

    @Override
    KubernetesRestartExecutor create() {
      return new KubernetesRestartExecutor(this);
    }
  }
}
