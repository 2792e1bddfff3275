package dev.sreagent.k8s;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link Action.RestartPods} on a Deployment or StatefulSet in one of two ways, chosen by the pods the
 * action names:
 * <ul>
 *   <li><b>Waves of evictions</b>, when it names some of the workload's pods: each is evicted in the order named
 *       through the Eviction API ({@code policy/v1}), one wave at a time;
 *   <li><b>a rolling restart by the pod template</b>, when it names every pod of the workload — exactly the pods its
 *       selector matches that are not terminating, as many as its {@code spec.replicas}: what
 *       {@code kubectl rollout restart} does. The catalog's action has no separate "whole workload" form; naming
 *       every pod is what the planner and the guardrails already understand (the fleet restart cap counts the pods,
 *       the budget guardrail checks each is current), and a plan whose pods no longer match the workload exactly
 *       (one was replaced since) goes the eviction way, whose checks then fail with nothing changed.
 * </ul>
 *
 * <p><b>Waves.</b> Before the first eviction every named pod must exist and belong to the workload (and none be named
 * twice). A PodDisruptionBudget refusal (HTTP 429) stops the action with a FAILED result that quotes the budget; a
 * pod is never deleted around it. After each eviction but the last, the next waits until the workload is back to its
 * desired ready count: {@code spec.replicas} pods with {@code Ready=True} that are not terminating and are not one of
 * the evicted pods (told apart by uid, so a StatefulSet pod re-created under its name counts once it is ready), and
 * a {@code status.readyReplicas} as high (both, since the status lags the pods: right after an eviction it still
 * counts the evicted pod). Readiness is read at once, then polled with backoff ({@link Builder#setFirstPoll},
 * doubling, at most 10 s) on the executor's clock, for at most {@link Builder#setReadyTimeout} per wave. When it does
 * not return within that bound the action stops: FAILED naming the pods evicted so far and the readiness last seen;
 * nothing further is evicted.
 *
 * <p><b>What a lost answer leaves.</b> Before the first eviction the workload records, with an optimistic write, that
 * the key starts evicting the named pods and each pod's uid ({@value #EVICTIONS}, and the key among the started keys
 * of {@link ChangeMarks}); when every pod was evicted the workload gets the {@link ChangeMarks} annotations instead.
 * A pod counts as evicted under the key when its recorded uid is gone: no pod of that name, or one with another uid
 * (a StatefulSet re-creates its pod under the same name). So after a refusal, a timeout part-way or an eviction whose
 * answer was lost, {@link #reconcile(String)} answers SUCCEEDED when every named pod is gone, FAILED ("in part") when
 * some are, empty when none is; and a redelivery of the key evicts only the pods not yet gone, the first of them after
 * the workload is ready again. No pod is evicted twice under one key, and a replacement is never evicted for the pod
 * it replaced.
 *
 * <p><b>Rolling restart.</b> Refused (REJECTED, nothing written): a workload Argo CD or Flux manages ({@link GitOps}:
 * the controller would revert the template at its next sync, rolling the pods once more); a paused Deployment (the
 * new template would not roll out); a StatefulSet with the {@code OnDelete} update strategy or a rolling-update
 * {@code partition} (a new template would not replace every pod). Otherwise the pod template gets the annotation
 * {@value #RESTARTED_AT} = the executor's clock in RFC 3339, written with one PUT carrying the {@code resourceVersion}
 * read, the {@link ChangeMarks} and {@value #ROLLOUT_RESTART_KEY} (a 409 re-reads and re-checks once, see
 * {@link Executions#withOneRetryOnConflict}). The controller then replaces the pods by the workload's own strategy
 * ({@code maxUnavailable}, {@code maxSurge}): a rollout does not consult PodDisruptionBudgets, as with
 * {@code kubectl rollout restart} (the agent's budget guardrail checks it before). The result waits for the rollout
 * as {@code kubectl rollout status} judges it — a Deployment: {@code observedGeneration >= generation}, every
 * replica updated, no old replica left, every updated one available; a StatefulSet: the generation observed, every
 * replica ready, its current revision the update revision — within the same bound; a Deployment reporting
 * {@code ProgressDeadlineExceeded} fails at once. A redelivered key sets no new {@code restartedAt}: it only waits for
 * the rollout again, and {@link #reconcile} answers SUCCEEDED for it once the rollout is complete, FAILED (run it
 * again, which only waits) before.
 *
 * <p>A fencing token lower than the one recorded on the workload for the same lock is refused before anything is
 * evicted or written. A dry run sends each eviction with {@code dryRun: [All]}, or the template PUT with
 * {@code dryRun=All}, and waits for nothing.
 *
 * <p>Time: a restart of {@code n} pods may take {@code (n - 1) x readyTimeout}, a rolling restart one
 * {@code readyTimeout}; give the agent's executor policy a time limit to match, or the agent reports a timeout and
 * reconciles (an interrupted wait stops at once: FAILED, nothing further evicted). The fabric8 client retries an
 * HTTP 429 {@code requestRetryBackoffLimit} times (default 10, about 20 s) before an eviction answers "refused"; give
 * this executor a client configured with a small limit so a budget refusal returns promptly (the agent retries the
 * action with its own backoff).
 *
 * <p>RBAC: {@code get, list} on pods, deployments, statefulsets and poddisruptionbudgets (the workload's status is
 * read with it, not through {@code /status}); {@code create} on {@code pods/eviction}; {@code update} on deployments
 * and statefulsets (the annotations and the pod-template annotation, written with PUT, not PATCH).
 */
public final class KubernetesRestartExecutor extends KubernetesExecutor<Action.RestartPods> {
  /** The pod-template annotation {@code kubectl rollout restart} sets; a new value rolls every pod. */
  public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
  /** The workload annotation naming the idempotency key of the last rolling restart by this executor. */
  static final String ROLLOUT_RESTART_KEY = "sre-agent.dev/rollout-restart-key";
  /**
   * The workload annotation recording, before the first eviction, the key and the pods it evicts with their uids:
   * {@code <key> <pod>=<uid>,...}; removed when the key is recorded.
   */
  static final String EVICTIONS = "sre-agent.dev/evicting-pods";
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesRestartExecutor.class);
  /** How long each wait (one wave's readiness, a rollout) may take by default. */
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(5);
  /** The first pause between reads while waiting, by default (doubled each time, at most {@link #MAX_POLL}). */
  public static final Duration DEFAULT_FIRST_POLL = Duration.ofMillis(500);
  /** The longest pause between reads while waiting. */
  static final Duration MAX_POLL = Duration.ofSeconds(10);

  private final Duration readyTimeout;
  private final Duration firstPoll;

  private KubernetesRestartExecutor(Builder b) {
    super(b, Action.RestartPods.class);
    this.readyTimeout = b.readyTimeout;
    this.firstPoll = b.firstPoll;
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
        : attempt(restart, context, evicted, afterConflict));
    if (!evicted.isEmpty() && !r.succeeded() && !r.message().contains("evicted " + evicted)) {
      // an API error after evictions (or the answer lost) is turned into a result without them: name them; a
      // TIMED_OUT stays one (the last call's outcome is unknown)
      return executions.result(context, r.status() == ActionResult.Status.TIMED_OUT ? r.status()
          : ActionResult.Status.FAILED, "evicted " + evicted + "; then: " + r.message());
    }
    return r;
  }

  private ActionResult attempt(Action.RestartPods restart, ExecutionContext context, List<String> evicted,
      boolean afterConflict) {
    evicted.clear();
    Target target = target(restart.service(), context);
    if (!target.found()) {
      return target.refusal();
    }
    HasMetadata workload = target.workload();
    if (ChangeMarks.applied(workload, context.idempotencyKey()) && !context.dryRun()
        && context.idempotencyKey().equals(annotation(workload, ROLLOUT_RESTART_KEY))) {
      return awaitRollout(workload, context, "already restarted " + Workloads.describe(workload) + " under key "
          + context.idempotencyKey() + " (" + RESTARTED_AT + " not set again)");
    }
    Optional<ActionResult> early = executions.alreadyApplied(context, workload)
        .or(() -> executions.staleToken(context, restart.target(), workload));
    if (early.isPresent()) {
      return early.get();
    }
    String ns = workload.getMetadata().getNamespace();
    if (new HashSet<>(restart.pods()).size() != restart.pods().size()) {
      return executions.result(context, ActionResult.Status.FAILED, "the action names a pod twice: "
          + restart.pods() + "; nothing was evicted");
    }
    Map<String, String> started = context.dryRun() ? Map.of() : startedEvictions(workload, context.idempotencyKey());
    if (!started.isEmpty()) {
      if (!started.keySet().equals(Set.copyOf(restart.pods()))) {
        return executions.result(context, ActionResult.Status.FAILED, "key " + context.idempotencyKey()
            + " started evicting " + started.keySet() + " of " + Workloads.describe(workload) + ", but the action"
            + " names " + restart.pods() + "; nothing was evicted (a key stands for one action)");
      }
      return resume(workload, restart, context, started, evicted);
    }
    List<String> current = Workloads.pods(client, workload).stream().filter(p -> !Workloads.terminating(p))
        .map(p -> p.getMetadata().getName()).toList();
    if (current.size() == Workloads.replicas(workload) && Set.copyOf(current).equals(Set.copyOf(restart.pods()))) {
      return rollingRestart(workload, restart, context, afterConflict);
    }
    Map<String, String> uids = new LinkedHashMap<>();
    for (String name : restart.pods()) {
      Pod pod = client.pods().inNamespace(ns).withName(name).get();
      if (pod == null || !Workloads.matches(Workloads.selector(workload), pod.getMetadata().getLabels())) {
        return executions.result(context, ActionResult.Status.FAILED, "pod " + ns + "/" + name
            + (pod == null ? " does not exist" : " is not a pod of " + Workloads.describe(workload))
            + "; nothing was evicted");
      }
      uids.put(name, Objects.requireNonNullElse(pod.getMetadata().getUid(), ""));
    }
    if (!context.dryRun()) {
      recordStart(workload, context.idempotencyKey(), uids);
    }
    return evictInWaves(workload, restart, context, uids, evicted, new HashSet<>());
  }

  /**
   * Goes on with evictions a lost or failed attempt under the same key started: a pod whose uid recorded at the start
   * is gone (no pod of that name, or one with another uid: a StatefulSet's replacement) counts as evicted and is not
   * evicted again; the others are evicted in waves, the first after the workload is ready again.
   */
  private ActionResult resume(HasMetadata workload, Action.RestartPods restart, ExecutionContext context,
      Map<String, String> started, List<String> evicted) {
    Map<String, String> left = new LinkedHashMap<>();
    Set<String> evictedUids = new HashSet<>();
    for (String name : restart.pods()) {
      String uid = started.get(name);
      if (gone(workload.getMetadata().getNamespace(), name, uid)) {
        evicted.add(name);
        evictedUids.add(uid);
      } else {
        left.put(name, uid);
      }
    }
    LOG.info("key {} resumes the restart of {}: {} gone since it started, {} to evict", context.idempotencyKey(),
        Workloads.describe(workload), evicted, left.keySet());
    return left.isEmpty() ? mark(restart, context, evicted) : evictInWaves(workload, restart, context, left,
        evicted, evictedUids);
  }

  /** Whether pod {@code name} with {@code uid} no longer exists: no pod of that name, or one with another uid. */
  private boolean gone(String ns, String name, String uid) {
    Pod pod = client.pods().inNamespace(ns).withName(name).get();
    return pod == null || !uid.equals(pod.getMetadata().getUid());
  }

  /**
   * Records on {@code workload}, before the first eviction, that key {@code key} starts evicting the pods {@code uids}
   * (name to uid): {@link ChangeMarks#markStarted} and {@value #EVICTIONS}, written with the version read (a 409
   * re-reads and checks again). An eviction whose answer is then lost leaves its pod's uid gone, which
   * {@link #reconcile} and a redelivery read.
   */
  private void recordStart(HasMetadata workload, String key, Map<String, String> uids) {
    ChangeMarks.markStarted(workload, key);
    Map<String, String> annotations = new HashMap<>(workload.getMetadata().getAnnotations());
    annotations.put(EVICTIONS, key + " " + String.join(",", uids.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).toList()));
    workload.getMetadata().setAnnotations(annotations);
    update(workload);
  }

  /** The pods (name to uid) key {@code key} started evicting on {@code workload}, or none. */
  private static Map<String, String> startedEvictions(HasMetadata workload, String key) {
    String v = annotation(workload, EVICTIONS);
    int space = v == null ? -1 : v.lastIndexOf(' ');
    if (space < 0 || !key.equals(v.substring(0, space))) {
      return Map.of();
    }
    Map<String, String> uids = new LinkedHashMap<>();
    for (String pair : v.substring(space + 1).split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        uids.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return uids;
  }

  private HasMetadata update(HasMetadata workload) {
    String ns = workload.getMetadata().getNamespace();
    return workload instanceof Deployment d ? client.apps().deployments().inNamespace(ns).resource(d).update()
        : client.apps().statefulSets().inNamespace(ns).resource((StatefulSet) workload).update();
  }

  /**
   * Evicts {@code pods} (name to uid) in their order, one wave at a time; {@code evicted} and {@code evictedUids}
   * hold what is already evicted under the key (then the first eviction, too, waits for readiness).
   */
  private ActionResult evictInWaves(HasMetadata workload, Action.RestartPods restart, ExecutionContext context,
      Map<String, String> pods, List<String> evicted, Set<String> evictedUids) {
    String ns = workload.getMetadata().getNamespace();
    List<String> names = List.copyOf(pods.keySet());
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (!evicted.isEmpty() && !context.dryRun()) {
        Optional<ActionResult> stopped = awaitReady(workload, context, evicted, evictedUids, names.subList(i,
            names.size()));
        if (stopped.isPresent()) {
          return stopped.get();
        }
      }
      Eviction eviction = new EvictionBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
          .build();
      if (context.dryRun()) {
        eviction.setDeleteOptions(new DeleteOptionsBuilder().withDryRun("All").build());
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
            : "; already evicted " + evicted + " (a retry of the key evicts only the pods not yet evicted)"));
      }
      if (!context.dryRun()) {
        evicted.add(name);
        evictedUids.add(pods.get(name));
      }
    }
    if (context.dryRun()) {
      return executions.result(context, ActionResult.Status.DRY_RUN, "server-side dry run accepted the eviction"
          + " of " + names + " in " + ns);
    }
    return mark(restart, context, evicted);
  }

  /**
   * Waits until {@code workload} is back to its desired ready count without the evicted pods; empty when it is, else
   * the FAILED result that stops the action before {@code next}.
   */
  private Optional<ActionResult> awaitReady(HasMetadata workload, ExecutionContext context, List<String> evicted,
      Set<String> evictedUids, List<String> next) {
    String stop = "; stopped before " + next + ": nothing further was evicted (a retry of the key evicts only the"
        + " pods not yet evicted, none twice)";
    Waited w;
    try {
      w = await(() -> readiness(workload, evictedUids));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(executions.result(context, ActionResult.Status.FAILED, "evicted " + evicted + " of "
          + Workloads.describe(workload) + ", interrupted while waiting for its readiness" + stop));
    }
    if (w.seen() != null && w.seen().done()) {
      return Optional.empty();
    }
    String why = w.seen() != null && w.seen().failure() != null ? w.seen().failure()
        : "it was not back to its desired ready count within " + readyTimeout.toMillis() + " ms; last seen: "
            + (w.seen() == null ? "nothing readable" : w.seen().state()) + w.readError();
    return Optional.of(executions.result(context, ActionResult.Status.FAILED, "evicted " + evicted + " of "
        + Workloads.describe(workload) + ", but " + why + stop));
  }

  /** The workload's readiness without the evicted pods: done when it is back to {@code spec.replicas} ready. */
  private Seen readiness(HasMetadata workload, Set<String> evictedUids) {
    Optional<HasMetadata> fresh = Workloads.reread(client, workload);
    if (fresh.isEmpty()) {
      return Seen.failed(Workloads.describe(workload) + " was deleted while waiting for its readiness");
    }
    int desired = Workloads.replicas(fresh.get());
    int statusReady = fresh.get() instanceof Deployment d
        ? d.getStatus() == null ? 0 : orZero(d.getStatus().getReadyReplicas())
        : ((StatefulSet) fresh.get()).getStatus() == null ? 0
            : orZero(((StatefulSet) fresh.get()).getStatus().getReadyReplicas());
    long readyPods = Workloads.pods(client, fresh.get()).stream().filter(p -> !Workloads.terminating(p))
        .filter(p -> !evictedUids.contains(p.getMetadata().getUid())).filter(Workloads::ready).count();
    return new Seen(readyPods >= desired && statusReady >= desired, null, readyPods + " of " + desired
        + " desired pods ready (the evicted not counted), status.readyReplicas " + statusReady);
  }

  private ActionResult rollingRestart(HasMetadata workload, Action.RestartPods restart, ExecutionContext context,
      boolean afterConflict) {
    String what = Workloads.describe(workload);
    Optional<ActionResult> refused = executions.managedByGitOps(context, workload, "a rolling restart (the"
        + " pod-template annotation " + RESTARTED_AT + ")").or(() -> notRollable(workload, context));
    if (refused.isPresent()) {
      return refused.get();
    }
    PodTemplateSpec template = Workloads.template(workload);
    if (template.getMetadata() == null) {
      template.setMetadata(new ObjectMeta());
    }
    Map<String, String> templateAnnotations = template.getMetadata().getAnnotations() == null ? new HashMap<>()
        : new HashMap<>(template.getMetadata().getAnnotations());
    String at = restartedAt(templateAnnotations.get(RESTARTED_AT));
    templateAnnotations.put(RESTARTED_AT, at);
    template.getMetadata().setAnnotations(templateAnnotations);
    ChangeMarks.mark(workload, context, restart.target());
    Map<String, String> annotations = new HashMap<>(workload.getMetadata().getAnnotations());
    annotations.put(ROLLOUT_RESTART_KEY, context.idempotencyKey());
    workload.getMetadata().setAnnotations(annotations);
    String reread = afterConflict ? "re-read after a conflict (HTTP 409), then " : "";
    String change = "rolling restart of " + what + " by its pod template (" + RESTARTED_AT + "=" + at
        + ") to replace every pod " + restart.pods();
    String ns = workload.getMetadata().getNamespace();
    if (context.dryRun()) {
      if (workload instanceof Deployment d) {
        client.apps().deployments().inNamespace(ns).resource(d).dryRun().update();
      } else {
        client.apps().statefulSets().inNamespace(ns).resource((StatefulSet) workload).dryRun().update();
      }
      return executions.result(context, ActionResult.Status.DRY_RUN, reread + "server-side dry run accepted: "
          + change);
    }
    HasMetadata written = workload instanceof Deployment d
        ? client.apps().deployments().inNamespace(ns).resource(d).update()
        : client.apps().statefulSets().inNamespace(ns).resource((StatefulSet) workload).update();
    return awaitRollout(written, context, reread + "started a " + change);
  }

  /** A REJECTED result when a new pod template would not roll every pod of {@code workload}. */
  private Optional<ActionResult> notRollable(HasMetadata workload, ExecutionContext context) {
    String what = Workloads.describe(workload);
    String ns = workload.getMetadata().getNamespace();
    String name = workload.getMetadata().getName();
    if (workload instanceof Deployment d && Boolean.TRUE.equals(d.getSpec().getPaused())) {
      return Optional.of(executions.result(context, ActionResult.Status.REJECTED, what + " is paused"
          + " (spec.paused): a restart of its pod template would not roll out; whoever paused it must resume it"
          + " first (kubectl rollout resume deployment/" + name + " -n " + ns + "), then plan again"));
    }
    if (workload instanceof StatefulSet s) {
      StatefulSetUpdateStrategy strategy = s.getSpec().getUpdateStrategy();
      if (strategy != null && "OnDelete".equals(strategy.getType())) {
        return Optional.of(executions.result(context, ActionResult.Status.REJECTED, what + " has the OnDelete"
            + " update strategy: a new pod template replaces no pod by itself; restart some of its pods by name"
            + " (evictions) instead"));
      }
      Integer partition = strategy == null || strategy.getRollingUpdate() == null ? null
          : strategy.getRollingUpdate().getPartition();
      if (partition != null && partition > 0) {
        return Optional.of(executions.result(context, ActionResult.Status.REJECTED, what + " rolls out with"
            + " partition " + partition + ": a new pod template would replace only the pods of ordinal " + partition
            + " and above; restart some of its pods by name (evictions) instead"));
      }
    }
    return Optional.empty();
  }

  /** The {@value #RESTARTED_AT} value for now (RFC 3339); never the value already there, or nothing would roll. */
  private String restartedAt(@Nullable String previous) {
    Instant at = clock.now().truncatedTo(ChronoUnit.SECONDS);
    while (at.toString().equals(previous)) {
      at = at.plusMillis(1);
    }
    return at.toString();
  }

  private ActionResult awaitRollout(HasMetadata workload, ExecutionContext context, String what) {
    Waited w;
    try {
      w = await(() -> rollout(Workloads.reread(client, workload).orElse(null), workload));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return executions.result(context, ActionResult.Status.FAILED, what + ", then was interrupted while waiting"
          + " for the rollout (it goes on; the key is recorded: a redelivery only waits for it)");
    }
    Seen seen = w.seen();
    if (seen != null && seen.done()) {
      return executions.result(context, ActionResult.Status.SUCCEEDED, what + "; rollout complete: " + seen.state());
    }
    if (seen != null && seen.failure() != null) {
      return executions.result(context, ActionResult.Status.FAILED, what + ", but " + seen.failure());
    }
    return executions.result(context, ActionResult.Status.FAILED, what + ", but the rollout did not complete"
        + " within " + readyTimeout.toMillis() + " ms; last seen: " + (seen == null ? "nothing readable" : seen.state())
        + w.readError() + " (the key is recorded: a redelivery sets no new " + RESTARTED_AT + ", it only waits)");
  }

  /** How far the rollout of {@code workload} ({@code fresh}: as read now, null when gone) is, as kubectl judges it. */
  private static Seen rollout(@Nullable HasMetadata fresh, HasMetadata workload) {
    if (fresh == null) {
      return Seen.failed(Workloads.describe(workload) + " was deleted while its rollout was awaited");
    }
    long generation = fresh.getMetadata().getGeneration() == null ? 0 : fresh.getMetadata().getGeneration();
    int desired = Workloads.replicas(fresh);
    if (fresh instanceof Deployment d) {
      DeploymentStatus s = d.getStatus();
      long observed = s == null || s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
      int updated = s == null ? 0 : orZero(s.getUpdatedReplicas());
      int total = s == null ? 0 : orZero(s.getReplicas());
      int available = s == null ? 0 : orZero(s.getAvailableReplicas());
      String state = "observedGeneration " + observed + " of generation " + generation + ", " + updated + " of "
          + desired + " replicas updated, " + total + " in total, " + available + " available";
      if (observed >= generation && s != null && s.getConditions() != null && s.getConditions().stream().anyMatch(c ->
          "Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason()))) {
        return Seen.failed("the rollout of " + Workloads.describe(d) + " exceeded its progress deadline"
            + " (Progressing: ProgressDeadlineExceeded); " + state);
      }
      return new Seen(observed >= generation && updated >= desired && total <= updated && available >= updated, null,
          state);
    }
    StatefulSetStatus s = ((StatefulSet) fresh).getStatus();
    long observed = s == null || s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
    int ready = s == null ? 0 : orZero(s.getReadyReplicas());
    String current = s == null ? null : s.getCurrentRevision();
    String update = s == null ? null : s.getUpdateRevision();
    return new Seen(observed >= generation && ready >= desired && Objects.equals(current, update), null,
        "observedGeneration " + observed + " of generation " + generation + ", " + ready + " of " + desired
            + " replicas ready, currentRevision " + current + ", updateRevision " + update);
  }

  /** What one read while waiting saw: done, failed for good (with why), or neither; and the state, for messages. */
  private record Seen(boolean done, @Nullable String failure, String state) {
    static Seen failed(String why) {
      return new Seen(false, why, why);
    }
  }

  /** The last read of a wait (null when none succeeded) and the last read's error, if it failed. */
  private record Waited(@Nullable Seen seen, String readError) {}

  /** Reads at once, then with backoff on the executor's clock, until a read is done or failed for good, or the bound. */
  private Waited await(Supplier<Seen> read) throws InterruptedException {
    Poller.Outcome<Seen> o = Poller.poll(clock, readyTimeout, firstPoll, MAX_POLL, read,
        seen -> seen.done() || seen.failure() != null);
    return new Waited(o.last(), o.readError());
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
    if (!startedEvictions(workload, context.idempotencyKey()).isEmpty()) {
      Map<String, String> annotations = new HashMap<>(workload.getMetadata().getAnnotations());
      annotations.remove(EVICTIONS);
      workload.getMetadata().setAnnotations(annotations);
    }
    update(workload);
    return executions.result(context, ActionResult.Status.SUCCEEDED, "evicted " + evicted + " of "
        + Workloads.describe(workload) + " through the Eviction API"
        + (evicted.size() > 1 ? ", one wave at a time, each after the workload was ready again" : ""));
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

  private static String text(IntOrString v) {
    return v.getIntVal() != null ? v.getIntVal().toString() : String.valueOf(v.getStrVal());
  }

  private static int orZero(@Nullable Integer v) {
    return v == null ? 0 : v;
  }

  private static @Nullable String annotation(HasMetadata o, String name) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(name);
  }

  /**
   * Whether a restart under {@code idempotencyKey} took effect on a workload in the allowed namespaces: SUCCEEDED when
   * its evictions are recorded, or every pod it started evicting is gone (the answer of the last eviction, or of the
   * write recording the key, was lost), or its rolling restart is recorded and the rollout complete; FAILED when only
   * some of the pods it started evicting are gone, or the rolling restart is recorded but its rollout is not complete
   * (running the key again evicts only the rest, or only waits); empty when it changed nothing.
   */
  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    Optional<HasMetadata> marked = Workloads.markedWith(client, namespaces.namespaces(), idempotencyKey, false);
    if (marked.isEmpty()) {
      return Workloads.startedWith(client, namespaces.namespaces(), idempotencyKey)
          .flatMap(w -> startedOnly(w, idempotencyKey));
    }
    if (!idempotencyKey.equals(annotation(marked.get(), ROLLOUT_RESTART_KEY))) {
      return recordedOn(idempotencyKey, false);
    }
    Seen seen = rollout(marked.get(), marked.get());
    return Optional.of(executions.result(idempotencyKey, seen.done() ? ActionResult.Status.SUCCEEDED
        : ActionResult.Status.FAILED, (seen.done() ? "took effect: " : "triggered, but the rollout is not complete:"
        + " ") + "key " + idempotencyKey + " restarted " + Workloads.describe(marked.get()) + " by its pod template; "
        + seen.state()));
  }

  /** The answer to {@link #reconcile} for evictions {@code key} started on {@code workload} but did not record. */
  private Optional<ActionResult> startedOnly(HasMetadata workload, String key) {
    Map<String, String> started = startedEvictions(workload, key);
    String ns = workload.getMetadata().getNamespace();
    List<String> gone = started.entrySet().stream().filter(e -> gone(ns, e.getKey(), e.getValue()))
        .map(Map.Entry::getKey).toList();
    if (gone.isEmpty()) {
      return Optional.empty();
    }
    boolean all = gone.size() == started.size();
    return Optional.of(executions.result(key, all ? ActionResult.Status.SUCCEEDED : ActionResult.Status.FAILED,
        (all ? "took effect: " : "took effect in part: ") + "key " + key + " started evicting " + started.keySet()
            + " of " + Workloads.describe(workload) + "; gone since (evicted): " + gone
            + (all ? "" : "; running the key again evicts only the others, none twice")));
  }

  /** Builds a {@link KubernetesRestartExecutor}. */
  public static final class Builder extends KubernetesExecutorBuilder<Builder, KubernetesRestartExecutor> {
    private Duration readyTimeout = DEFAULT_READY_TIMEOUT;
    private Duration firstPoll = DEFAULT_FIRST_POLL;

    private Builder(KubernetesClient client) {
      super(client);
    }

    /**
     * How long each wait may take on the executor's clock: the readiness between two evictions, the rollout after a
     * rolling restart (default {@link #DEFAULT_READY_TIMEOUT}); then FAILED.
     */
    public Builder setReadyTimeout(Duration readyTimeout) {
      this.readyTimeout = Require.positive(readyTimeout, "readyTimeout");
      return this;
    }

    /** The first pause between reads while waiting (default {@link #DEFAULT_FIRST_POLL}; doubled, at most 10 s). */
    public Builder setFirstPoll(Duration firstPoll) {
      this.firstPoll = Require.positive(firstPoll, "firstPoll");
      return this;
    }

    @Override
    KubernetesRestartExecutor create() {
      return new KubernetesRestartExecutor(this);
    }
  }
}
