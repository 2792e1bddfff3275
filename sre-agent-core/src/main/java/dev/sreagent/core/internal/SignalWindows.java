package dev.sreagent.core.internal;

import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.MetricWindow;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recent telemetry kept for investigations, bounded everywhere: a ring of the last {@code pointsPerSeries} values per
 * series, at most {@code maxSeries} series (new series beyond that are counted and dropped), the last
 * {@code maxChanges} change events, the last {@code logsPerService} warning/error logs per service.
 */
public final class SignalWindows {
  private final int pointsPerSeries;
  private final int maxSeries;
  private final int maxChanges;
  private final int logsPerService;
  private final Map<String, Ring> series = new HashMap<>();
  private final Map<String, Set<String>> seriesByService = new HashMap<>();
  private final Deque<ChangeEvent> changes = new ArrayDeque<>();
  private final Map<String, Deque<LogRecord>> logs = new HashMap<>();
  private long droppedSeries;

  public SignalWindows(int pointsPerSeries, int maxSeries, int maxChanges, int logsPerService) {
    this.pointsPerSeries = pointsPerSeries;
    this.maxSeries = maxSeries;
    this.maxChanges = maxChanges;
    this.logsPerService = logsPerService;
  }

  /**
   * The last values of one series, compact: floats (investigations summarise, they do not need doubles) and
   * seconds relative to the first sample, 8 bytes per point.
   */
  private static final class Ring {
    final String service;
    final float[] values;
    final int[] seconds;
    final long baseMillis;
    int size;
    int head;

    Ring(String service, int capacity, long baseMillis) {
      this.service = service;
      this.values = new float[capacity];
      this.seconds = new int[capacity];
      this.baseMillis = baseMillis;
    }

    void add(long t, double v) {
      values[head] = (float) v;
      seconds[head] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, (t - baseMillis) / 1000));
      head = (head + 1) % values.length;
      size = Math.min(size + 1, values.length);
    }

    long time(int idx) {
      return baseMillis + seconds[idx] * 1000L;
    }
  }

  public void add(MetricSample s) {
    String key = s.seriesKey();
    Ring ring = series.get(key);
    if (ring == null) {
      if (series.size() >= maxSeries) {
        droppedSeries++;
        return;
      }
      ring = new Ring(s.service(), pointsPerSeries, s.timestamp().toEpochMilli());
      series.put(key, ring);
      seriesByService.computeIfAbsent(s.service(), k -> new LinkedHashSet<>()).add(key);
    }
    ring.add(s.timestamp().toEpochMilli(), s.value());
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
    Deque<LogRecord> q = logs.computeIfAbsent(r.service(), k -> new ArrayDeque<>());
    q.addLast(r);
    while (q.size() > logsPerService) {
      q.removeFirst();
    }
  }

  /** Summaries of every series of {@code service} since {@code from}. */
  public List<MetricWindow> windows(String service, Instant from) {
    List<MetricWindow> out = new ArrayList<>();
    long fromMs = from.toEpochMilli();
    for (String key : seriesByService.getOrDefault(service, Set.of())) {
      Ring r = series.get(key);
      if (r == null || r.size == 0) {
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
        out.add(new MetricWindow(key, r.service, Instant.ofEpochMilli(first), Instant.ofEpochMilli(last), n, min,
            max, sum / n, lastValue));
      }
    }
    return out;
  }

  /** The latest value of every series of {@code metric} belonging to {@code service}. */
  public List<Double> latest(String service, String metric) {
    List<Double> out = new ArrayList<>();
    String prefix = metric + "{";
    for (String key : seriesByService.getOrDefault(service, Set.of())) {
      Ring r = series.get(key);
      if (r != null && r.size > 0 && key.startsWith(prefix)) {
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
    return List.copyOf(logs.getOrDefault(service, new ArrayDeque<>()));
  }

  /** Series refused because {@code maxSeries} was reached. */
  public long droppedSeries() {
    return droppedSeries;
  }
}
