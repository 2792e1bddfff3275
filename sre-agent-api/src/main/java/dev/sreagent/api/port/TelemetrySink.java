package dev.sreagent.api.port;

import dev.sreagent.api.model.Signal;

/** Where telemetry sources push signals. Never throws; returns false when the signal was not taken. */
@FunctionalInterface
public interface TelemetrySink {
  /**
   * Offers one signal.
   *
   * @return true when accepted; false when dropped (queue full, or the agent is stopped) — the agent counts it
   */
  boolean accept(Signal signal);

  /** Takes every signal and keeps none (for sources under test that need somewhere to push). */
  static TelemetrySink noop() {
    return signal -> true;
  }
}
