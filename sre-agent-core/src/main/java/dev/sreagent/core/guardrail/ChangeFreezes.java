package dev.sreagent.core.guardrail;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The change freezes an agent honours: the windows of its guardrail policy, fixed at build time, and the freezes an
 * operator declares while it runs ({@code SreAgent.declareFreeze}). Thread-safe: declare or end a freeze from any
 * thread; the guardrail reads it at every decision and before every attempt of an action.
 */
public final class ChangeFreezes {
  private final List<Freeze> configured;
  private final Map<String, FreezeWindow> declared = new ConcurrentHashMap<>();

  /** With the windows of a guardrail policy. */
  public ChangeFreezes(List<? extends Freeze> configured) {
    this.configured = List.copyOf(Objects.requireNonNull(configured, "configured"));
  }

  /**
   * Declares (or replaces) the freeze {@code name} for {@code [from, until)}.
   *
   * @throws IllegalArgumentException when {@code until} is not after {@code from}
   */
  public void declare(String name, Instant from, Instant until) {
    Require.notBlank(name, "name");
    declared.put(name, new FreezeWindow(name, from, until));
  }

  /** Ends the declared freeze {@code name}; returns whether there was one. Configured windows cannot be ended. */
  public boolean end(String name) {
    return declared.remove(name) != null;
  }

  /** The first freeze in force at {@code t}: configured windows first, then declared ones. */
  public Optional<Freeze> inForce(Instant t) {
    for (Freeze f : configured) {
      if (f.activeAt(t)) {
        return Optional.of(f);
      }
    }
    Optional<Freeze> found = Optional.empty();
    for (FreezeWindow f : declared.values()) {
      if (f.activeAt(t)) {
        found = Optional.of(f);
      }
    }
    return found;
  }

  /** Every freeze: the configured windows, then the declared ones (including those that have run out). */
  public List<Freeze> all() {
    List<Freeze> out = new ArrayList<>(configured);
    out.addAll(declared.values());
    return out;
  }
}
