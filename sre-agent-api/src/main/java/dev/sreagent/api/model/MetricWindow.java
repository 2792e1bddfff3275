package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Objects;

/**
 * A summary of one series over a window: what an investigation hands to the reasoner instead of raw samples.
 *
 * @param series the series key
 * @param service the service
 * @param from window start
 * @param to window end
 * @param count samples in the window
 * @param min smallest value
 * @param max largest value
 * @param mean mean value
 * @param last most recent value
 */
public record MetricWindow(String series, String service, Instant from, Instant to, int count, double min,
    double max, double mean, double last) {
  public MetricWindow {
    Require.notBlank(series, "series");
    Require.notBlank(service, "service");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Require.atLeast(count, 0, "count");
  }

  /**
   * Whether this is a caller's series of its calls into {@code callee}: its key ({@link MetricSample#seriesKey()})
   * holds the attribute {@code peer.service=callee} (a key that only ends in {@code peer.service} does not count).
   */
  public boolean callsInto(String callee) {
    String attribute = Attributes.PEER_SERVICE + "=" + callee + ",";
    return series.contains("{" + attribute) || series.contains("," + attribute);
  }
}
