package dev.sreagent.api.port;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Signal;
import java.util.List;

/**
 * Watches signals and reports anomalies. Called from the agent loop's single thread; O(1) work per signal is
 * expected. A detector reports an anomaly once when its condition starts to hold (after any sustain window) and
 * again only after the condition has cleared.
 */
public interface Detector {
  /** A short unique name. */
  String name();

  /** The incident type this detector's anomalies suggest. */
  IncidentType type();

  /** Observes one signal; returns the anomalies that fired on it (usually none). Must not throw on bad values. */
  List<Anomaly> observe(Signal signal);

  /** Whether the condition currently holds for any resource of {@code service}. Used to verify remediations. */
  boolean isFiring(String service);

  /**
   * Per-key states (resources, series, services) this detector dropped since it was created to make room for new
   * keys, because it holds at most a fixed number of them ({@link dev.sreagent.api.state.BoundedKeyedState}):
   * non-zero means the telemetry had more distinct keys than the detector keeps. The agent reports the sum in its
   * stats. Detectors without such a cap keep the default, 0.
   */
  default long evictedStates() {
    return 0;
  }

  /** A detector that never fires. */
  static Detector noop() {
    return new Detector() {
      @Override
      public String name() {
        return "noop";
      }

      @Override
      public IncidentType type() {
        return IncidentType.UNKNOWN;
      }

      @Override
      public List<Anomaly> observe(Signal signal) {
        return List.of();
      }

      @Override
      public boolean isFiring(String service) {
        return false;
      }
    };
  }
}
