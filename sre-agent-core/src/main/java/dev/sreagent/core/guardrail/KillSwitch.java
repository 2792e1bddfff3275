package dev.sreagent.core.guardrail;

import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The global kill switch: when engaged, every action is denied. Thread-safe; flip it from any thread. */
public final class KillSwitch {
  private final AtomicReference<@Nullable String> reason = new AtomicReference<>();

  /** Stops all actions; {@code why} is quoted in every denial. */
  public void engage(String why) {
    reason.set(why);
  }

  /** Allows actions again (the other guardrails still apply). */
  public void release() {
    reason.set(null);
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
