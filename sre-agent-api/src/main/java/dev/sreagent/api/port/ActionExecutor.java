package dev.sreagent.api.port;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import java.time.Duration;
import java.util.Optional;

/**
 * Carries out actions on a real system (Kubernetes, a cloud, GitOps) or a simulated one. The only place with
 * side effects.
 *
 * <p>Contract: executing the same {@link ExecutionContext#idempotencyKey()} twice changes the system at most once;
 * a fencing token lower than one already seen for the same target is rejected.
 */
public interface ActionExecutor {
  /** A short name. */
  String name();

  /** Whether this executor can carry out {@code action}. */
  boolean supports(Action action);

  /** Carries out {@code action}. Failures are reported in the result, not thrown. */
  ActionResult execute(Action action, ExecutionContext context);

  /**
   * After a crash or a timeout: what happened to the action that ran under {@code idempotencyKey}, if anything.
   * Empty means it never took effect and may be run.
   */
  default Optional<ActionResult> reconcile(String idempotencyKey) {
    return Optional.empty();
  }

  /**
   * The longest one execution may take by design, when that is longer than an ordinary API call: an executor that
   * waits for a rollout, a review or a sync says so here. An agent whose executor policy for this executor was not set
   * in code raises its time limit to this (a limit shorter than the executor's own wait would cut every execution
   * off). Empty (the default): the policy's default limit.
   */
  default Optional<Duration> longestCall() {
    return Optional.empty();
  }

  /** Supports no action: every plan finds no executor and is escalated (an agent that may only observe). */
  static ActionExecutor noop() {
    return new ActionExecutor() {
      @Override
      public String name() {
        return "noop";
      }

      @Override
      public boolean supports(Action action) {
        return false;
      }

      @Override
      public ActionResult execute(Action action, ExecutionContext context) {
        return new ActionResult(context.idempotencyKey(), ActionResult.Status.REJECTED,
            "the noop executor supports no action", java.time.Instant.EPOCH);
      }
    };
  }
}
