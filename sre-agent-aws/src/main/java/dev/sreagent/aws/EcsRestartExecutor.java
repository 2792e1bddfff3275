package dev.sreagent.aws;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Deployment;

/**
 * Carries out {@link Action.RestartPods} on an ECS service, whose "pods" are its tasks (task IDs, as
 * {@link EcsTopology} lists them). When the action names every running task of the service: a rolling restart,
 * {@code UpdateService} with {@code forceNewDeployment} (ECS replaces the tasks within the service's
 * {@code minimumHealthyPercent}), then waits for that deployment's rollout to complete. When it names some of them:
 * {@code StopTask} one task at a time, each only once the service is back to its desired count of running tasks
 * without the ones stopped before (ECS's scheduler starts the replacements), all within one rollout timeout, and
 * only while no newer holder of the lock has recorded its fencing token on the service; a task no longer running
 * counts as stopped (task IDs are never reused), so a redelivery stops only the rest, and a first delivery naming no
 * running task is FAILED (plan again). A task named twice is stopped once.
 *
 * <p>Refused or failed when: the service is not in the allowed clusters or is ambiguous (REJECTED); a named task does
 * not belong to the service (REJECTED: it never stops another service's task); the service is not back to its desired
 * count within the rollout timeout (FAILED naming the tasks stopped, nothing further stopped); the rollout of the new
 * deployment fails (FAILED). A redelivered rolling restart whose answer was lost is settled from the primary
 * deployment recorded at its start: a newer one means the restart was made, and only its rollout is awaited.
 *
 * <p>IAM: {@code ecs:DescribeServices}, {@code ecs:ListServices}, {@code ecs:ListTasks}, {@code ecs:StopTask},
 * {@code ecs:UpdateService}, {@code ecs:TagResource}, {@code ecs:UntagResource}, {@code ecs:ListTagsForResource}.
 */
public final class EcsRestartExecutor extends EcsExecutor<Action.RestartPods> {
  private EcsRestartExecutor(Builder b) {
    super(b, Action.RestartPods.class);
  }

  /** A builder over {@code ecs}; {@link Builder#setClusters} is required. */
  public static Builder builder(EcsClient ecs) {
    return new Builder(ecs);
  }

  @Override
  public String name() {
    return "ecs-restart";
  }

  @Override
  public Optional<Duration> longestCall() {
    return Optional.of(rolloutTimeout.plus(pollInterval).plusMinutes(1));
  }

  @Override
  ActionResult run(Action.RestartPods restart, EcsServices.Found f, ExecutionContext context) {
    List<String> named = restart.pods().stream().distinct().toList();
    List<String> running = runningTasks(f);
    List<String> notRunning = named.stream().filter(p -> !running.contains(p)).toList();
    Set<String> clusterTasks = notRunning.isEmpty() ? Set.of() : new HashSet<>(services.taskIds(f.cluster(), null));
    List<String> foreign = notRunning.stream().filter(clusterTasks::contains).toList();
    if (!foreign.isEmpty()) {
      return result(context, ActionResult.Status.REJECTED, "tasks " + foreign + " are not tasks of " + f.describe()
          + "; refused (it never stops another service's task)");
    }
    List<String> toStop = named.stream().filter(running::contains).toList();
    boolean rolling = !running.isEmpty() && new HashSet<>(named).containsAll(running);
    if (context.dryRun()) {
      return result(context, ActionResult.Status.DRY_RUN, "checks passed, nothing written (ECS has no server-side"
          + " dry run): would " + (rolling ? "force a new deployment of " + f.describe() + " (all " + running.size()
          + " tasks replaced)" : "stop tasks " + toStop + " of " + f.describe() + " one at a time"));
    }
    if (rolling) {
      String before = f.primary().map(Deployment::id).orElse("");
      markStarted(f, restart, context, true);
      change(f, context, () -> services.client().updateService(b -> b.cluster(f.cluster())
          .service(f.service().serviceName()).forceNewDeployment(true).overrideConfiguration(write(context))));
      return finishRolling(f, context, before, "restarted all " + running.size() + " tasks of " + f.describe()
          + " (a new deployment)");
    }
    if (toStop.isEmpty()) {
      if (EcsMarks.started(f.tags(), context.idempotencyKey()).isEmpty()) {
        return result(context, ActionResult.Status.FAILED, "none of the tasks " + named + " runs in " + f.describe()
            + " (running: " + running + "): nothing stopped; plan again on the current tasks");
      }
      return recorded(f, context, result(context, ActionResult.Status.SUCCEEDED, "tasks " + named + " of "
          + f.describe() + " are no longer running (stopped by an earlier attempt of this key); nothing stopped"
          + " again"));
    }
    markStarted(f, restart, context, false);
    Instant deadline = clock.now().plus(rolloutTimeout);  // one deadline for the whole restart (longestCall)
    List<String> stopped = new ArrayList<>();
    for (String task : toStop) {
      if (!stopped.isEmpty()) {
        Optional<ActionResult> notBack = awaitReplacements(f, stopped, context, deadline, restart.target());
        if (notBack.isPresent()) {
          return notBack.get();
        }
      }
      Runnable stop = () -> services.client().stopTask(b -> b.cluster(f.cluster()).task(task)
          .reason("sre-agent: incident " + context.incidentId() + ", key " + context.idempotencyKey())
          .overrideConfiguration(write(context)));
      if (stopped.isEmpty()) {
        change(f, context, stop);  // nothing stopped yet: a refusal withdraws the start
      } else {
        stop.run();
      }
      stopped.add(task);
    }
    Optional<ActionResult> notBack = awaitReplacements(f, stopped, context, deadline, restart.target());
    if (notBack.isPresent()) {
      return notBack.get();
    }
    return recorded(f, context, result(context, ActionResult.Status.SUCCEEDED, "stopped tasks " + stopped + " of "
        + f.describe() + " one at a time; the service is back to its desired count"));
  }

  private ActionResult finishRolling(EcsServices.Found f, ExecutionContext context, String before, String done) {
    Optional<ActionResult> failed = awaitRollout(f, f.taskDefinition(), before.isEmpty() ? null : before, context);
    if (failed.isPresent()) {
      return failed.get();
    }
    return recorded(f, context, result(context, ActionResult.Status.SUCCEEDED, done + "; its rollout completed"));
  }

  /**
   * Waits until the service runs its desired count of tasks, none of them in {@code stopped}, until
   * {@code deadline}; stands down when another holder of the lock on {@code target} took over meanwhile.
   */
  private Optional<ActionResult> awaitReplacements(EcsServices.Found f, List<String> stopped,
      ExecutionContext context, Instant deadline, String target) {
    while (true) {
      EcsServices.Lookup now = services.find(f.agentName());
      if (now.found() == null) {
        return Optional.of(result(context, ActionResult.Status.FAILED, "while waiting for replacements: "
            + now.problem()));
      }
      Optional<ActionResult> taken = superseded(now.found(), target, context, "stopped " + stopped);
      if (taken.isPresent()) {
        return taken;
      }
      List<String> running = runningTasks(now.found());
      int desired = now.found().service().desiredCount();
      if (running.size() >= desired && running.stream().noneMatch(stopped::contains)) {
        return Optional.empty();
      }
      if (!clock.now().isBefore(deadline)) {
        return Optional.of(result(context, ActionResult.Status.FAILED, f.describe() + " not back to " + desired
            + " running tasks within " + rolloutTimeout + " of the restart's start (" + running.size()
            + " running) after stopping " + stopped + "; nothing further stopped"));
      }
      try {
        clock.sleep(pollInterval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of(result(context, ActionResult.Status.TIMED_OUT, "interrupted while waiting for the"
            + " replacements of " + stopped + " on " + f.describe()));
      }
    }
  }

  @Override
  Optional<ActionResult> settle(Action.RestartPods restart, EcsServices.Found f, ExecutionContext context,
      String primaryBefore) {
    // a rolling restart records the primary deployment it replaced: a newer one means the restart was made
    boolean wasRolling = !primaryBefore.isEmpty() && f.primary().isPresent()
        && !f.primary().get().id().equals(primaryBefore);
    if (wasRolling) {
      return Optional.of(finishRolling(f, context, primaryBefore, "took effect before (its answer was lost): a new"
          + " deployment of " + f.describe() + " replaces the tasks"));
    }
    return Optional.empty();  // stopping again is safe: tasks no longer running are skipped
  }

  private List<String> runningTasks(EcsServices.Found f) {
    return services.taskIds(f.cluster(), f.service().serviceName());
  }

  /** Builds an {@link EcsRestartExecutor}. */
  public static final class Builder extends EcsExecutor.Builder<Builder, EcsRestartExecutor> {
    private Builder(EcsClient ecs) {
      super(ecs);
    }

    @Override
    EcsRestartExecutor create() {
      return new EcsRestartExecutor(this);
    }
  }
}
