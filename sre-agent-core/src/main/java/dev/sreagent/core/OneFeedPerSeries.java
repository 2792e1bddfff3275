package dev.sreagent.core;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.TelemetrySink;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink behind a {@link MetricMapping} (see {@link MetricMapping#wrap(TelemetrySink)}): each series of a mapped kind
 * (a signal of one service, pod and callee) is fed by the first metric that arrives for it; a sample of another
 * metric for the same series is refused, counted and logged once.
 */
final class OneFeedPerSeries implements TelemetrySink {
  private static final Logger LOG = LoggerFactory.getLogger(OneFeedPerSeries.class);
  /** How many series' first feeding metric is remembered (beyond it new series are not checked). */
  static final int MAX_TRACKED_SERIES = 100_000;

  private final MetricMapping mapping;
  private final TelemetrySink sink;
  private final AtomicLong conflicting;
  private final Set<String> kinds = new HashSet<>();
  private final Map<String, String> firstFeed = new ConcurrentHashMap<>();

  OneFeedPerSeries(MetricMapping mapping, TelemetrySink sink, AtomicLong conflicting) {
    this.mapping = mapping;
    this.sink = sink;
    this.conflicting = conflicting;
    mapping.rules().values().forEach(r -> kinds.add(r.kind().metric()));
  }

  @Override
  public boolean accept(Signal signal) {
    Signal out = mapping.apply(signal);
    if (out instanceof MetricSample m && kinds.contains(m.name()) && signal instanceof MetricSample in) {
      Map<String, String> a = m.attributes();
      String series = m.name() + '\u0000' + a.getOrDefault(Attributes.SERVICE_NAME, "") + '\u0000'
          + a.getOrDefault(Attributes.K8S_POD_NAME, "") + '\u0000' + a.getOrDefault(Attributes.PEER_SERVICE, "");
      String first = firstFeed.size() < MAX_TRACKED_SERIES ? firstFeed.putIfAbsent(series, in.name())
          : firstFeed.get(series);
      if (first != null && !first.equals(in.name())) {
        if (conflicting.getAndIncrement() == 0) {
          LOG.warn("{} of service {} arrives as both {} and {}: the first feeds the series, the other is refused"
              + " (counted as conflictingSamples; map only one of them, or give them different kinds)", m.name(),
              a.getOrDefault(Attributes.SERVICE_NAME, "?"), first, in.name());
        }
        return true; // taken on purpose: a sender must not retry it
      }
    }
    return sink.accept(out);
  }
}
