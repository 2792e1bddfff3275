package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.FaultClass;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Ranks the services that may be where an incident starts, from their signals around the onset and the call graph.
 * Pure: no clock, no I/O, the same answer for the same input.
 *
 * <p><b>Score.</b> Each series is compared with its own recent past (BARO-style): the last
 * {@link Settings#baselinePoints()} samples that end before the onset give a median and a spread (the interquartile
 * range / 1.349, at least {@link Settings#relativeFloor()} × |median| and a unit floor per signal: 10 ms of latency,
 * a tenth of a point of error ratio, one point of utilisation), and the series' score is the largest robust z of the first
 * {@link Settings#windowPoints()} samples from the onset on (upward for latency, errors and utilisation, either way
 * for a rate). A service's score is the largest of its series' scores. A sample stands for the interval up to the
 * next one, but never longer than the data's pace ({@link #pace}: the median over the series of their shortest gap),
 * so a sparse series' sample shortly before the onset is baseline, not a symptom; the window still reaches
 * {@link Settings#windowPoints()} of the series' own shortest gaps past the onset (a minute series among 15-second
 * ones keeps its three minutes).
 *
 * <p><b>Graph.</b> A service is anomalous when its score reaches {@link Settings#threshold()}. Failures travel
 * against the calls (a caller feels what its callee suffers), so the list puts first the anomalous services none of
 * whose transitive callees is anomalous (where a cascade starts) or whose own CPU or memory is anomalous (a saturated
 * resource is a cause where it is: a callee's slowness does not saturate its caller's CPU or memory), then the other
 * anomalous services, then the rest;
 * by score within each group, then by name. When the services where the symptom was seen are known (an alert's
 * service, an SLO's target: the {@code entries} of {@link #rank(List, Instant, Topology, Set, Set)}), the starts a
 * chain of anomalous services links to an entry come before the starts nothing links to the symptom.
 *
 * <p><b>Call edges.</b> A delay on the network shows at the caller: its client-side latency to the callee rises while
 * the callee serves as fast as ever. A call edge's client-side series ({@link #EDGE_SIGNALS} with a {@link Series#peer()},
 * the OpenTelemetry {@code http.client.request.duration} / {@code rpc.client.duration} seen from the caller with the
 * callee as {@code peer.service}) is never its caller's own score; when it reaches the threshold and the callee's own
 * server latency ({@link MetricNames#LATENCY_P99}) does not, it is the callee's score (its evidence names the caller),
 * so the callee, not its waiting caller, leads ({@link Edges}; counted for a slow incident or an unknown symptom).
 *
 * <p><b>Fault class.</b> Each candidate names the {@link FaultClass} its own signals point at (see
 * {@link #faultClass}), with the same threshold: a call edge's evidence, CPU or memory, traffic up
 * ({@link #CLASS_SIGNALS}), errors, latency.
 *
 * <p><b>Symptom.</b> When the incident's symptom is known (slow: latency; failing: errors), the other symptoms do not
 * decide which services are anomalous nor their order (as in the traversal of the PetShop dataset: a slow incident
 * follows latency, not errors); the saturation of a resource ({@link #CAUSE_SIGNALS}: CPU, memory) always counts, as a
 * cause of either symptom. With no symptom, every scored signal counts.
 *
 * <p>The defaults were chosen by leave-one-system-out cross-validation on Online Boutique, Train Ticket and PetShop
 * ({@code bench rca}; see the README).
 */
public final class RootCauseRanker {
  /** The signals scored by default: the per-service symptoms and resources the built-in detectors read. */
  public static final Set<String> DEFAULT_SIGNALS = Set.of(MetricNames.LATENCY_P99, MetricNames.ERROR_RATIO,
      MetricNames.CPU_UTILIZATION, MetricNames.MEMORY_UTILIZATION, MetricNames.CLIENT_LATENCY_P50,
      MetricNames.CLIENT_LATENCY_P99);

  /**
   * Signals always scored to name a candidate's {@link FaultClass}, and a service's score only when the settings name
   * them (traffic: a surge is a cause, not where a cascade starts).
   */
  public static final Set<String> CLASS_SIGNALS = Set.of(MetricNames.REQUEST_RATE);

  /**
   * Client-side latency of call edges: never a service's own score (a caller waits for what it calls); evidence
   * against the callee when the edge slows down and the callee's own server latency does not (see {@link Edges}).
   */
  public static final Set<String> EDGE_SIGNALS = Set.of(MetricNames.CLIENT_LATENCY_P50,
      MetricNames.CLIENT_LATENCY_P99);

  /**
   * Which client-side latency series point at a callee.
   *
   * <ul>
   *   <li>{@code NONE}: none (client latency is ignored);
   *   <li>{@code PEERED}: a call edge's series (with a {@code peer.service}) points at its callee;
   *   <li>{@code PEERED_AND_POD}: also a caller's client latency without a peer, at each of the caller's callees in
   *       the call graph whose own server latency did not move (only for callers without an edge series).
   * </ul>
   */
  public enum Edges { NONE, PEERED, PEERED_AND_POD }

  /** Signals that count whatever the symptom: a saturated resource causes slowness and errors alike. */
  public static final Set<String> CAUSE_SIGNALS = Set.of(MetricNames.CPU_UTILIZATION, MetricNames.MEMORY_UTILIZATION);

  /**
   * How the ranker scores.
   *
   * @param baselinePoints how many samples before the onset form a series' baseline (at least 3 are needed to score)
   * @param windowPoints how many samples from the onset on are scored
   * @param threshold the robust z from which a service counts as anomalous for the graph rule
   * @param relativeFloor the smallest spread as a share of the baseline's median (0 for none)
   * @param signals the signals scored; others are ignored
   * @param edges which client-side latency series count as evidence against a callee
   */
  public record Settings(int baselinePoints, int windowPoints, double threshold, double relativeFloor,
      Set<String> signals, Edges edges) {
    /** The cross-validated defaults. */
    public static final Settings DEFAULTS = new Settings(30, 3, 10.0, 0.0, DEFAULT_SIGNALS, Edges.PEERED);

    /** Edge series of a call edge count ({@link Edges#PEERED}). */
    public Settings(int baselinePoints, int windowPoints, double threshold, double relativeFloor,
        Set<String> signals) {
      this(baselinePoints, windowPoints, threshold, relativeFloor, signals, Edges.PEERED);
    }

    public Settings {
      Require.atLeast(baselinePoints, 3, "baselinePoints");
      Require.positive(windowPoints, "windowPoints");
      Require.positive(Require.finite(threshold, "threshold"), "threshold");
      Require.within(relativeFloor, 0.0, 1.0, "relativeFloor");
      signals = Set.copyOf(Objects.requireNonNull(signals, "signals"));
      Objects.requireNonNull(edges, "edges");
      if (signals.isEmpty()) {
        throw new IllegalArgumentException("signals must name at least one signal to score, but was []");
      }
    }

    /** Copy with another threshold. */
    public Settings withThreshold(double t) {
      return new Settings(baselinePoints, windowPoints, t, relativeFloor, signals, edges);
    }

    /** Copy with another relative floor. */
    public Settings withRelativeFloor(double f) {
      return new Settings(baselinePoints, windowPoints, threshold, f, signals, edges);
    }

    /** Copy with another edge rule. */
    public Settings withEdges(Edges e) {
      return new Settings(baselinePoints, windowPoints, threshold, relativeFloor, signals, e);
    }
  }

  /**
   * One series of one service, in time order.
   *
   * @param service the service it belongs to
   * @param signal the signal (metric name)
   * @param epochMillis the sample times, strictly increasing
   * @param values the values, as many as times; NaN for a missing sample
   * @param peer the called service when this is a call edge's client-side series ({@code service} calls
   *     {@code peer}), or {@code ""}
   */
  public record Series(String service, String signal, long[] epochMillis, double[] values, String peer) {
    /** A series of the service alone. */
    public Series(String service, String signal, long[] epochMillis, double[] values) {
      this(service, signal, epochMillis, values, "");
    }

    public Series {
      Require.notBlank(service, "service");
      Objects.requireNonNull(peer, "peer");
      Require.notBlank(signal, "signal");
      epochMillis = Objects.requireNonNull(epochMillis, "epochMillis").clone();
      values = Objects.requireNonNull(values, "values").clone();
      if (epochMillis.length != values.length) {
        throw new IllegalArgumentException("values must have one value per time (" + epochMillis.length
            + " times), but had " + values.length + " for " + service + "/" + signal);
      }
      for (int i = 1; i < epochMillis.length; i++) {
        if (epochMillis[i] <= epochMillis[i - 1]) {
          throw new IllegalArgumentException("epochMillis must be strictly increasing, but " + epochMillis[i]
              + " follows " + epochMillis[i - 1] + " in " + service + "/" + signal + "; sort the samples by time");
        }
      }
    }

    @Override
    public long[] epochMillis() {
      return epochMillis.clone();
    }

    @Override
    public double[] values() {
      return values.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Series s && service.equals(s.service) && signal.equals(s.signal) && peer.equals(s.peer)
          && Arrays.equals(epochMillis, s.epochMillis) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
      return Objects.hash(service, signal, peer, Arrays.hashCode(epochMillis), Arrays.hashCode(values));
    }

    @Override
    public String toString() {
      return "Series[" + service + (peer.isEmpty() ? "" : "->" + peer) + "/" + signal + ", " + values.length + " points]";
    }
  }

  /**
   * One series' score: the robust z and what it compares; {@code caller} names the caller when the score is a call
   * edge's evidence against its callee ("" otherwise).
   */
  record Scored(String signal, double z, double value, double median, String caller) {
    Scored(String signal, double z, double value, double median) {
      this(signal, z, value, median, "");
    }
  }

  private final Settings settings;

  /** With the cross-validated defaults. */
  public RootCauseRanker() {
    this(Settings.DEFAULTS);
  }

  public RootCauseRanker(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public Settings settings() {
    return settings;
  }

  /**
   * The ranked candidates, most likely first: every service with at least one scored series.
   *
   * @param series the services' series around the onset (any order; series of unscored signals are ignored)
   * @param onset when the incident began (an alert's time, or its first anomaly's start)
   * @param topology the call graph ({@link Topology#empty()} when unknown: then the order is by score alone)
   * @param symptoms the signals of the incident's symptom, or empty when it is not known (resource signals count
   *     either way)
   * @return the ranked list; empty when no series could be scored
   */
  public List<RootCandidate> rank(List<Series> series, Instant onset, Topology topology, Set<String> symptoms) {
    return rank(series, onset, topology, symptoms, Set.of());
  }

  /**
   * The ranked candidates when the services where the symptom was observed are known (an alert's service, an SLO's
   * target): among the anomalous services with no anomalous callee, those the symptom can have travelled from (a
   * chain of anomalous services leads from an entry to them along the calls, or they are an entry) come first.
   *
   * @param entries the services where the symptom was observed; empty when not known (then as {@link #rank(List,
   *     Instant, Topology, Set)})
   */
  public List<RootCandidate> rank(List<Series> series, Instant onset, Topology topology, Set<String> symptoms,
      Set<String> entries) {
    return ranked(series, onset, topology, symptoms, entries).stream().map(Ranked::candidate).toList();
  }

  /**
   * The ranked list for an incident whose correlator already named {@code root}: {@code root} first where the ranking
   * agrees that it is a plausible start (anomalous, with no anomalous callee) or cannot tell (no series of it to
   * score); otherwise the ranking's own order, the root among the others, so that the list shows where the evidence
   * points.
   *
   * @param root the correlator's root service
   * @param rootSignal the signal of the root's anomaly, named when the root has no series to score
   * @param series as for {@link #rank}
   * @param onset as for {@link #rank}
   * @param topology as for {@link #rank}
   * @param symptoms as for {@link #rank}
   * @return the ranked list, never empty (it holds at least the root)
   */
  public List<RootCandidate> rankFor(String root, String rootSignal, List<Series> series, Instant onset,
      Topology topology, Set<String> symptoms) {
    return rankFor(root, rootSignal, series, onset, topology, symptoms, Set.of());
  }

  /**
   * As {@link #rankFor(String, String, List, Instant, Topology, Set)}, with the services where the symptom was seen
   * (an alert's service): the root leads only where it is a start linked to one of them (see
   * {@link #rank(List, Instant, Topology, Set, Set)}), or cannot be scored.
   *
   * @param entries the services where the symptom was seen; empty when not known
   */
  public List<RootCandidate> rankFor(String root, String rootSignal, List<Series> series, Instant onset,
      Topology topology, Set<String> symptoms, Set<String> entries) {
    Require.notBlank(root, "root");
    Require.notBlank(rootSignal, "rootSignal");
    List<Ranked> ranked = ranked(series, onset, topology, symptoms, entries);
    List<RootCandidate> out = new ArrayList<>(ranked.size() + 1);
    Ranked r = ranked.stream().filter(x -> x.candidate().service().equals(root)).findFirst().orElse(null);
    if (r == null) {
      out.add(new RootCandidate(root, rootSignal, 0, "the correlator's root (affected, no affected dependency);"
          + " no series of it to score"));
    } else if (r.tier() == 0) {
      out.add(r.candidate());
    }
    for (Ranked x : ranked) {
      if (!x.candidate().service().equals(root) || (r != null && r.tier() != 0)) {
        out.add(x.candidate());
      }
    }
    return List.copyOf(out);
  }

  /**
   * A candidate and its group: 0 anomalous without an anomalous callee (and, when entries are known, reached from one
   * through anomalous services), 1 the same not reached from an entry, 2 other anomalous, 3 the rest.
   */
  private record Ranked(RootCandidate candidate, int tier) {}

  private List<Ranked> ranked(List<Series> series, Instant onset, Topology topology, Set<String> symptoms,
      Set<String> entries) {
    Objects.requireNonNull(entries, "entries");
    Objects.requireNonNull(series, "series");
    Objects.requireNonNull(topology, "topology");
    Objects.requireNonNull(symptoms, "symptoms");
    long at = Objects.requireNonNull(onset, "onset").toEpochMilli();
    Map<String, Scored> best = new TreeMap<>();
    Map<String, Scored> bestSymptom = new HashMap<>();
    List<Series> edgeSeries = new ArrayList<>();
    Map<String, Double> serverZ = new HashMap<>();
    Map<String, Map<String, Scored>> bySignal = new HashMap<>();
    long pace = pace(series);
    for (Series s : series) {
      boolean classOnly = !settings.signals().contains(s.signal()) && CLASS_SIGNALS.contains(s.signal());
      if (!settings.signals().contains(s.signal()) && !classOnly) {
        continue;
      }
      if (EDGE_SIGNALS.contains(s.signal()) || !s.peer().isEmpty()) {
        edgeSeries.add(s);
        continue;
      }
      Scored sc = score(s, at, pace);
      if (sc == null) {
        continue;
      }
      bySignal.computeIfAbsent(s.service(), k -> new HashMap<>()).merge(s.signal(), sc, RootCauseRanker::stronger);
      if (classOnly) {
        continue;
      }
      best.merge(s.service(), sc, RootCauseRanker::stronger);
      if (s.signal().equals(MetricNames.LATENCY_P99)) {
        serverZ.merge(s.service(), sc.z(), Math::max);
      }
      if (symptoms.contains(s.signal()) || CAUSE_SIGNALS.contains(s.signal())) {
        bestSymptom.merge(s.service(), sc, RootCauseRanker::stronger);
      }
    }
    Map<String, Scored> deciding = new LinkedHashMap<>();
    for (String service : best.keySet()) {
      Scored d = symptoms.isEmpty() ? best.get(service) : bestSymptom.get(service);
      deciding.put(service, d != null ? d : new Scored(best.get(service).signal(), 0, Double.NaN, Double.NaN));
    }
    if (symptoms.isEmpty() || symptoms.contains(MetricNames.LATENCY_P99)) {
      edgeEvidence(edgeSeries, at, pace, topology, serverZ).forEach((callee, e) -> deciding.merge(callee, e,
          RootCauseRanker::stronger));
    }
    Set<String> anomalous = new HashSet<>();
    deciding.forEach((service, d) -> {
      if (d.z() >= settings.threshold()) {
        anomalous.add(service);
      }
    });
    Map<String, Set<String>> callees = new HashMap<>();
    for (Topology.Dependency d : topology.dependencies()) {
      callees.computeIfAbsent(d.from(), k -> new HashSet<>()).add(d.to());
    }
    Set<String> reached = entries.isEmpty() ? anomalous : reachedFrom(entries, anomalous, callees);
    Set<String> calling = callingAnomalous(anomalous, callees);
    // a saturated resource is a cause where it is: a callee's slowness does not saturate its caller's CPU or memory
    Set<String> saturatedCallers = new HashSet<>();
    for (String service : calling) {
      Map<String, Scored> own = bySignal.getOrDefault(service, Map.of());
      if (CAUSE_SIGNALS.stream().anyMatch(signal -> z(own, signal) >= settings.threshold())) {
        saturatedCallers.add(service);
      }
    }
    calling.removeAll(saturatedCallers);
    Map<String, Integer> tier = new HashMap<>();
    for (String service : deciding.keySet()) {
      tier.put(service, !anomalous.contains(service) ? 3
          : calling.contains(service) ? 2 : reached.contains(service) ? 0 : 1);
    }
    List<String> order = new ArrayList<>(deciding.keySet());
    order.sort(Comparator.comparingInt((String s) -> tier.get(s))
        .thenComparing((String s) -> -deciding.get(s).z())
        .thenComparing(Comparator.naturalOrder()));
    List<Ranked> out = new ArrayList<>(order.size());
    for (String service : order) {
      Scored d = deciding.get(service);
      int g = tier.get(service);
      out.add(new Ranked(new RootCandidate(service, d.signal(), d.z(), evidence(d, g, symptoms,
          saturatedCallers.contains(service)),
          faultClass(d, bySignal.getOrDefault(service, Map.of()), symptoms)), g));
    }
    return out;
  }

  /**
   * The call edges' evidence against their callees: an edge whose client-side latency reached the threshold while the
   * callee's own server latency ({@link MetricNames#LATENCY_P99}) stayed below it (or is not known) points at the
   * callee (a network delay on the edge or at the callee's pod shows at the caller only). A callee keeps its strongest
   * edge.
   */
  private Map<String, Scored> edgeEvidence(List<Series> edgeSeries, long at, long pace, Topology topology,
      Map<String, Double> serverZ) {
    Map<String, Scored> out = new TreeMap<>();
    if (settings.edges() == Edges.NONE || edgeSeries.isEmpty()) {
      return out;
    }
    Set<String> peered = new HashSet<>();
    edgeSeries.forEach(s -> {
      if (!s.peer().isEmpty()) {
        peered.add(s.service());
      }
    });
    for (Series s : edgeSeries) {
      List<String> callees;
      if (!s.peer().isEmpty()) {
        callees = List.of(s.peer());
      } else if (settings.edges() == Edges.PEERED_AND_POD && !peered.contains(s.service())) {
        callees = new ArrayList<>(new java.util.TreeSet<>(topology.dependenciesOf(s.service())));
      } else {
        continue;
      }
      Scored sc = score(s, at, pace);
      if (sc == null || sc.z() < settings.threshold()) {
        continue;
      }
      List<String> quiet = callees.stream().filter(callee -> !callee.equals(s.service())
          && serverZ.getOrDefault(callee, 0.0) < settings.threshold()).toList();
      // a caller's latency to all its callees together: its evidence is shared by the callees that could explain it
      double z = s.peer().isEmpty() ? sc.z() / Math.max(1, quiet.size()) : sc.z();
      for (String callee : quiet) {
        out.merge(callee, new Scored(sc.signal(), z, sc.value(), sc.median(), s.service()),
            RootCauseRanker::stronger);
      }
    }
    return out;
  }

  /**
   * The fault class of a candidate from its signals, each counted when it reaches the threshold: a call edge's
   * evidence is a network delay; else the stronger of CPU and memory a saturation of that resource; else traffic up
   * an overload; else errors (when the symptom is not known to be slowness) a code error; else latency (when the
   * symptom is not known to be errors) a slowdown of its own.
   */
  FaultClass faultClass(Scored deciding, Map<String, Scored> signals, Set<String> symptoms) {
    if (!deciding.caller().isEmpty()) {
      return FaultClass.NETWORK_DELAY;
    }
    double t = settings.threshold();
    double cpu = z(signals, MetricNames.CPU_UTILIZATION);
    double memory = z(signals, MetricNames.MEMORY_UTILIZATION);
    if (Math.max(cpu, memory) >= t) {
      return cpu >= memory ? FaultClass.CPU_SATURATION : FaultClass.MEMORY;
    }
    Scored rate = signals.get(MetricNames.REQUEST_RATE);
    if (rate != null && rate.z() >= t && rate.value() > rate.median()) {
      return FaultClass.OVERLOAD;
    }
    if ((symptoms.isEmpty() || symptoms.contains(MetricNames.ERROR_RATIO))
        && z(signals, MetricNames.ERROR_RATIO) >= t) {
      return FaultClass.CODE_ERROR;
    }
    if ((symptoms.isEmpty() || symptoms.contains(MetricNames.LATENCY_P99))
        && z(signals, MetricNames.LATENCY_P99) >= t) {
      return FaultClass.LATENCY;
    }
    return FaultClass.UNKNOWN;
  }

  private static double z(Map<String, Scored> signals, String signal) {
    Scored s = signals.get(signal);
    return s == null ? 0 : s.z();
  }

  /** The stronger of two scores of one service; on a tie the signal first by name (the input's order never counts). */
  private static Scored stronger(Scored a, Scored b) {
    return b.z() > a.z() || (b.z() == a.z() && b.signal().compareTo(a.signal()) < 0) ? b : a;
  }

  /**
   * The data's pace: the median over the series of at least four samples of each one's shortest gap between samples
   * (Long.MAX_VALUE when there is none). A sparse series (a function invoked once an hour, reported in 5-minute buckets) has long
   * gaps, but each of its samples still stands for one bucket of the data's pace, not for the gap to the next.
   */
  static long pace(List<Series> series) {
    // only series long enough to be scored (3 baseline samples and one after): a burst of short-lived series, two
    // samples a second apart each, does not make every sample stand for a second
    long[] gaps = series.stream().filter(s -> s.epochMillis.length > 3).mapToLong(s -> minGap(s.epochMillis))
        .sorted().toArray();
    return gaps.length == 0 ? Long.MAX_VALUE : gaps[(gaps.length - 1) / 2];
  }

  private static long minGap(long[] t) {
    long step = Long.MAX_VALUE;
    for (int i = 1; i < t.length; i++) {
      step = Math.min(step, t[i] - t[i - 1]);
    }
    return step;
  }

  /** The series' robust z after the onset, or null when it has too little baseline or nothing after the onset. */
  Scored score(Series s, long onset) {
    return score(s, onset, Long.MAX_VALUE);
  }

  /** As {@link #score(Series, long)}, a sample standing for at most {@code pace} (see {@link #pace}). */
  Scored score(Series s, long onset, long pace) {
    long[] t = s.epochMillis;
    double[] v = s.values;
    if (t.length < 2) {
      return null;
    }
    long own = minGap(t);
    long step = Math.min(own, pace);
    // a sample stands for the interval [t, t + step): it is baseline when that interval ends by the onset
    double[] base = new double[settings.baselinePoints()];
    int n = 0;
    for (int i = t.length - 1; i >= 0 && n < base.length; i--) {
      if (t[i] + step <= onset && Double.isFinite(v[i])) {
        base[n++] = v[i];
      }
    }
    if (n < 3) {
      return null;
    }
    double[] b = Arrays.copyOf(base, n);
    Arrays.sort(b);
    double median = quantile(b, 0.5);
    double spread = Math.max((quantile(b, 0.75) - quantile(b, 0.25)) / 1.349,
        Math.max(settings.relativeFloor() * Math.abs(median), unitFloor(s.signal())));
    boolean twoSided = s.signal().equals(MetricNames.REQUEST_RATE);
    double z = Double.NEGATIVE_INFINITY;
    double at = Double.NaN;
    // the window holds the series' own first samples from the onset on: a minute series among 15-second ones keeps
    // its three minutes (the pace decides what is baseline, not how far a slower series is read)
    long last = saturatedAdd(onset, own > Long.MAX_VALUE / settings.windowPoints() ? Long.MAX_VALUE
        : settings.windowPoints() * own);
    for (int i = 0; i < t.length; i++) {
      if (t[i] + step > onset && t[i] <= last && Double.isFinite(v[i])) {
        double d = (v[i] - median) / spread;
        double zi = twoSided ? Math.abs(d) : d;
        if (zi > z) {
          z = zi;
          at = v[i];
        }
      }
    }
    if (Double.isNaN(at)) {
      return null;
    }
    z = Double.isFinite(z) ? Math.max(0, z) : Double.MAX_VALUE;
    return new Scored(s.signal(), z, at, median);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /** The smallest spread of a signal, in its unit: differences below it are noise whatever the baseline did. */
  static double unitFloor(String signal) {
    if (signal.contains("duration") || signal.contains("latency")) {
      return 0.01; // 10 ms
    }
    if (signal.contains("ratio")) {
      // a tenth of a point: with the default threshold, a service that never failed counts once 1% of its calls
      // fail (at one point, the floor until 2026-12-06, 10% had to fail: a 3% failure hid behind its callers' view)
      return 0.001;
    }
    if (signal.contains("utilization")) {
      return 0.01; // one percentage point
    }
    return 1e-9;
  }

  private static double quantile(double[] sorted, double p) {
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  /** The entries that are anomalous and the anomalous services reached from an entry through anomalous services. */
  private static Set<String> reachedFrom(Set<String> entries, Set<String> anomalous,
      Map<String, Set<String>> callees) {
    Set<String> out = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(entries);
    Set<String> seen = new HashSet<>(entries);
    entries.stream().filter(anomalous::contains).forEach(out::add);
    while (!todo.isEmpty()) {
      for (String callee : callees.getOrDefault(todo.pop(), Set.of())) {
        if (anomalous.contains(callee) && seen.add(callee)) {
          out.add(callee);
          todo.add(callee);
        }
      }
    }
    return out;
  }

  /**
   * The services that call, directly or through others, an anomalous service other than themselves. One pass over
   * the reversed graph, linear in its size (a search from each anomalous service took seconds on a graph of
   * thousands): each service keeps at most two of the anomalous services it reaches, enough to tell one other than
   * itself.
   */
  private static Set<String> callingAnomalous(Set<String> anomalous, Map<String, Set<String>> callees) {
    Map<String, Set<String>> callers = new HashMap<>();
    callees.forEach((from, to) -> to.forEach(t -> callers.computeIfAbsent(t, k -> new HashSet<>()).add(from)));
    Map<String, Set<String>> reaches = new HashMap<>();
    Deque<String[]> todo = new ArrayDeque<>(); // {a service, an anomalous service it reaches}
    for (String a : anomalous) {
      callers.getOrDefault(a, Set.of()).forEach(caller -> todo.add(new String[] {caller, a}));
    }
    while (!todo.isEmpty()) {
      String[] p = todo.pop();
      Set<String> held = reaches.computeIfAbsent(p[0], k -> new HashSet<>(4));
      if (held.size() < 2 && held.add(p[1])) {
        callers.getOrDefault(p[0], Set.of()).forEach(caller -> todo.add(new String[] {caller, p[1]}));
      }
    }
    Set<String> out = new HashSet<>();
    reaches.forEach((service, held) -> {
      if (held.size() > 1 || !held.contains(service)) {
        out.add(service);
      }
    });
    return out;
  }

  private static String evidence(Scored d, int tier, Set<String> symptoms, boolean saturatedCaller) {
    if (Double.isNaN(d.value())) {
      return "no " + String.join("/", new java.util.TreeSet<>(symptoms)) + " series";
    }
    String start = saturatedCaller ? "anomalous, its own CPU or memory saturated (a start although it calls an"
        + " anomalous service)" : "anomalous, no anomalous callee";
    String where = switch (tier) {
      case 0 -> start;
      case 1 -> start + ", not reached from the symptom's service through anomalous services";
      case 2 -> "anomalous, calls an anomalous service";
      default -> "below the threshold";
    };
    if (!d.caller().isEmpty()) {
      return String.format(Locale.ROOT, "%s of calls from %s %.4g vs median %.4g (z %.1f), its own server latency"
          + " did not move (a delay on the call edge or at its pod); %s", d.signal(), d.caller(), d.value(),
          d.median(), d.z(), where);
    }
    return String.format(Locale.ROOT, "%s %.4g vs median %.4g (z %.1f); %s", d.signal(), d.value(), d.median(),
        d.z(), where);
  }
}
