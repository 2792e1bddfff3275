package dev.sreagent.testkit;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A named run: warm up, inject a fault (or none), keep going.
 *
 * @param name short name, for example {@code oom-kill}
 * @param description one line
 * @param fault the fault, or null for a no-fault run
 * @param injectAfter when to inject, after the start
 * @param duration total simulated time
 */
public record Scenario(String name, String description, @Nullable Fault fault, Duration injectAfter,
    Duration duration) {
  public Scenario {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(injectAfter, "injectAfter");
    Objects.requireNonNull(duration, "duration");
    if (duration.compareTo(injectAfter) <= 0) {
      throw new IllegalArgumentException("duration must be longer than injectAfter (" + injectAfter + "), but was "
          + duration);
    }
  }
}
