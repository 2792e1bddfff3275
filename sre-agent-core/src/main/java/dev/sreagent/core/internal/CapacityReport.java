package dev.sreagent.core.internal;

import dev.sreagent.api.port.Detector;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evictions of the agent's bounded per-key state (investigation windows, log sources, learned call edges,
 * detector states) and the samples the detectors could not read, read on the loop thread after each batch so
 * {@code stats()} can be read from any thread; the
 * first eviction of each structure is logged once at INFO (a cap was reached: the telemetry has more distinct keys
 * than the agent keeps, or a burst of one-off keys arrived).
 */
public final class CapacityReport {
  private static final Logger LOG = LoggerFactory.getLogger(CapacityReport.class);

  private volatile long seriesEvicted;
  private volatile long logSourcesEvicted;
  private volatile long edgesEvicted;
  private volatile long detectorStatesEvicted;
  /** By detector name (every detector, 0 included), rebuilt on the loop thread when a count moved. */
  private volatile java.util.Map<String, Long> rejectedByDetector = java.util.Map.of();
  /** Per detector (by identity), its rejected samples when last read: a log line at 1, 10, 100, ... of each. */
  private final java.util.Map<Detector, Long> rejectedBefore = new java.util.IdentityHashMap<>();

  /** Reads the counters (on the loop thread) and logs each structure's first eviction. */
  public void update(SignalWindows windows, long edges, List<Detector> detectors) {
    long series = windows.evictedSeries();
    long logSources = windows.evictedLogSources();
    long states = 0;
    boolean moved = rejectedByDetector.isEmpty() && !detectors.isEmpty();  // the first read lists every detector
    for (Detector d : detectors) {
      try {
        states += d.evictedStates();
        moved |= rejections(d);
      } catch (RuntimeException e) {
        LOG.debug("detector {} failed to report its evictions or rejections", d.name(), e);
      }
    }
    if (moved) {
      java.util.Map<String, Long> byName = new java.util.TreeMap<>();
      detectors.forEach(d -> byName.merge(d.name(), rejectedBefore.getOrDefault(d, 0L), Long::sum));
      rejectedByDetector = java.util.Collections.unmodifiableMap(byName);
    }
    firstEviction(seriesEvicted, series, "investigation windows: the series cap was reached; the idlest series seen"
        + " only once make way for new ones (stats().seriesEvicted())");
    firstEviction(logSourcesEvicted, logSources, "error logs: the cap on services with logs was reached; the idlest"
        + " services seen only once make way for new ones (stats().logSourcesEvicted())");
    firstEviction(edgesEvicted, edges, "call graph: the edge cap was reached; the idlest edges called only once make"
        + " way for new ones (stats().edgesEvicted())");
    firstEviction(detectorStatesEvicted, states, "detectors: a detector reached its cap on resources; the idlest"
        + " resources seen only once make way for new ones (stats().detectorStatesEvicted())");
    seriesEvicted = series;
    logSourcesEvicted = logSources;
    edgesEvicted = edges;
    detectorStatesEvicted = states;
  }

  /**
   * A detector's rejected samples; logged at INFO with the last one when the count reaches 1, 10, 100, ... (a series
   * whose exporter sends only junk is silent: the log says which and why, in a number of lines that grows with the
   * logarithm of the junk).
   */
  private boolean rejections(Detector d) {
    long now = d.rejectedSamples();
    long before = rejectedBefore.getOrDefault(d, 0L);
    if (now != before) {
      rejectedBefore.put(d, now);
      long decade = 1;
      while (decade <= now / 10) {
        decade *= 10;
      }
      if (before < decade && now > before) {
        LOG.info("detector {} ignored {} sample{} it cannot read so far (next report at {}); the last: {}", d.name(),
            now, now == 1 ? "" : "s", decade * 10, d.lastRejection().orElse("not described"));
      }
      return true;
    }
    return false;
  }

  private static void firstEviction(long before, long now, String what) {
    if (before == 0 && now > 0) {
      LOG.info("{}; {} evicted so far, further evictions are counted only", what, now);
    }
  }

  public long seriesEvicted() {
    return seriesEvicted;
  }

  public long logSourcesEvicted() {
    return logSourcesEvicted;
  }

  public long edgesEvicted() {
    return edgesEvicted;
  }

  public long detectorStatesEvicted() {
    return detectorStatesEvicted;
  }

  public java.util.Map<String, Long> rejectedSamplesByDetector() {
    return rejectedByDetector;
  }
}
