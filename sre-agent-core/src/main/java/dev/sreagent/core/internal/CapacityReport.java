package dev.sreagent.core.internal;

import dev.sreagent.api.port.Detector;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evictions of the agent's bounded per-key state (investigation windows, log sources, learned call edges,
 * detector states), read on the loop thread after each batch so {@code stats()} can be read from any thread; the
 * first eviction of each structure is logged once at INFO (a cap was reached: the telemetry has more distinct keys
 * than the agent keeps, or a burst of one-off keys arrived).
 */
public final class CapacityReport {
  private static final Logger LOG = LoggerFactory.getLogger(CapacityReport.class);

  private volatile long seriesEvicted;
  private volatile long logSourcesEvicted;
  private volatile long edgesEvicted;
  private volatile long detectorStatesEvicted;

  /** Reads the counters (on the loop thread) and logs each structure's first eviction. */
  public void update(SignalWindows windows, long edges, List<Detector> detectors) {
    long series = windows.evictedSeries();
    long logSources = windows.evictedLogSources();
    long states = 0;
    for (Detector d : detectors) {
      try {
        states += d.evictedStates();
      } catch (RuntimeException e) {
        LOG.debug("detector {} failed to report its evictions", d.name(), e);
      }
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
}
