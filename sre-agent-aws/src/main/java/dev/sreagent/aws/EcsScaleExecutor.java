package dev.sreagent.aws;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * Carries out {@link Action.ScaleReplicas} on an ECS service: its {@code desiredCount} ({@code UpdateService}), or,
 * when Application Auto Scaling manages the service's desired count, the scalable target's minimum capacity instead
 * (a desired count set under a scaling policy is undone by the next scale-in), never above its maximum — as the
 * Kubernetes executor raises an HPA's {@code minReplicas}.
 *
 * <p>Refused or failed when: the service is not in the allowed clusters or is ambiguous (REJECTED); the plan's
 * {@code fromReplicas} is no longer the service's desired count (FAILED: plan again); the target is above the scalable
 * target's maximum (REJECTED). A redelivered key whose answer was lost is settled from the desired count: already the
 * plan's target counts as done.
 *
 * <p>IAM: {@code ecs:DescribeServices}, {@code ecs:ListServices}, {@code ecs:UpdateService},
 * {@code ecs:TagResource}, {@code ecs:UntagResource}, {@code ecs:ListTagsForResource},
 * {@code application-autoscaling:DescribeScalableTargets}, {@code application-autoscaling:RegisterScalableTarget}.
 */
public final class EcsScaleExecutor extends EcsExecutor<Action.ScaleReplicas> {
  private final @Nullable ScalableTargets scaling;

  private EcsScaleExecutor(Builder b) {
    super(b, Action.ScaleReplicas.class);
    this.scaling = b.scaling;
  }

  /** A builder over {@code ecs}; {@link Builder#setClusters} and {@link Builder#setAutoScaling} are required. */
  public static Builder builder(EcsClient ecs) {
    return new Builder(ecs);
  }

  @Override
  public String name() {
    return "ecs-scale";
  }

  @Override
  ActionResult run(Action.ScaleReplicas scale, EcsServices.Found f, ExecutionContext context) {
    int desired = f.service().desiredCount();
    if (desired != scale.fromReplicas()) {
      return result(context, ActionResult.Status.FAILED, f.describe() + " has desired count " + desired
          + ", the plan expected " + scale.fromReplicas() + ": plan again on the current state");
    }
    Optional<ScalableTargets.Target> target = scaling == null ? Optional.empty()
        : scaling.find(f.cluster(), f.service().serviceName());
    if (target.isPresent() && scale.toReplicas() > target.get().max()) {
      return result(context, ActionResult.Status.REJECTED, "would set the minimum capacity of "
          + target.get().resourceId() + " to " + scale.toReplicas() + ", above its maximum " + target.get().max()
          + "; refused (raise the scalable target's maximum through its owner)");
    }
    String what = target.isPresent()
        ? "minimum capacity of " + target.get().resourceId() + " " + target.get().min() + " -> "
            + scale.toReplicas() + " (maximum " + target.get().max() + "; Application Auto Scaling sets the desired"
            + " count)"
        : "desired count of " + f.describe() + " " + desired + " -> " + scale.toReplicas();
    if (context.dryRun()) {
      return result(context, ActionResult.Status.DRY_RUN, "checks passed, nothing written (ECS has no server-side"
          + " dry run): would set " + what);
    }
    markStarted(f, scale, context, false);
    change(f, context, () -> {
      if (target.isPresent()) {
        scaling.setMinimum(f.cluster(), f.service().serviceName(), scale.toReplicas(), context.idempotencyKey());
        if (scale.toReplicas() < desired) {  // a lower minimum does not lower the desired count by itself
          setDesired(f, scale.toReplicas(), context);
        }
      } else {
        setDesired(f, scale.toReplicas(), context);
      }
    });
    return recorded(f, context, result(context, ActionResult.Status.SUCCEEDED, "set " + what));
  }

  private void setDesired(EcsServices.Found f, int count, ExecutionContext context) {
    services.client().updateService(b -> b.cluster(f.cluster()).service(f.service().serviceName())
        .desiredCount(count).overrideConfiguration(write(context)));
  }

  @Override
  Optional<ActionResult> settle(Action.ScaleReplicas scale, EcsServices.Found f, ExecutionContext context,
      String primaryBefore) {
    int desired = f.service().desiredCount();
    if (desired == scale.toReplicas()) {
      return Optional.of(recorded(f, context, result(context, ActionResult.Status.SUCCEEDED, "took effect before"
          + " (its answer was lost): " + f.describe() + " has desired count " + desired + "; recorded now")));
    }
    if (desired == scale.fromReplicas()) {
      return Optional.empty();
    }
    return Optional.of(result(context, ActionResult.Status.FAILED, "an earlier attempt of this key started and "
        + f.describe() + " now has desired count " + desired + ", neither the plan's " + scale.fromReplicas()
        + " nor its target " + scale.toReplicas() + ": plan again on the current state"));
  }

  /** Builds an {@link EcsScaleExecutor}. */
  public static final class Builder extends EcsExecutor.Builder<Builder, EcsScaleExecutor> {
    private @Nullable ScalableTargets scaling;
    private boolean scalingDecided;

    private Builder(EcsClient ecs) {
      super(ecs);
    }

    /**
     * Where Application Auto Scaling is asked whether it manages a service's desired count: the HTTP client, the
     * credentials and the region of the ECS client, and an endpoint override or null for AWS's.
     */
    public Builder setAutoScaling(SdkHttpClient http, AwsCredentialsProvider credentials, Region region,
        @Nullable URI endpoint) {
      this.scaling = new ScalableTargets(Objects.requireNonNull(http, "http"), credentials, region, endpoint);
      this.scalingDecided = true;
      return this;
    }

    /**
     * Declares that no service it may scale is under Application Auto Scaling, so it is never asked (a desired count
     * set under a scaling policy would be undone by the policy).
     */
    public Builder setNoAutoScaling() {
      this.scaling = null;
      this.scalingDecided = true;
      return this;
    }

    @Override
    EcsScaleExecutor create() {
      if (!scalingDecided) {
        throw new IllegalStateException("setAutoScaling(http, credentials, region, endpoint) is required (so a"
            + " service under Application Auto Scaling gets a new minimum, not a desired count the policy undoes),"
            + " or setNoAutoScaling() when none of its services is");
      }
      return new EcsScaleExecutor(this);
    }
  }
}
