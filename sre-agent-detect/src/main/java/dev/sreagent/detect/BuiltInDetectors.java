package dev.sreagent.detect;

import dev.sreagent.api.port.Detector;
import java.util.List;

/** The detectors for the built-in incident types, with default thresholds. */
public final class BuiltInDetectors {
  private BuiltInDetectors() {}

  /**
   * New instances of the seven rule detectors (OOM, latency, errors, disk, certificates, CPU saturation, call-edge
   * latency) and of the {@link AlertDetector} for external alerts (detectors hold per-series state: never share them).
   */
  public static List<Detector> create() {
    return List.of(new MemoryPressureDetector(), new LatencyDetector(), new ErrorRateDetector(),
        new DiskExhaustionDetector(), new CertificateExpiryDetector(), new CpuSaturationDetector(),
        new CallEdgeLatencyDetector(), new AlertDetector());
  }
}
