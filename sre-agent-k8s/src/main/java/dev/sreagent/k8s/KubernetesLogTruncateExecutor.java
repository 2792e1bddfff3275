package dev.sreagent.k8s;

import dev.sreagent.api.LogPaths;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Carries out {@link Action.TruncateLogs} inside the service's containers through {@code pods/exec}, with a fixed
 * argument vector: {@code sh -c SCRIPT sh PATH} ({@link LogPaths#TRUNCATE_SCRIPT}, the path only ever {@code $1})
 * enters the log directory {@code PATH} without following symbolic links, refuses (exit 3) when a link anywhere in
 * the path leads elsewhere, then runs {@code find . -xdev -type f -print -exec truncate -s 0 -- {} +}: every regular
 * file under it on its file system is emptied, following no symbolic link. The exit status
 * comes from the exec status channel; a non-zero exit, an exec failure or no status within the exec timeout is FAILED
 * with stderr quoted (after a timeout the command may still finish in the container; truncating again is harmless).
 *
 * <p>Which pods: the action's {@code host} is a pod of the service's workload (by name) or a node (then every pod of
 * the workload on that node, in name order). Which container: the one set with {@link Builder#setContainer}, else the
 * pod's {@code kubectl.kubernetes.io/default-container} annotation, else its only container, else the container named
 * like the service; otherwise FAILED naming the containers.
 *
 * <p>Safety: the path is checked again against the executor's own allow-list (default {@code /var/log/}, the core
 * guardrail's default) before any API call, stricter than the guardrail: relative paths, {@code .}/{@code ..}
 * segments, {@code //}, backslashes, control characters and system directories are REJECTED, never resolved. Only
 * namespaces of the {@link NamespacePolicy}; a fencing token lower than the one recorded on the owning workload is
 * refused before any exec; after success the workload gets the {@link ChangeMarks} annotations (optimistic write), so
 * a redelivered key runs nothing and {@link #reconcile(String)} finds it. A dry run cannot be the server's (exec has
 * no dry run): it validates everything and runs only the read-only probe ({@link LogPaths#PROBE_SCRIPT}: the same
 * checks, then {@code find . -xdev -type f -print}),
 * answering DRY_RUN with what would be emptied.
 *
 * <p>Never truncated twice under one key: an exec cannot carry the key, so before the first exec the workload records
 * that the key started ({@link ChangeMarks#markStarted}, optimistic write). When it is not known what the command did
 * (no exit status within the timeout, the stream broke, the upgrade got no answer) or recording the key afterwards
 * fails, the start stays: {@link #reconcile(String)} answers TIMED_OUT (outcome unknown) and a redelivery of the key is
 * REJECTED without running anything (someone must look at the logs; a new plan has a new key); so it does when the
 * command exited non-zero after listing files (it may have emptied part of them). When the outcome is known to be a
 * failure before anything was emptied (the API server refused the exec, the command exited non-zero before listing a
 * file — a symbolic link in the path, say — or no file was found), the start is withdrawn, so the key may run again.
 *
 * <p>Needs {@code sh}, {@code find} and {@code truncate} in the container image (coreutils/findutils or busybox); a
 * distroless image has none of them, and the exec failure is quoted. RBAC: {@code get, list} on pods, deployments and statefulsets;
 * {@code create} on {@code pods/exec} (and {@code get} on it for clients that open exec with a GET upgrade);
 * {@code update} on deployments and statefulsets (the annotations, before and after the exec).
 */
public final class KubernetesLogTruncateExecutor extends KubernetesExecutor<Action.TruncateLogs> {
  /** The pod annotation kubectl reads for the default container. */
  static final String DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

  private final List<String> allowedPrefixes;
  private final String container;
  private final Duration execTimeout;

  private KubernetesLogTruncateExecutor(Builder b) {
    super(b, Action.TruncateLogs.class);
    this.allowedPrefixes = b.allowedPrefixes;
    this.container = b.container;
    this.execTimeout = b.execTimeout;
  }

  /** A builder over {@code client}; {@link Builder#setNamespaces} is required. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public String name() {
    return "kubernetes-truncate-logs";
  }

  @Override
  ActionResult run(Action.TruncateLogs truncate, ExecutionContext context) {
    Optional<String> refused = LogPaths.refusal(truncate.path(), allowedPrefixes);
    if (refused.isPresent()) {
      return executions.result(context, ActionResult.Status.REJECTED, refused.get() + "; nothing was run");
    }
    List<String> done = new ArrayList<>();
    String[] summary = new String[1];
    ActionResult r = executions.withOneRetryOnConflict(context, afterConflict -> afterConflict && summary[0] != null
        ? mark(truncate, context, summary[0])  // the files are truncated; only the annotation write met the conflict
        : attempt(truncate, context, done, summary));
    if (summary[0] != null && !r.succeeded()) {  // truncated, but the key could not be recorded
      return executions.result(context, ActionResult.Status.FAILED, summary[0] + "; then: " + r.message()
          + " (key not recorded, only its start: a redelivery of the key is not run again)");
    }
    return r;
  }

  private ActionResult attempt(Action.TruncateLogs truncate, ExecutionContext context, List<String> done,
      String[] summary) {
    Target target = target(truncate.service(), context);
    if (!target.found()) {
      return target.refusal();
    }
    HasMetadata workload = target.workload();
    Optional<ActionResult> early = executions.alreadyApplied(context, workload)
        .or(() -> executions.staleToken(context, truncate.target(), workload))
        .or(() -> startedBefore(context, workload));
    if (early.isPresent()) {
      return early.get();
    }
    String ns = workload.getMetadata().getNamespace();
    List<Pod> pods = pods(workload, truncate.host());
    if (pods.isEmpty()) {
      return executions.result(context, ActionResult.Status.FAILED, "no pod of " + Workloads.describe(workload)
          + " is named or runs on node '" + truncate.host() + "' (its pods: " + podsAndNodes(workload)
          + "); nothing was run");
    }
    List<String[]> where = new ArrayList<>();  // {pod, container}
    for (Pod pod : pods) {
      Optional<String> c = container(pod, truncate.service());
      if (c.isEmpty() && container != null) {
        return executions.result(context, ActionResult.Status.FAILED, "pod " + ns + "/" + pod.getMetadata().getName()
            + " has no container '" + container + "' (the executor's setContainer), only " + names(pod)
            + "; nothing was run");
      }
      if (c.isEmpty()) {
        return executions.result(context, ActionResult.Status.FAILED, "cannot tell which container of pod " + ns
            + "/" + pod.getMetadata().getName() + " writes the logs (containers " + names(pod) + "): set it with"
            + " KubernetesLogTruncateExecutor.Builder.setContainer(...) or annotate the pod with "
            + DEFAULT_CONTAINER_ANNOTATION + "; nothing was run");
      }
      where.add(new String[] {pod.getMetadata().getName(), c.get()});
    }
    boolean dry = context.dryRun();
    List<String> argv = dry ? LogPaths.probeArgv(truncate.path()) : LogPaths.truncateArgv(truncate.path());
    List<String> files = new ArrayList<>();
    if (!dry) {  // the exec cannot carry the key: record its start first (a 409 here re-runs this attempt)
      ChangeMarks.markStarted(workload, context.idempotencyKey());
      update(workload);
    }
    for (String[] w : where) {
      PodExec.Outcome o = PodExec.run(client, ns, w[0], w[1], argv, execTimeout);
      String in = ns + "/" + w[0] + " (container " + w[1] + ")";
      if (!o.ok()) {
        // withdrawn only when nothing can have been emptied: known to have failed before listing a file (find prints
        // each file before truncate empties its batch, so a failure after a listing may have emptied part of them)
        String fate = dry ? "" : done.isEmpty() && o.known() && o.stdout().isBlank() ? withdrawStart(workload, context)
            : (done.isEmpty() ? "" : "; already truncated in " + done) + "; key " + context.idempotencyKey()
                + " stays recorded as started, so it is not run again";
        return executions.result(context, ActionResult.Status.FAILED, (dry ? "dry run probe " : "") + argv
            + " in " + in + " failed: " + o.describe(execTimeout) + fate);
      }
      o.stdout().lines().filter(l -> !l.isBlank())
          .forEach(l -> files.add(w[0] + ":" + LogPaths.shown(truncate.path(), l)));
      if (!dry) {
        done.add(in);
      }
    }
    String pathText = truncate.path() + " in " + where.stream().map(w -> ns + "/" + w[0] + " (container " + w[1]
        + ")").toList();
    if (dry) {
      return executions.result(context, ActionResult.Status.DRY_RUN, "dry run: nothing was truncated (pods/exec"
          + " has no server-side dry run); the read-only probe " + argv + " found " + files.size()
          + " regular file(s) truncation would empty under " + pathText + ": " + abbreviated(files));
    }
    if (files.isEmpty()) {
      return executions.result(context, ActionResult.Status.FAILED, "found no regular file under " + pathText
          + " on its file system (a symbolic link is not followed); nothing was truncated"
          + withdrawStart(workload, context));
    }
    summary[0] = "emptied " + files.size() + " file(s) under " + pathText + " with " + argv + ": "
        + abbreviated(files);
    return mark(truncate, context, summary[0]);
  }

  /** The pods of {@code workload} named {@code host}, else those on node {@code host}, in name order. */
  private List<Pod> pods(HasMetadata workload, String host) {
    List<Pod> all = client.pods().inNamespace(workload.getMetadata().getNamespace()).list().getItems().stream()
        .filter(p -> Workloads.matches(Workloads.selector(workload), p.getMetadata().getLabels()))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
    List<Pod> named = all.stream().filter(p -> p.getMetadata().getName().equals(host)).toList();
    return !named.isEmpty() ? named : all.stream()
        .filter(p -> p.getSpec() != null && host.equals(p.getSpec().getNodeName())).toList();
  }

  private String podsAndNodes(HasMetadata workload) {
    return client.pods().inNamespace(workload.getMetadata().getNamespace()).list().getItems().stream()
        .filter(p -> Workloads.matches(Workloads.selector(workload), p.getMetadata().getLabels()))
        .map(p -> p.getMetadata().getName() + " on " + (p.getSpec() == null ? null : p.getSpec().getNodeName()))
        .sorted().toList().toString();
  }

  private Optional<String> container(Pod pod, String service) {
    List<String> names = names(pod);
    if (container != null) {
      return names.contains(container) ? Optional.of(container) : Optional.empty();
    }
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String annotated = annotations == null ? null : annotations.get(DEFAULT_CONTAINER_ANNOTATION);
    if (annotated != null && names.contains(annotated)) {
      return Optional.of(annotated);
    }
    if (names.size() == 1) {
      return Optional.of(names.get(0));
    }
    return names.contains(service) ? Optional.of(service) : Optional.empty();
  }

  private static List<String> names(Pod pod) {
    return pod.getSpec() == null || pod.getSpec().getContainers() == null ? List.of()
        : pod.getSpec().getContainers().stream().map(Container::getName).toList();
  }

  private static String abbreviated(List<String> files) {
    return files.size() <= 10 ? files.toString() : files.subList(0, 10) + " and " + (files.size() - 10) + " more";
  }

  /**
   * A REJECTED result when a truncation under {@code context}'s key was started on {@code workload} and not recorded
   * as done: it may have run (its answer was lost), so it is not run again.
   */
  private Optional<ActionResult> startedBefore(ExecutionContext context, HasMetadata workload) {
    if (!ChangeMarks.started(workload, context.idempotencyKey())) {
      return Optional.empty();
    }
    return Optional.of(executions.result(context, ActionResult.Status.REJECTED, "a truncation under key "
        + context.idempotencyKey() + " was started on " + Workloads.describe(workload) + " and its outcome is"
        + " unknown (no exit status came back, or the key could not be recorded after it); not run again, so no log"
        + " is truncated twice: look at the pods' logs, and plan again if they still need it"));
  }

  /**
   * Withdraws the start of {@code context}'s key from the workload (re-read, written with the version read) when it is
   * known that the truncation emptied nothing (the exec in the first pod was refused or exited non-zero, or no file
   * was found), so a redelivery may run; returns what to add to the result.
   */
  private String withdrawStart(HasMetadata workload, ExecutionContext context) {
    try {
      Optional<HasMetadata> fresh = Workloads.reread(client, workload);
      if (fresh.isPresent()) {
        ChangeMarks.unmarkStarted(fresh.get(), context.idempotencyKey());
        update(fresh.get());
      }
      return "; the start of key " + context.idempotencyKey() + " is withdrawn, so the key may run again";
    } catch (RuntimeException e) {  // a failed withdrawal only makes a redelivery refuse: never an exception
      return "; the start of key " + context.idempotencyKey() + " could not be withdrawn (" + e.getMessage()
          + "), so a redelivery of the key is refused";
    }
  }

  /** Writes {@code workload} with the {@code resourceVersion} it carries. */
  private void update(HasMetadata workload) {
    String ns = workload.getMetadata().getNamespace();
    if (workload instanceof Deployment d) {
      client.apps().deployments().inNamespace(ns).resource(d).update();
    } else {
      client.apps().statefulSets().inNamespace(ns).resource((StatefulSet) workload).update();
    }
  }

  /** Records the key on the workload (re-read, fencing checked again, written with the version read). */
  private ActionResult mark(Action.TruncateLogs truncate, ExecutionContext context, String summary) {
    Target target = target(truncate.service(), context);
    if (!target.found()) {
      return executions.result(context, ActionResult.Status.FAILED, summary + ", but then: "
          + target.refusal().message() + " (the key could not be recorded)");
    }
    HasMetadata workload = target.workload();
    Optional<ActionResult> stale = executions.staleToken(context, truncate.target(), workload);
    if (stale.isPresent()) {
      return stale.get();
    }
    ChangeMarks.mark(workload, context, truncate.target());
    update(workload);
    return executions.result(context, ActionResult.Status.SUCCEEDED, summary);
  }

  /**
   * SUCCEEDED when a completed truncation under {@code idempotencyKey} is recorded on a workload in the namespaces;
   * TIMED_OUT when one was started but its outcome is unknown (it is not run again under this key); else empty.
   */
  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    return recordedOn(idempotencyKey, false).or(() -> Workloads.startedWith(client, namespaces.namespaces(),
        idempotencyKey).map(o -> executions.result(idempotencyKey, ActionResult.Status.TIMED_OUT, "a truncation"
            + " under key " + idempotencyKey + " was started on " + Workloads.describe(o) + " but its outcome is"
            + " unknown; it is not run again under this key")));
  }

  /** Builds a {@link KubernetesLogTruncateExecutor}. */
  public static final class Builder extends KubernetesExecutorBuilder<Builder, KubernetesLogTruncateExecutor> {
    private List<String> allowedPrefixes = LogPaths.DEFAULT_ALLOWED;
    private String container;
    private Duration execTimeout = Duration.ofSeconds(30);

    private Builder(KubernetesClient client) {
      super(client);
    }

    /**
     * The directories truncation may touch (default {@code [/var/log/]}, the core guardrail's default; keep both
     * lists alike). Each is an absolute, normalised directory ending in '/', other than '/' and not under a system
     * directory (/bin, /boot, /dev, /etc, /lib, /proc, /root, /sbin, /sys, /usr).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public Builder setAllowedPrefixes(List<String> prefixes) {
      this.allowedPrefixes = LogPaths.allowList(prefixes);
      return this;
    }

    /**
     * The container to run in, in every pod (default: the pod's {@code kubectl.kubernetes.io/default-container}
     * annotation, else its only container, else the one named like the service).
     */
    public Builder setContainer(String container) {
      this.container = dev.sreagent.api.Require.notBlank(container, "container");
      return this;
    }

    /** How long to wait for each exec's exit status (default 30 s); then FAILED, the command may still run. */
    public Builder setExecTimeout(Duration execTimeout) {
      Objects.requireNonNull(execTimeout, "execTimeout");
      if (execTimeout.isNegative() || execTimeout.isZero()) {
        throw new IllegalArgumentException("execTimeout must be positive, but was " + execTimeout);
      }
      this.execTimeout = execTimeout;
      return this;
    }

    @Override
    KubernetesLogTruncateExecutor create() {
      return new KubernetesLogTruncateExecutor(this);
    }
  }
}
