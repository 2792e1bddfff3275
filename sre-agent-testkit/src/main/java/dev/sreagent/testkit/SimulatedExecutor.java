package dev.sreagent.testkit;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the built-in actions against a {@link SimulatedCluster}, honouring the executor contract: an idempotency
 * key takes effect at most once (a later delivery of a key that took effect returns the first result), a failed
 * attempt leaves no trace (so it may be retried), {@link #reconcile(String)} reports what took effect, and a
 * fencing token older than one already seen for the same target is rejected.
 */
public final class SimulatedExecutor implements ActionExecutor {
  private final SimulatedCluster cluster;
  private final Map<String, ActionResult> done = new LinkedHashMap<>();
  private final Map<String, Long> fences = new HashMap<>();
  private final Map<String, Integer> deliveries = new HashMap<>();
  private final java.util.List<AppliedAction> appliedActions = new java.util.ArrayList<>();

  SimulatedExecutor(SimulatedCluster cluster) {
    this.cluster = cluster;
  }

  /** The cluster it changes (for wrappers that reach the cluster another way, such as a Kubernetes API emulator). */
  public SimulatedCluster cluster() {
    return cluster;
  }

  /** The simulation's clock (for wrappers that take simulated time, such as {@link SlowExecutor}). */
  public VirtualClock clock() {
    return cluster.clock();
  }

  @Override
  public String name() {
    return "simulated";
  }

  @Override
  public boolean supports(Action action) {
    return !(action instanceof Action.Custom);
  }

  @Override
  public synchronized ActionResult execute(Action action, ExecutionContext ctx) {
    deliveries.merge(ctx.idempotencyKey(), 1, Integer::sum);
    ActionResult prior = done.get(ctx.idempotencyKey());
    if (prior != null) {
      // idempotency: a key that took effect never takes effect again (a retry after a lost answer lands here)
      return prior;
    }
    var now = cluster.clock().now();
    Long seen = fences.get(action.target());
    if (seen != null && ctx.fencingToken() < seen) {
      return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.REJECTED,
          "stale fencing token " + ctx.fencingToken() + " < " + seen + " for " + action.target(), now);
    }
    fences.put(action.target(), ctx.fencingToken());
    if (ctx.dryRun()) {
      return new ActionResult(ctx.idempotencyKey(), ActionResult.Status.DRY_RUN, "dry run: " + action.canonical(),
          now);
    }
    ActionResult result;
    try {
      result = new ActionResult(ctx.idempotencyKey(), ActionResult.Status.SUCCEEDED,
          cluster.apply(action), now);
    } catch (RuntimeException e) {
      result = new ActionResult(ctx.idempotencyKey(), ActionResult.Status.FAILED, e.getMessage() == null
          ? e.toString() : e.getMessage(), now);
    }
    if (result.succeeded()) {
      done.put(ctx.idempotencyKey(), result);
      appliedActions.add(new AppliedAction(now, ctx.incidentId(), action, ctx.idempotencyKey(), result.message()));
      cluster.oracle().onEffect(now, action, ctx);
    }
    return result;
  }

  @Override
  public synchronized Optional<ActionResult> reconcile(String idempotencyKey) {
    return Optional.ofNullable(done.get(idempotencyKey));
  }

  /** How many times each idempotency key was delivered. */
  public synchronized Map<String, Integer> deliveries() {
    return Map.copyOf(deliveries);
  }

  /** The actions that took effect, in order, with their incident, target and what the cluster said. */
  public synchronized java.util.List<AppliedAction> appliedActions() {
    return java.util.List.copyOf(appliedActions);
  }

  /** Results of the actions applied, in order. */
  public synchronized Map<String, ActionResult> applied() {
    return new LinkedHashMap<>(done);
  }
}
