package dev.sreagent.testkit;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import java.util.List;
import java.util.Optional;

/**
 * Several executors as one: an action goes to the first that supports it; {@link #reconcile} asks each in turn. For
 * harnesses that take a single executor. An action none supports is REJECTED, naming the executors asked.
 */
public final class FirstSupportingExecutor implements ActionExecutor {
  private final List<ActionExecutor> executors;

  /** Asks {@code executors} in this order. */
  public FirstSupportingExecutor(List<ActionExecutor> executors) {
    this.executors = List.copyOf(executors);
  }

  @Override
  public String name() {
    return String.join("+", executors.stream().map(ActionExecutor::name).toList());
  }

  @Override
  public boolean supports(Action action) {
    return executors.stream().anyMatch(e -> e.supports(action));
  }

  @Override
  public ActionResult execute(Action action, ExecutionContext context) {
    return executors.stream().filter(e -> e.supports(action)).findFirst().map(e -> e.execute(action, context))
        .orElseGet(() -> new ActionResult(context.idempotencyKey(), ActionResult.Status.REJECTED, "none of "
            + name() + " carries out " + action.canonical(), java.time.Instant.now()));
  }

  @Override
  public Optional<ActionResult> reconcile(String idempotencyKey) {
    for (ActionExecutor e : executors) {
      Optional<ActionResult> r = e.reconcile(idempotencyKey);
      if (r.isPresent()) {
        return r;
      }
    }
    return Optional.empty();
  }
}
