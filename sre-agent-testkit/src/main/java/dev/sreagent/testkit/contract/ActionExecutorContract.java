package dev.sreagent.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ActionExecutor} promises (its Javadoc's contract):
 * <ul>
 *   <li>an idempotency key takes effect at most once: a second delivery of a key that took effect changes nothing
 *       and answers as the first did;
 *   <li>{@code reconcile(key)} tells whether a key took effect (how the agent learns the fate of a lost answer);
 *   <li>a fencing token lower than one already seen for the same target is rejected, with no effect;
 *   <li>a dry run changes nothing;
 *   <li>failures are results, never exceptions.
 * </ul>
 * The subclass gives a fresh executor over its system (a simulated cluster, a mock API server), an action that can
 * take effect there, and a way to count the action's effects on the system itself, not through the executor.
 */
public abstract class ActionExecutorContract {
  /** A fresh executor over a fresh system. Called once per test, before the other hooks. */
  protected abstract ActionExecutor create();

  /** An action the executor supports and the system can carry out once. */
  protected abstract Action action();

  /** How many times {@link #action()} has changed the system, as the system (not the executor) sees it. */
  protected abstract int effects();

  /** An action the executor supports but the system refuses (a stale replica count, an unknown revision). */
  protected abstract Action failingAction();

  private static ExecutionContext context(String key, long token, boolean dryRun) {
    return new ExecutionContext("INC-0001", key, token, dryRun);
  }

  @Test
  void aKeyTakesEffectAtMostOnce() {
    ActionExecutor executor = create();
    Action action = action();
    assertTrue(executor.supports(action), executor.name() + " supports " + action.canonical());
    ActionResult first = executor.execute(action, context("key-1", 1, false));
    assertTrue(first.succeeded(), "first delivery: " + first);
    ActionResult again = executor.execute(action, context("key-1", 1, false));
    assertEquals(1, effects(), "a second delivery of the same key changed the system again");
    assertEquals(first.status(), again.status(), "a second delivery answers as the first");
  }

  @Test
  void reconcileTellsWhetherAKeyTookEffect() {
    ActionExecutor executor = create();
    assertTrue(executor.reconcile("never-delivered").isEmpty(), "a key never delivered did not take effect");
    ActionResult r = executor.execute(action(), context("key-2", 1, false));
    Optional<ActionResult> known = executor.reconcile("key-2");
    assertTrue(known.isPresent() && known.get().succeeded(), "reconcile after " + r + ": " + known);
  }

  @Test
  void aStaleFencingTokenIsRejectedWithoutEffect() {
    ActionExecutor executor = create();
    Action action = action();
    ActionResult newer = executor.execute(action, context("key-newer", 7, false));
    assertTrue(newer.succeeded(), "token 7 first: " + newer);
    ActionResult stale = executor.execute(action, context("key-stale", 3, false));
    assertEquals(ActionResult.Status.REJECTED, stale.status(), "token 3 after 7 on " + action.target());
    assertEquals(1, effects(), "a rejected delivery changed the system");
    assertTrue(executor.reconcile("key-stale").isEmpty(), "a rejected key did not take effect");
  }

  @Test
  void aDryRunChangesNothing() {
    ActionExecutor executor = create();
    ActionResult r = executor.execute(action(), context("key-dry", 1, true));
    assertEquals(ActionResult.Status.DRY_RUN, r.status(), String.valueOf(r));
    assertEquals(0, effects(), "a dry run changed the system");
  }

  @Test
  void aFailureIsAResultAndLeavesNoTrace() {
    ActionExecutor executor = create();
    ActionResult r = executor.execute(failingAction(), context("key-fail", 1, false));
    assertEquals(ActionResult.Status.FAILED, r.status(), String.valueOf(r));
    assertTrue(executor.reconcile("key-fail").isEmpty(), "a failed attempt must not count as taken effect");
  }
}
