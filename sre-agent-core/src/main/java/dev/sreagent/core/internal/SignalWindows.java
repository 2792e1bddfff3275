package dev.sreagent.core.internal;

import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.MetricWindow;
import dev.sreagent.api.state.BoundedKeyedState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recent telemetry kept for investigations, bounded everywhere: a ring of the last {@code pointsPerSeries} values per
 * series (grown as points arrive, so a series seen once costs little), at most {@code maxSeries} series, the last
 * {@code maxChanges} change events, the last {@code logsPerService} warning/error logs of at most
 * {@code maxLogSources} services. Series and log sources are {@link BoundedKeyedState}s: at the cap a new key takes
 * the place of the idlest key seen only once, so a burst of one-off series or services never displaces the live ones
 * an investigation needs; evictions are counted. A series or log source that received nothing for {@code retention}
 * of the agent's clock ({@link #advanceTo}) is dropped: its points are older than any investigation window.
 */
public final class SignalWindows {
  private static final int INITIAL_POINTS = 4;

  private final int pointsPerSeries;
  private final int maxChanges;
  private final int logsPerService;
  private final long retentionMillis;
  private final BoundedKeyedState<String, Ring> series;
  /** Each service's series in the order they first appeared (the order investigations list them in). */
  private final Map<String, Map<String, Ring>> seriesByService = new HashMap<>();
  private final Deque<ChangeEvent> changes = new ArrayDeque<>();
  private final BoundedKeyedState<String, LogTail> logs;
  /** The agent's time, epoch millis, as of the last {@link #advanceTo}. */
  private long now = Long.MIN_VALUE;

  public SignalWindows(int pointsPerSeries, int maxSeries, int maxChanges, int logsPerService, int maxLogSources,
      Duration retention) {
    this.pointsPerSeries = pointsPerSeries;
    this.maxChanges = maxChanges;
    this.logsPerService = logsPerService;
    this.retentionMillis = retention.toMillis();
    this.series = new BoundedKeyedState<>(maxSeries, this::unindex);
    this.logs = new BoundedKeyedState<>(maxLogSources);
  }

  /**
   * The last values of one series, compact: floats (investigations summarise, they do not need doubles) and
   * seconds relative to the first sample, 8 bytes per point; the arrays grow to the capacity as points arrive.
   */
  private static final class Ring {
    final String service;
    final int capacity;
    float[] values;
    int[] seconds;
    final long baseMillis;
    /** The agent's time when the last point arrived. */
    long touchedMillis;
    int size;
    int head;

    Ring(String service, int capacity, long baseMillis) {
      this.service = service;
      this.capacity = capacity;
      this.values = new float[Math.min(capacity, INITIAL_POINTS)];
      this.seconds = new int[values.length];
      this.baseMillis = baseMillis;
    }

    void add(long t, double v) {
      if (size == values.length && size < capacity) {
        // nothing overwritten yet: the points are in order at 0..size-1 (head wrapped to 0 when the arrays filled)
        values = java.util.Arrays.copyOf(values, Math.min(capacity, 2 * size));
        seconds = java.util.Arrays.copyOf(seconds, values.length);
        head = size;
      }
      values[head] = (float) v;
      seconds[head] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, (t - baseMillis) / 1000));
      head = (head + 1) % values.length;
      size = Math.min(size + 1, values.length);
    }

    long time(int idx) {
      return baseMillis + seconds[idx] * 1000L;
    }
  }

  /** The last warning/error logs of one service. */
  private static final class LogTail {
    final Deque<LogRecord> records = new ArrayDeque<>(4);
    /** The agent's time when the last record arrived. */
    long touchedMillis;
  }

  /**
   * Sets the agent's time for the signals that follow and drops the series and log sources that received nothing
   * for the retention time. Called by the agent before each batch.
   */
  public void advanceTo(Instant agentTime) {
    now = agentTime.toEpochMilli();
    long idleBefore = now - retentionMillis;
    series.expire((key, ring) -> ring.touchedMillis < idleBefore);
    logs.expire((service, tail) -> tail.touchedMillis < idleBefore);
  }

  public void add(MetricSample s) {
    String key = s.seriesKey();
    Ring ring = series.get(key);
    if (ring == null) {
      ring = new Ring(s.service(), pointsPerSeries, s.timestamp().toEpochMilli());
      series.put(key, ring);
      seriesByService.computeIfAbsent(s.service(), k -> new LinkedHashMap<>()).put(key, ring);
    }
    ring.touchedMillis = now;
    ring.add(s.timestamp().toEpochMilli(), s.value());
  }

  /** A series evicted or expired leaves its service's index (and the service with its last series). */
  private void unindex(String key, Ring ring) {
    Map<String, Ring> ofService = seriesByService.get(ring.service);
    if (ofService != null) {
      ofService.remove(key);
      if (ofService.isEmpty()) {
        seriesByService.remove(ring.service);
      }
    }
  }

  public void add(ChangeEvent e) {
    changes.addLast(e);
    while (changes.size() > maxChanges) {
      changes.removeFirst();
    }
  }

  public void add(LogRecord r) {
    String sev = r.severity().toUpperCase(java.util.Locale.ROOT);
    if (!(sev.startsWith("ERR") || sev.startsWith("WARN") || sev.startsWith("FATAL"))) {
      return;
    }
    LogTail tail = logs.computeIfAbsent(r.service(), k -> new LogTail());
    tail.touchedMillis = now;
    Deque<LogRecord> q = tail.records;
    q.addLast(r);
    while (q.size() > logsPerService) {
      q.removeFirst();
    }
  }

  /** Summaries of every series of {@code service} since {@code from}. */
  public List<MetricWindow> windows(String service, Instant from) {
    List<MetricWindow> out = new ArrayList<>();
    long fromMs = from.toEpochMilli();
    for (Map.Entry<String, Ring> e : seriesByService.getOrDefault(service, Map.of()).entrySet()) {
      Ring r = e.getValue();
      if (r.size == 0) {
        continue;
      }
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      double sum = 0;
      int n = 0;
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      double lastValue = Double.NaN;
      for (int i = 0; i < r.size; i++) {
        int idx = (r.head - r.size + i + r.values.length) % r.values.length;
        long t = r.time(idx);
        if (t < fromMs) {
          continue;
        }
        double v = r.values[idx];
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
        n++;
        first = Math.min(first, t);
        if (t >= last) {
          last = t;
          lastValue = v;
        }
      }
      if (n > 0) {
        out.add(new MetricWindow(e.getKey(), r.service, Instant.ofEpochMilli(first), Instant.ofEpochMilli(last), n,
            min, max, sum / n, lastValue));
      }
    }
    return out;
  }

  /** The latest value of every series of {@code metric} belonging to {@code service}. */
  public List<Double> latest(String service, String metric) {
    List<Double> out = new ArrayList<>();
    String prefix = metric + "{";
    for (Map.Entry<String, Ring> e : seriesByService.getOrDefault(service, Map.of()).entrySet()) {
      Ring r = e.getValue();
      if (r.size > 0 && e.getKey().startsWith(prefix)) {
        out.add((double) r.values[(r.head - 1 + r.values.length) % r.values.length]);
      }
    }
    return out;
  }

  /** Change events of {@code services} at or after {@code from}, newest first. */
  public List<ChangeEvent> changes(Set<String> services, Instant from) {
    List<ChangeEvent> out = new ArrayList<>();
    for (ChangeEvent e : changes) {
      if (services.contains(e.service()) && !e.timestamp().isBefore(from)) {
        out.add(0, e);
      }
    }
    return out;
  }

  /** The last warning/error log lines of {@code service}. */
  public List<LogRecord> logs(String service) {
    LogTail tail = logs.get(service);
    return tail == null ? List.of() : List.copyOf(tail.records);
  }

  /** Series held now. */
  public int trackedSeries() {
    return series.size();
  }

  /** Series dropped to make room for new ones because {@code maxSeries} were held. */
  public long evictedSeries() {
    return series.evictions();
  }

  /** Series dropped after {@code retention} without a point. */
  public long expiredSeries() {
    return series.expirations();
  }

  /** Services whose logs are held now. */
  public int trackedLogSources() {
    return logs.size();
  }

  /** Services whose logs were dropped to make room for others because {@code maxLogSources} were held. */
  public long evictedLogSources() {
    return logs.evictions();
  }
}
