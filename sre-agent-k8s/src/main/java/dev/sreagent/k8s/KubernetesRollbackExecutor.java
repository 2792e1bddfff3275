package dev.sreagent.k8s;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Carries out {@link Action.RollBack} on a Deployment the way {@code kubectl rollout undo --to-revision} does, but
 * guarded: it reads the ReplicaSets the Deployment owns (controller {@code ownerReference} uid), takes the pod
 * template of the one that is (or was, per {@code deployment.kubernetes.io/revision-history}) revision
 * {@code toRevision}, drops the controller's {@code pod-template-hash} label and writes it as the Deployment's
 * {@code spec.template} with a PUT carrying the {@code resourceVersion} read. The Deployment controller then rolls the
 * pods out (reusing that ReplicaSet); this executor does not wait for the rollout.
 *
 * <p>Refused (REJECTED, nothing written): a StatefulSet (not supported in this increment: its history lives in
 * ControllerRevisions); a Deployment Argo CD or Flux manages ({@link GitOps}: the message names the Application,
 * Kustomization or HelmRelease, and the rollback must go through Git); a paused Deployment (resume it first); a
 * namespace outside the {@link NamespacePolicy}; a fencing token lower than the one recorded on the Deployment.
 * Stood down (FAILED, nothing written, plan again): the Deployment's current revision is not the plan's
 * {@code fromRevision}; no ReplicaSet it owns is revision {@code toRevision} (pruned by
 * {@code revisionHistoryLimit}, or never its own); it already runs that revision's template (someone rolled it back
 * already). A 409 re-reads and re-checks all of this once ({@link Executions#withOneRetryOnConflict}).
 *
 * <p>The Deployment gets the {@link ChangeMarks} annotations (a redelivered key changes nothing; {@link #reconcile}
 * reads them) and {@value #CHANGE_CAUSE} (shown by {@code kubectl rollout history}). A dry run is the API server's own
 * ({@code dryRun=All}) and answers {@code DRY_RUN}.
 *
 * <p>RBAC: {@code get, list} on deployments, statefulsets and replicasets; {@code update} on deployments.
 */
public final class KubernetesRollbackExecutor extends KubernetesExecutor<Action.RollBack> {
  /** The annotation {@code kubectl rollout history} shows as CHANGE-CAUSE. */
  static final String CHANGE_CAUSE = "kubernetes.io/change-cause";

  private KubernetesRollbackExecutor(Builder b) {
    super(b, Action.RollBack.class);
  }

  /** A builder over {@code client}; {@link Builder#setNamespaces} is required. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public String name() {
    return "kubernetes-rollback";
  }

  @Override
  ActionResult run(Action.RollBack rollBack, ExecutionContext context) {
    return executions.withOneRetryOnConflict(context, afterConflict -> attempt(rollBack, context, afterConflict));
  }

  private ActionResult attempt(Action.RollBack rollBack, ExecutionContext context, boolean afterConflict) {
    Target target = target(rollBack.service(), context);
    if (!target.found()) {
      return target.refusal();
    }
    HasMetadata workload = target.workload();
    String ns = workload.getMetadata().getNamespace();
    if (!(workload instanceof Deployment)) {
      return executions.result(context, ActionResult.Status.REJECTED, Workloads.describe(workload) + ": rolling"
          + " back a StatefulSet is not supported in this increment (only Deployments, whose ReplicaSets keep the"
          + " history); roll it back by hand (kubectl rollout undo statefulset/" + workload.getMetadata().getName()
          + " -n " + ns + " --to-revision=...) or through its owner");
    }
    Deployment d = (Deployment) workload;
    Optional<ActionResult> early = executions.alreadyApplied(context, d)
        .or(() -> executions.staleToken(context, rollBack.target(), d))
        .or(() -> executions.managedByGitOps(context, d, "a rollback"));
    if (early.isPresent()) {
      return early.get();
    }
    if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
      return executions.result(context, ActionResult.Status.REJECTED, Workloads.describe(d) + " is paused"
          + " (spec.paused): a new template would not roll out; whoever paused it must resume it first (kubectl"
          + " rollout resume deployment/" + d.getMetadata().getName() + " -n " + ns + "), then plan again");
    }
    String reread = afterConflict ? "re-read after a conflict (HTTP 409): " : "";
    List<ReplicaSet> owned = client.apps().replicaSets().inNamespace(ns).list().getItems().stream()
        .filter(rs -> ReplicaSets.ownedBy(rs, d)).toList();
    Optional<ReplicaSet> found = owned.stream().filter(rs -> ReplicaSets.wasRevision(rs, rollBack.toRevision()))
        .min(Comparator.comparing(rs -> !ReplicaSets.revision(rs).stream().mapToObj(Long::toString)
            .anyMatch(rollBack.toRevision().trim()::equals)));  // its number now before a number in its history
    if (found.isEmpty()) {
      return executions.result(context, ActionResult.Status.FAILED, reread + "revision " + rollBack.toRevision()
          + " of " + Workloads.describe(d) + " not found: the ReplicaSets it owns are revisions "
          + owned.stream().map(ReplicaSets::revision).filter(OptionalLong::isPresent).map(OptionalLong::getAsLong)
              .sorted().toList()
          + " (older ones are pruned by spec.revisionHistoryLimit); plan again from the current history");
    }
    ReplicaSet rs = found.get();
    var serialization = client.getKubernetesSerialization();
    String current = ReplicaSets.revision(d).stream().mapToObj(Long::toString).findFirst().orElse("unknown");
    if (ReplicaSets.runsTemplateOf(d, rs, serialization)) {
      return executions.result(context, ActionResult.Status.FAILED, reread + "stood down: " + Workloads.describe(d)
          + " already runs the pod template of revision " + rollBack.toRevision() + " (replicaset " + ns + "/"
          + rs.getMetadata().getName() + ", now revision " + current + ")" + lastWriter(d)
          + "; nothing written: plan again on the current state");
    }
    if (!rollBack.fromRevision().equals(current)) {
      return executions.result(context, ActionResult.Status.FAILED, reread + Workloads.describe(d)
          + " is at revision " + current + ", the plan expected " + rollBack.fromRevision()
          + "; nothing written: plan again on the current state");
    }
    return write(d, rs, rollBack, context, reread);
  }

  private ActionResult write(Deployment d, ReplicaSet rs, Action.RollBack rollBack, ExecutionContext context,
      String reread) {
    PodTemplateSpec template = ReplicaSets.deploymentTemplate(rs, client.getKubernetesSerialization());
    d.getSpec().setTemplate(template);
    ChangeMarks.mark(d, context, rollBack.target());
    Map<String, String> annotations = new HashMap<>(d.getMetadata().getAnnotations());
    annotations.put(CHANGE_CAUSE, "sre-agent: rollback from revision " + rollBack.fromRevision() + " to revision "
        + rollBack.toRevision() + " (incident " + context.incidentId() + ")");
    d.getMetadata().setAnnotations(annotations);
    String what = Workloads.describe(d) + " from revision " + rollBack.fromRevision() + " to revision "
        + rollBack.toRevision() + " (pod template of replicaset " + rs.getMetadata().getNamespace() + "/"
        + rs.getMetadata().getName() + ", images " + ReplicaSets.images(template) + ")";
    var resource = client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(d);
    if (context.dryRun()) {
      resource.dryRun().update();
      return executions.result(context, ActionResult.Status.DRY_RUN, reread + "server-side dry run accepted:"
          + " roll back " + what);
    }
    resource.update();
    return executions.result(context, ActionResult.Status.SUCCEEDED, reread + "rolled back " + what
        + "; the Deployment controller rolls the pods out");
  }

  /** ", last changed by sre-agent under key K (incident I)" when a change is recorded on {@code d}. */
  private static String lastWriter(Deployment d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    String key = a == null ? null : a.get(ChangeMarks.IDEMPOTENCY_KEY);
    return key == null ? "" : ", last changed by sre-agent under key " + key + " (incident "
        + a.get(ChangeMarks.INCIDENT) + ")";
  }

  /** Whether a rollback under {@code idempotencyKey} is recorded on a workload in the allowed namespaces. */
  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    return recordedOn(idempotencyKey, false);
  }

  /** Builds a {@link KubernetesRollbackExecutor}. */
  public static final class Builder extends KubernetesExecutorBuilder<Builder, KubernetesRollbackExecutor> {
    private Builder(KubernetesClient client) {
      super(client);
    }

    @Override
    KubernetesRollbackExecutor create() {
      return new KubernetesRollbackExecutor(this);
    }
  }
}
