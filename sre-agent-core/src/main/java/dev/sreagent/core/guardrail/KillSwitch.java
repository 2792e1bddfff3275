package dev.sreagent.core.guardrail;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The global kill switch: when engaged, every action is denied. Thread-safe; flip it from any thread. */
public final class KillSwitch {
  private final AtomicReference<@Nullable String> reason = new AtomicReference<>();
  private final List<Consumer<String>> onEngage = new CopyOnWriteArrayList<>();
  /** Changes not yet taken by {@link #takeChanges()}: a reason for an engagement, an empty string for a release. */
  private final java.util.ArrayDeque<String> changes = new java.util.ArrayDeque<>();
  /** Changes kept for the audit at most; older ones are dropped (a switch flipped thousands of times between ticks). */
  private static final int MAX_CHANGES = 1_000;

  /**
   * Stops all actions at once: no new action starts, and the agent cancels the running ones whose executor honours
   * an interrupt; {@code why} is quoted in every denial.
   */
  public void engage(String why) {
    reason.set(why);
    record(why);
    for (Consumer<String> l : onEngage) {
      l.accept(why);
    }
  }

  /** Calls {@code listener} on the engaging thread each time the switch is engaged; it must be quick and not throw. */
  public void onEngage(Consumer<String> listener) {
    onEngage.add(java.util.Objects.requireNonNull(listener, "listener"));
  }

  /** Allows actions again (the other guardrails still apply). */
  public void release() {
    reason.set(null);
    record("");
  }

  private synchronized void record(String change) {
    if (changes.size() == MAX_CHANGES) {
      changes.removeFirst();
    }
    changes.addLast(change);
  }

  /**
   * Every engagement (its reason) and release (null) since the last call, in order, so each is audited even when
   * the switch was engaged and released again between two ticks of the agent.
   */
  public synchronized List<@Nullable String> takeChanges() {
    List<@Nullable String> out = new java.util.ArrayList<>(changes.size());
    for (String c : changes) {
      out.add(c.isEmpty() ? null : c);
    }
    changes.clear();
    return out;
  }

  /** Whether engaged. */
  public boolean engaged() {
    return reason.get() != null;
  }

  /** Why it was engaged, or null. */
  public @Nullable String reason() {
    return reason.get();
  }
}
