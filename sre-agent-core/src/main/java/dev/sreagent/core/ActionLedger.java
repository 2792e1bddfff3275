package dev.sreagent.core;

import dev.sreagent.api.model.ExecutedAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the agent knows of every action by its idempotency key: started, completed, attempts and when the next may
 * come, since when its target has been locked by another agent, and whether it is in doubt; plus the recent history
 * of actions that took effect, which the guardrails judge against.
 */
final class ActionLedger {
  /** How long executed and in-doubt actions are kept for the guardrails' windows. */
  static final Duration RETENTION = Duration.ofHours(24);

  final Deque<ExecutedAction> history = new ArrayDeque<>();
  /**
   * Actions started whose outcome is not settled yet (a failed or timed-out attempt, an answer that may have been a
   * lie): the guardrails count them as executed until they complete, so a cap, a restart wave or a cooldown can never
   * be passed by an action that did land while the agent believed it had not.
   */
  final Map<String, ExecutedAction> inDoubt = new LinkedHashMap<>();
  final Set<String> started = new HashSet<>();
  final Set<String> completed = new HashSet<>();
  final Map<String, Integer> attempts = new HashMap<>();
  final Map<String, Instant> retryAt = new HashMap<>();
  /** Since when an action's target has been locked by another agent. */
  final Map<String, Instant> lockedSince = new HashMap<>();
  final Random jitter;

  ActionLedger(long seed) {
    this.jitter = new Random(seed);
  }

  /**
   * What the guardrails judge against: the actions executed recently and those in doubt, except the in-doubt attempt
   * {@code ownKey} itself (a retry must not be refused for its own earlier attempt).
   */
  List<ExecutedAction> guardHistory(@Nullable String ownKey) {
    List<ExecutedAction> out = new ArrayList<>(history);
    for (ExecutedAction e : inDoubt.values()) {
      if (!e.idempotencyKey().equals(ownKey)) {
        out.add(e);
      }
    }
    return out;
  }

  /** {@code key} completed: never run again, no longer in doubt, in the history when {@code tookEffect}. */
  void completed(ExecutedAction action, boolean tookEffect) {
    completed.add(action.idempotencyKey());
    inDoubt.remove(action.idempotencyKey());
    retryAt.remove(action.idempotencyKey());
    if (tookEffect) {
      history.addLast(action);
    }
  }

  /** Drops what is older than {@link #RETENTION}. */
  void purge(Instant now) {
    while (!history.isEmpty() && history.peekFirst().at().isBefore(now.minus(RETENTION))) {
      history.removeFirst();
    }
    inDoubt.values().removeIf(e -> e.at().isBefore(now.minus(RETENTION)));
  }
}
