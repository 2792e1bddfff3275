package dev.sreagent.k8s;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Carries out {@link Action.RollBack} on a Deployment or a StatefulSet the way {@code kubectl rollout undo
 * --to-revision} does, but guarded, with a PUT carrying the {@code resourceVersion} read. This executor does not wait
 * for the rollout.
 *
 * <p><b>Deployment</b>: it reads the ReplicaSets the Deployment owns (controller {@code ownerReference} uid), takes
 * the pod template of the one that is (or was, per {@code deployment.kubernetes.io/revision-history}) revision
 * {@code toRevision}, drops the controller's {@code pod-template-hash} label and writes it as the Deployment's
 * {@code spec.template}. The Deployment controller then rolls the pods out (reusing that ReplicaSet). The plan's
 * revisions are the {@code deployment.kubernetes.io/revision} numbers ({@link KubernetesTopology#rolloutHistory}).
 *
 * <p><b>StatefulSet</b>: it reads the {@code apps/v1} ControllerRevisions the StatefulSet owns (controller
 * {@code ownerReference} uid), takes the one whose {@code revision} is {@code toRevision}, and writes the pod template
 * its {@code data} holds ({@code {"spec":{"template":{...,"$patch":"replace"}}}}, the patch the StatefulSet controller
 * records and {@code kubectl rollout undo statefulset} applies; see {@link ControllerRevisions}) as the StatefulSet's
 * {@code spec.template}. The StatefulSet controller then replaces the pods, highest ordinal first (reusing that
 * ControllerRevision under the next number). The plan's revisions are ControllerRevision {@code revision} numbers, as
 * {@code kubectl rollout history statefulset} lists them (the topology does not read them yet): {@code fromRevision}
 * is the one {@code status.updateRevision} names, the revision of the StatefulSet's current template. The result notes
 * a {@code rollingUpdate.partition} (pods below it keep their revision) and, with {@code podManagementPolicy}
 * OrderedReady and pods not ready, that the controller may wait for a broken pod before replacing it (the "forced
 * rollback" caveat of the StatefulSet documentation).
 *
 * <p>Refused (REJECTED, nothing written): a workload Argo CD or Flux manages ({@link GitOps}: the message names the
 * Application, Kustomization or HelmRelease, and the rollback must go through Git); a paused Deployment (resume it
 * first); a StatefulSet with {@code updateStrategy} OnDelete (a restored template would reach no pod until each is
 * deleted by hand, which this executor does not do); a namespace outside the {@link NamespacePolicy}; a fencing token
 * lower than the one recorded on the workload. Stood down (FAILED, nothing written, plan again): the workload's
 * current revision is not the plan's {@code fromRevision}; no ReplicaSet or ControllerRevision it owns is revision
 * {@code toRevision} (pruned by {@code revisionHistoryLimit}, renumbered by a later rollback, or never its own); it
 * already runs that revision's template (someone rolled it back already); a StatefulSet whose template is not yet
 * recorded as its {@code status.updateRevision} (the controller has not caught up with the last change). A 409
 * re-reads and re-checks all of this once ({@link Executions#withOneRetryOnConflict}).
 *
 * <p>The workload gets the {@link ChangeMarks} annotations (a redelivered key changes nothing; {@link #reconcile}
 * reads them) and {@value #CHANGE_CAUSE} ({@code kubectl rollout history} shows a Deployment's; a StatefulSet's
 * history shows the annotation its ControllerRevision copied when it was created, so a rollback to an existing
 * revision keeps that revision's). A dry run is the API server's own ({@code dryRun=All}) and answers
 * {@code DRY_RUN}.
 *
 * <p>RBAC: {@code get, list} on deployments, statefulsets, replicasets and controllerrevisions; {@code update} on
 * deployments and statefulsets.
 */
public final class KubernetesRollbackExecutor extends KubernetesExecutor<Action.RollBack> {
  /** The annotation {@code kubectl rollout history} shows as CHANGE-CAUSE. */
  static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
  private static final String ON_DELETE = "OnDelete";
  private static final String PARALLEL = "Parallel";

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
    Optional<ActionResult> early = executions.alreadyApplied(context, workload)
        .or(() -> executions.staleToken(context, rollBack.target(), workload))
        .or(() -> executions.managedByGitOps(context, workload, "a rollback"));
    if (early.isPresent()) {
      return early.get();
    }
    String reread = afterConflict ? "re-read after a conflict (HTTP 409): " : "";
    return workload instanceof Deployment d ? rollBack(d, rollBack, context, reread)
        : rollBack((StatefulSet) workload, rollBack, context, reread);
  }

  private ActionResult rollBack(Deployment d, Action.RollBack rollBack, ExecutionContext context, String reread) {
    String ns = d.getMetadata().getNamespace();
    if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
      return executions.result(context, ActionResult.Status.REJECTED, Workloads.describe(d) + " is paused"
          + " (spec.paused): a new template would not roll out; whoever paused it must resume it first (kubectl"
          + " rollout resume deployment/" + d.getMetadata().getName() + " -n " + ns + "), then plan again");
    }
    List<ReplicaSet> owned = client.apps().replicaSets().inNamespace(ns).list().getItems().stream()
        .filter(rs -> ReplicaSets.ownedBy(rs, d)).toList();
    Optional<ReplicaSet> found = owned.stream().filter(rs -> ReplicaSets.wasRevision(rs, rollBack.toRevision()))
        .min(Comparator.comparing(rs -> !ReplicaSets.revision(rs).stream().mapToObj(Long::toString)
            .anyMatch(rollBack.toRevision().trim()::equals)));  // its number now before a number in its history
    if (found.isEmpty()) {
      return notFound(context, reread, rollBack, d, "ReplicaSets", owned.stream().map(ReplicaSets::revision)
          .filter(OptionalLong::isPresent).map(OptionalLong::getAsLong).toList());
    }
    ReplicaSet rs = found.get();
    var serialization = client.getKubernetesSerialization();
    String current = ReplicaSets.revision(d).stream().mapToObj(Long::toString).findFirst().orElse("unknown");
    if (ReplicaSets.runsTemplateOf(d, rs, serialization)) {
      return alreadyThere(context, reread, rollBack, d, "replicaset " + ns + "/" + rs.getMetadata().getName()
          + ", now revision " + current);
    }
    if (!rollBack.fromRevision().equals(current)) {
      return elsewhere(context, reread, rollBack, d, current);
    }
    PodTemplateSpec template = ReplicaSets.deploymentTemplate(rs, serialization);
    d.getSpec().setTemplate(template);
    mark(d, rollBack, context);
    String what = Workloads.describe(d) + " from revision " + rollBack.fromRevision() + " to revision "
        + rollBack.toRevision() + " (pod template of replicaset " + ns + "/" + rs.getMetadata().getName()
        + ", images " + ReplicaSets.images(template) + ")";
    return write(client.apps().deployments().inNamespace(ns).resource(d), context, reread, what,
        "; the Deployment controller rolls the pods out");
  }

  private ActionResult rollBack(StatefulSet s, Action.RollBack rollBack, ExecutionContext context, String reread) {
    String ns = s.getMetadata().getNamespace();
    String name = s.getMetadata().getName();
    var strategy = s.getSpec().getUpdateStrategy();
    if (strategy != null && ON_DELETE.equals(strategy.getType())) {
      return executions.result(context, ActionResult.Status.REJECTED, Workloads.describe(s) + " uses"
          + " updateStrategy OnDelete: a restored template would reach no pod until each is deleted by hand, and this"
          + " executor deletes no pods; roll it back by hand (kubectl rollout undo statefulset/" + name + " -n " + ns
          + " --to-revision=" + rollBack.toRevision() + ", then delete its pods, highest ordinal first) or switch it"
          + " to RollingUpdate, then plan again");
    }
    List<ControllerRevision> owned = client.apps().controllerRevisions().inNamespace(ns).list().getItems().stream()
        .filter(cr -> ControllerRevisions.ownedBy(cr, s)).toList();
    Optional<ControllerRevision> found = owned.stream()
        .filter(cr -> ControllerRevisions.isRevision(cr, rollBack.toRevision())).findFirst();
    if (found.isEmpty()) {
      return notFound(context, reread, rollBack, s, "ControllerRevisions", owned.stream()
          .map(ControllerRevision::getRevision).filter(Objects::nonNull).toList());
    }
    ControllerRevision cr = found.get();
    var serialization = client.getKubernetesSerialization();
    Optional<PodTemplateSpec> template = ControllerRevisions.template(cr, serialization);
    if (template.isEmpty()) {
      return executions.result(context, ActionResult.Status.FAILED, reread + ControllerRevisions.describe(cr)
          + " of " + Workloads.describe(s) + " holds no pod template in the form the StatefulSet controller writes"
          + " ({\"spec\":{\"template\":{...,\"$patch\":\"replace\"}}}); nothing written: roll it back by hand");
    }
    StatefulSetStatus status = s.getStatus();
    String updateRevision = status == null ? null : status.getUpdateRevision();
    String current = ControllerRevisions.numberOf(owned, updateRevision).stream().mapToObj(Long::toString)
        .findFirst().orElse("unknown");
    if (template.get().equals(s.getSpec().getTemplate())) {
      return alreadyThere(context, reread, rollBack, s, "controllerrevision " + ns + "/" + cr.getMetadata().getName()
          + ", current revision " + current);
    }
    boolean recorded = ControllerRevisions.named(owned, updateRevision)
        .filter(u -> ControllerRevisions.runsTemplateOf(s, u, serialization)).isPresent();
    if (!recorded) {
      return executions.result(context, ActionResult.Status.FAILED, reread + "the pod template of "
          + Workloads.describe(s) + (updateRevision == null ? " has no status.updateRevision yet"
              : " is not the one of its status.updateRevision (" + updateRevision + ", revision " + current + ")")
          + ": the StatefulSet controller has not yet recorded the last change as a revision, so the current"
          + " revision is unknown; nothing written: plan again on the current state");
    }
    if (!rollBack.fromRevision().equals(current)) {
      return elsewhere(context, reread, rollBack, s, current);
    }
    s.getSpec().setTemplate(template.get());
    mark(s, rollBack, context);
    String what = Workloads.describe(s) + " from revision " + rollBack.fromRevision() + " to revision "
        + rollBack.toRevision() + " (pod template of controllerrevision " + ns + "/" + cr.getMetadata().getName()
        + ", images " + ReplicaSets.images(template.get()) + ")";
    return write(client.apps().statefulSets().inNamespace(ns).resource(s), context, reread, what,
        "; the StatefulSet controller replaces the pods, highest ordinal first" + caveats(s, current));
  }

  /** What may keep some pods of {@code s} from the restored template, or "". */
  private static String caveats(StatefulSet s, String current) {
    StringBuilder out = new StringBuilder();
    var strategy = s.getSpec().getUpdateStrategy();
    Integer partition = strategy == null || strategy.getRollingUpdate() == null ? null
        : strategy.getRollingUpdate().getPartition();
    if (partition != null && partition > 0) {
      out.append("; pods with an ordinal below the partition ").append(partition)
          .append(" (spec.updateStrategy.rollingUpdate.partition) keep their revision");
    }
    int desired = Workloads.replicas(s);
    Integer ready = s.getStatus() == null ? null : s.getStatus().getReadyReplicas();
    int readyNow = ready == null ? 0 : ready;
    if (!PARALLEL.equals(s.getSpec().getPodManagementPolicy()) && readyNow < desired) {
      out.append("; only ").append(readyNow).append(" of ").append(desired).append(" pods are ready: with"
          + " podManagementPolicy OrderedReady the controller may wait for a pod that is not Running and Ready before"
          + " it replaces it (the forced-rollback caveat of the StatefulSet documentation); if the rollout does not"
          + " proceed, restart the pods still on revision ").append(current);
    }
    return out.toString();
  }

  private ActionResult notFound(ExecutionContext context, String reread, Action.RollBack rollBack,
      HasMetadata workload, String kinds, List<Long> revisions) {
    return executions.result(context, ActionResult.Status.FAILED, reread + "revision " + rollBack.toRevision()
        + " of " + Workloads.describe(workload) + " not found: the " + kinds + " it owns are revisions "
        + revisions.stream().sorted().toList() + " (older ones are pruned by spec.revisionHistoryLimit"
        + (workload instanceof StatefulSet ? "; a rollback renumbers the revision it returns to" : "")
        + "); plan again from the current history");
  }

  private ActionResult alreadyThere(ExecutionContext context, String reread, Action.RollBack rollBack,
      HasMetadata workload, String where) {
    return executions.result(context, ActionResult.Status.FAILED, reread + "stood down: "
        + Workloads.describe(workload) + " already runs the pod template of revision " + rollBack.toRevision()
        + " (" + where + ")" + lastWriter(workload) + "; nothing written: plan again on the current state");
  }

  private ActionResult elsewhere(ExecutionContext context, String reread, Action.RollBack rollBack,
      HasMetadata workload, String current) {
    return executions.result(context, ActionResult.Status.FAILED, reread + Workloads.describe(workload)
        + " is at revision " + current + ", the plan expected " + rollBack.fromRevision()
        + "; nothing written: plan again on the current state");
  }

  /** Records the change and its {@value #CHANGE_CAUSE} on {@code workload} (in place). */
  private static void mark(HasMetadata workload, Action.RollBack rollBack, ExecutionContext context) {
    ChangeMarks.mark(workload, context, rollBack.target());
    Map<String, String> annotations = new HashMap<>(workload.getMetadata().getAnnotations());
    annotations.put(CHANGE_CAUSE, "sre-agent: rollback from revision " + rollBack.fromRevision() + " to revision "
        + rollBack.toRevision() + " (incident " + context.incidentId() + ")");
    workload.getMetadata().setAnnotations(annotations);
  }

  /** PUTs the changed workload (with the {@code resourceVersion} read), or has the server dry-run it. */
  private ActionResult write(Resource<? extends HasMetadata> resource, ExecutionContext context, String reread,
      String what, String then) {
    if (context.dryRun()) {
      resource.dryRun().update();
      return executions.result(context, ActionResult.Status.DRY_RUN, reread + "server-side dry run accepted:"
          + " roll back " + what);
    }
    resource.update();
    return executions.result(context, ActionResult.Status.SUCCEEDED, reread + "rolled back " + what + then);
  }

  /** ", last changed by sre-agent under key K (incident I)" when a change is recorded on {@code workload}. */
  private static String lastWriter(HasMetadata workload) {
    Map<String, String> a = workload.getMetadata().getAnnotations();
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
