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
  private final Map<String, ServiceSeries> seriesByService = new HashMap<>();
  /** The series that name a callee ({@code peer.service}): the call edges of {@link #callEdges()}. */
  private final List<Ring> edgeRings = new java.util.ArrayList<>();
  private int edgeRingsDropped;
  /** {@link #callEdges()} as last computed; null once an edge series came or went. */
  private @org.jspecify.annotations.Nullable Set<dev.sreagent.api.model.Topology.Dependency> callEdges;
  /** Call edges named at most (a burst of junk peers must not make every topology a huge one). */
  public static final int MAX_CALL_EDGES = 50_000;
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
   * The last values of one series, compact: a float (investigations summarise, they do not need doubles) and the
   * seconds since the first sample packed into one long per point, in one array that grows to the capacity as points
   * arrive.
   */
  private static final class Ring {
    private static final long[] NO_POINTS = new long[0];
    String key;
    final String service;
    /** The called service of a call edge's series ({@code peer.service}), or "". */
    final String peer;
    long[] points;
    final long baseMillis;
    /** The agent's time when the last point arrived, in seconds since {@code baseMillis}. */
    int touchedSeconds;
    int size;
    int head;
    /** Evicted or expired: skipped, its points released, removed from its service's list when that is compacted. */
    boolean dropped;

    Ring(String key, String service, String peer, long baseMillis, int capacity) {
      this.key = key;
      this.service = service;
      this.peer = peer;
      this.points = new long[Math.min(capacity, INITIAL_POINTS)];
      this.baseMillis = baseMillis;
    }

    void add(long t, double v, int capacity) {
      if (size == points.length && size < capacity) {
        // nothing overwritten yet: the points are in order at 0..size-1 (head wrapped to 0 when the array filled)
        points = java.util.Arrays.copyOf(points, Math.min(capacity, 2 * size));
        head = size;
      }
      points[head] = ((long) seconds(t) << 32) | (Float.floatToRawIntBits((float) v) & 0xFFFF_FFFFL);
      head = (head + 1) % points.length;
      size = Math.min(size + 1, points.length);
    }

    int seconds(long millis) {
      return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, (millis - baseMillis) / 1000));
    }

    long time(int idx) {
      return baseMillis + (points[idx] >> 32) * 1000L;
    }

    float value(int idx) {
      return Float.intBitsToFloat((int) points[idx]);
    }

    long touchedMillis() {
      return baseMillis + touchedSeconds * 1000L;
    }
  }

  /**
   * A service's series in first-seen order; dropped ones (48 bytes each once released) are removed once they are half
   * of the list.
   */
  private static final class ServiceSeries {
    final List<Ring> rings = new ArrayList<>(4);
    int dropped;
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
    series.expire((key, ring) -> ring.touchedMillis() < idleBefore);
    logs.expire((service, tail) -> tail.touchedMillis < idleBefore);
  }

  public void add(MetricSample s) {
    String key = s.seriesKey();
    long t = s.timestamp().toEpochMilli();
    Ring ring = series.get(key);
    if (ring == null) {
      ring = new Ring(key, s.service(), s.attributes().getOrDefault(
          dev.sreagent.api.model.Attributes.PEER_SERVICE, ""), t, pointsPerSeries);
      series.put(key, ring);
      if (namesCall(ring)) {
        edgeRings.add(ring);
        callEdges = null;
      }
      seriesByService.computeIfAbsent(s.service(), k -> new ServiceSeries()).rings.add(ring);
    }
    ring.touchedSeconds = ring.seconds(now == Long.MIN_VALUE ? t : now);
    ring.add(t, s.value(), pointsPerSeries);
  }

  /** Whether a series names a call: a callee, and a caller not blank (a blank name is no service to depend on). */
  private static boolean namesCall(Ring ring) {
    return !ring.peer.isBlank() && !ring.service.isBlank();
  }

  /** A series evicted or expired leaves its service's list (and the service with its last series). */
  private void unindex(String key, Ring ring) {
    ring.dropped = true;
    ring.points = Ring.NO_POINTS;
    ring.key = "";
    if (namesCall(ring)) {
      callEdges = null;
      if (2 * ++edgeRingsDropped > edgeRings.size()) {
        edgeRings.removeIf(r -> r.dropped);
        edgeRingsDropped = 0;
      }
    }
    ServiceSeries ofService = seriesByService.get(ring.service);
    if (ofService != null && 2 * ++ofService.dropped > ofService.rings.size()) {
      ofService.rings.removeIf(r -> r.dropped);
      ofService.dropped = 0;
      if (ofService.rings.isEmpty()) {
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
    tail.touchedMillis = now == Long.MIN_VALUE ? r.timestamp().toEpochMilli() : now;
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
    for (Ring r : ringsOf(service)) {
      if (r.dropped || r.size == 0) {
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
        int idx = (r.head - r.size + i + r.points.length) % r.points.length;
        long t = r.time(idx);
        if (t < fromMs) {
          continue;
        }
        double v = r.value(idx);
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
        out.add(new MetricWindow(r.key, r.service, Instant.ofEpochMilli(first), Instant.ofEpochMilli(last), n,
            min, max, sum / n, lastValue));
      }
    }
    return out;
  }

  /** The latest value of every series of {@code metric} belonging to {@code service}. */
  public List<Double> latest(String service, String metric) {
    List<Double> out = new ArrayList<>();
    String prefix = metric + "{";
    for (Ring r : ringsOf(service)) {
      if (!r.dropped && r.size > 0 && r.key.startsWith(prefix)) {
        out.add((double) r.value((r.head - 1 + r.points.length) % r.points.length));
      }
    }
    return out;
  }

  /**
   * The points of each series of {@code metric} belonging to {@code service}, oldest first, one per second (a later
   * point at the same second replaces the earlier): what a root-cause ranking compares with the series' own past.
   */
  public List<dev.sreagent.api.port.RootCauseRanking.Points> points(String service, String metric) {
    List<dev.sreagent.api.port.RootCauseRanking.Points> out = new ArrayList<>();
    String prefix = metric + "{";
    for (Ring r : ringsOf(service)) {
      if (r.dropped || r.size == 0 || !r.key.startsWith(prefix)) {
        continue;
      }
      java.util.TreeMap<Long, Double> byTime = new java.util.TreeMap<>();
      for (int i = 0; i < r.size; i++) {
        int idx = (r.head - r.size + i + r.points.length) % r.points.length;
        byTime.put(r.time(idx), (double) r.value(idx));
      }
      long[] t = new long[byTime.size()];
      double[] v = new double[byTime.size()];
      int i = 0;
      for (Map.Entry<Long, Double> e : byTime.entrySet()) {
        t[i] = e.getKey();
        v[i++] = e.getValue();
      }
      out.add(new dev.sreagent.api.port.RootCauseRanking.Points(t, v, r.peer));
    }
    return out;
  }

  /**
   * The calls named by the series held: {@code caller -> callee} of every series with a {@code peer.service} (the
   * call-edge latency samples), the callee stripped, a call of a service to itself left out; at most
   * {@link #MAX_CALL_EDGES}, the first series first. Recomputed only when an edge series came or went.
   */
  public Set<dev.sreagent.api.model.Topology.Dependency> callEdges() {
    Set<dev.sreagent.api.model.Topology.Dependency> known = callEdges;
    if (known != null) {
      return known;
    }
    Set<dev.sreagent.api.model.Topology.Dependency> out = new java.util.HashSet<>();
    for (Ring r : edgeRings) {
      String callee = r.peer.strip();
      if (out.size() >= MAX_CALL_EDGES) {
        break;
      }
      if (!r.dropped && !callee.equals(r.service)) {
        out.add(new dev.sreagent.api.model.Topology.Dependency(r.service, callee));
      }
    }
    callEdges = java.util.Collections.unmodifiableSet(out);
    return callEdges;
  }

  /** The services that have at least one series held. */
  public Set<String> services() {
    return Set.copyOf(seriesByService.keySet());
  }

  private List<Ring> ringsOf(String service) {
    ServiceSeries s = seriesByService.get(service);
    return s == null ? List.of() : s.rings;
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
    LogTail tail = logs.peek(service);
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
