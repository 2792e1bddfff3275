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

  /**
   * Samples of this detector's metrics it ignored since it was created because it could not read them (NaN, a value
   * the metric cannot take such as a negative latency, a sample older than its series' last one, a duplicate
   * timestamp). A series whose exporter sends only such samples is silent; this count and {@link #lastRejection()}
   * say why. The agent reports the sum in its stats and logs it. Detectors that ignore nothing keep the default, 0.
   */
  default long rejectedSamples() {
    return 0;
  }

  /**
   * The last sample counted in {@link #rejectedSamples()}, in one line for an operator (the metric, the service, the
   * value, when, and why it was ignored); empty when none was, or by default.
   */
  default java.util.Optional<String> lastRejection() {
    return java.util.Optional.empty();
  }

  /**
   * The state this detector has learned (baselines, per-resource windows, firing flags), encoded compactly in a
   * format of the detector's own that starts with its version, so that a restarted agent can {@link #restore} it and
   * go on without a new warm-up. The agent takes snapshots on its loop thread, periodically and when it closes. Its
   * size is bounded by the detector's caps on keys. The default, for detectors that keep nothing worth keeping (or
   * that have not implemented it), is empty: such a detector starts cold after a restart.
   */
  default java.util.Optional<byte[]> snapshot() {
    return java.util.Optional.empty();
  }

  /**
   * Replaces this detector's learned state with one {@link #snapshot()} returned, possibly in another process. On a
   * state it cannot read (another format version, another detector's, damaged) it throws and leaves the detector as
   * it was; the agent then logs why and keeps the detector cold. The default refuses every state, since the default
   * {@link #snapshot()} never produces one.
   *
   * @throws IllegalArgumentException naming why the state cannot be restored
   */
  default void restore(byte[] state) {
    throw new IllegalArgumentException("detector " + name() + " (" + getClass().getName() + ") does not restore"
        + " snapshots (it does not implement Detector.snapshot/restore); it starts cold");
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
