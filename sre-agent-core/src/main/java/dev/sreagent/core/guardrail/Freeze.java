package dev.sreagent.core.guardrail;

import java.time.Instant;

/** A change freeze: while active, no action runs. */
public interface Freeze {
  /** Name quoted in denials. */
  String name();

  /** Whether the freeze is in force at {@code t}. */
  boolean activeAt(Instant t);

  /** One-line description for denials, for example "every FRI 18:00 UTC for 62h". */
  String describe();
}
