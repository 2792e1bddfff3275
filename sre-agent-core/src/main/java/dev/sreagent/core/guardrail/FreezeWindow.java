package dev.sreagent.core.guardrail;

import java.time.Instant;
import java.util.Objects;

/**
 * A change-freeze interval {@code [start, end)} during which no action runs.
 *
 * @param name shown in denials, for example {@code black-friday}
 * @param start inclusive start
 * @param end exclusive end
 */
public record FreezeWindow(String name, Instant start, Instant end) implements Freeze {
  public FreezeWindow {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (!end.isAfter(start)) {
      throw new IllegalArgumentException("end must be after start (" + start + "), but was " + end);
    }
  }

  /** Whether {@code t} falls inside. */
  public boolean contains(Instant t) {
    return !t.isBefore(start) && t.isBefore(end);
  }

  @Override
  public boolean activeAt(Instant t) {
    return contains(t);
  }

  @Override
  public String describe() {
    return "from " + start + " to " + end;
  }
}
