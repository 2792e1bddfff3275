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
  /** Changes not yet taken by {@link #takeChanges()}. */
  private final java.util.ArrayDeque<Change> changes = new java.util.ArrayDeque<>();
  /** Changes kept for the audit at most; older ones are dropped (a switch flipped thousands of times between ticks). */
  private static final int MAX_CHANGES = 1_000;

  /**
   * Stops all actions at once: no new action starts, and the agent cancels the running ones whose executor honours
   * an interrupt; {@code why} is quoted in every denial.
   */
  public void engage(String why) {
    reason.set(why);
    record(new Change(true, why));
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
    release(null);
  }

  /** Allows actions again; {@code why} (who released it and why, or null) goes to the audit log with the release. */
  public void release(@Nullable String why) {
    reason.set(null);
    record(new Change(false, why));
  }

  private synchronized void record(Change change) {
    if (changes.size() == MAX_CHANGES) {
      changes.removeFirst();
    }
    changes.addLast(change);
  }

  /**
   * One change of the switch.
   *
   * @param engaged engaged (true) or released
   * @param reason why it was engaged, or why it was released (null when not said)
   */
  public record Change(boolean engaged, @Nullable String reason) {}

  /**
   * Every engagement and release since the last call, in order, so each is audited even when the switch was engaged
   * and released again between two ticks of the agent.
   */
  public synchronized List<Change> takeChanges() {
    List<Change> out = List.copyOf(changes);
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
