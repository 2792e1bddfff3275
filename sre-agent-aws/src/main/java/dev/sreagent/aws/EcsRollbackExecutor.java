package dev.sreagent.aws;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;

/**
 * Carries out {@link Action.RollBack} on an ECS service: {@code UpdateService} with the task definition of
 * {@code toRevision} ({@code family:revision}, as {@link EcsTopology} names revisions), then waits until that
 * deployment is the primary one and its rollout {@code COMPLETED}.
 *
 * <p>Refused or failed when: the service is not in the allowed clusters or is ambiguous (REJECTED); it no longer runs
 * {@code fromRevision} (FAILED: someone deployed since the plan); {@code toRevision} is not of the service's family or
 * cannot be described (REJECTED: deregistered revisions are still described by ECS, deleted ones are not); the
 * rollout fails (ECS's deployment circuit breaker) or does not complete within the rollout timeout (FAILED, the
 * change stands). A redelivered key whose answer was lost is settled from the service's task definition.
 *
 * <p>IAM: {@code ecs:DescribeServices}, {@code ecs:ListServices}, {@code ecs:UpdateService},
 * {@code ecs:DescribeTaskDefinition}, {@code ecs:TagResource}, {@code ecs:UntagResource},
 * {@code ecs:ListTagsForResource}, and {@code iam:PassRole} on the task definition's roles when it has them.
 */
public final class EcsRollbackExecutor extends EcsExecutor<Action.RollBack> {
  private EcsRollbackExecutor(Builder b) {
    super(b, Action.RollBack.class);
  }

  /** A builder over {@code ecs}; {@link Builder#setClusters} is required. */
  public static Builder builder(EcsClient ecs) {
    return new Builder(ecs);
  }

  @Override
  public String name() {
    return "ecs-rollback";
  }

  @Override
  public Optional<Duration> longestCall() {
    return Optional.of(rolloutTimeout.plus(pollInterval).plusMinutes(1));
  }

  @Override
  ActionResult run(Action.RollBack rollback, EcsServices.Found f, ExecutionContext context) {
    String current = f.taskDefinition();
    if (current.equals(rollback.toRevision())) {
      return result(context, ActionResult.Status.REJECTED, f.describe() + " already runs " + current
          + "; nothing to roll back");
    }
    if (!current.equals(rollback.fromRevision())) {
      return result(context, ActionResult.Status.FAILED, f.describe() + " runs " + current + ", the plan expected "
          + rollback.fromRevision() + " (deployed since the plan): plan again on the current state");
    }
    String family = current.contains(":") ? current.substring(0, current.lastIndexOf(':')) : current;
    if (!rollback.toRevision().startsWith(family + ":")) {
      return result(context, ActionResult.Status.REJECTED, rollback.toRevision() + " is not a revision of "
          + f.describe() + "'s task definition family " + family + "; refused");
    }
    try {
      services.client().describeTaskDefinition(b -> b.taskDefinition(rollback.toRevision()));
    } catch (ClientException e) {
      return result(context, ActionResult.Status.REJECTED, "task definition " + rollback.toRevision()
          + " cannot be described (" + e.awsErrorDetails().errorMessage() + "): it was deleted; refused");
    }
    String what = f.describe() + " from " + current + " to " + rollback.toRevision();
    if (context.dryRun()) {
      return result(context, ActionResult.Status.DRY_RUN, "checks passed, nothing written (ECS has no server-side"
          + " dry run): would roll back " + what);
    }
    markStarted(f, rollback, context, false);
    change(f, context, () -> services.client().updateService(b -> b.cluster(f.cluster())
        .service(f.service().serviceName()).taskDefinition(rollback.toRevision()).overrideConfiguration(write(context))));
    return finish(f, rollback, context, "rolled back " + what);
  }

  private ActionResult finish(EcsServices.Found f, Action.RollBack rollback, ExecutionContext context,
      String done) {
    Optional<ActionResult> failed = awaitRollout(f, rollback.toRevision(), null, context);
    if (failed.isPresent()) {
      return failed.get();
    }
    return recorded(f, context, result(context, ActionResult.Status.SUCCEEDED, done + "; its rollout completed"));
  }

  @Override
  Optional<ActionResult> settle(Action.RollBack rollback, EcsServices.Found f, ExecutionContext context,
      String primaryBefore) {
    String current = f.taskDefinition();
    if (current.equals(rollback.toRevision())) {
      return Optional.of(finish(f, rollback, context, "took effect before (its answer was lost): "
          + f.describe() + " runs " + current));
    }
    if (current.equals(rollback.fromRevision())) {
      return Optional.empty();
    }
    return Optional.of(result(context, ActionResult.Status.FAILED, "an earlier attempt of this key started and "
        + f.describe() + " now runs " + current + ", neither " + rollback.fromRevision() + " nor "
        + rollback.toRevision() + ": plan again on the current state"));
  }

  /** Builds an {@link EcsRollbackExecutor}. */
  public static final class Builder extends EcsExecutor.Builder<Builder, EcsRollbackExecutor> {
    private Builder(EcsClient ecs) {
      super(ecs);
    }

    @Override
    EcsRollbackExecutor create() {
      return new EcsRollbackExecutor(this);
    }
  }
}
