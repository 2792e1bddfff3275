package dev.sreagent.detect;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.RootCauseRanking;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The built-in {@link RootCauseRanking}: the services' series ranked by {@link RootCauseRanker} around the incident's
 * onset (its earliest anomaly's start) with the call graph, the incident's symptom deciding which signals count
 * (slow: latency; failing: errors; otherwise all), the services an external alert named as where the symptom was seen
 * ({@link RootCauseRanker#rank(List, Instant, Topology, Set, Set)}'s entries). The correlator's root leads where the
 * ranking agrees ({@link RootCauseRanker#rankFor}).
 *
 * <p>Every service with series is ranked while there are at most {@link #ALL_SERVICES} of them; beyond, the
 * incident's neighbourhood in the call graph (its affected services, everything they call, their direct callers), at
 * most {@link #ALL_SERVICES}. The list keeps the first {@link RootCauseRanking#MAX_CANDIDATES}.
 */
public final class IncidentRanking implements RootCauseRanking {
  /** Up to this many services with series, all are ranked; beyond, the incident's neighbourhood. */
  public static final int ALL_SERVICES = 256;

  private final RootCauseRanker ranker;

  /** With the cross-validated defaults. */
  public IncidentRanking() {
    this(new RootCauseRanker());
  }

  public IncidentRanking(RootCauseRanker ranker) {
    this.ranker = Objects.requireNonNull(ranker, "ranker");
  }

  @Override
  public List<RootCandidate> rank(Incident incident, SeriesLookup lookup, Topology topology) {
    Instant onset = incident.anomalies().stream().map(Anomaly::startedAt).min(Comparator.naturalOrder())
        .orElseThrow();
    List<RootCauseRanker.Series> series = series(servicesToRank(incident, lookup.services(), topology), lookup);
    List<Anomaly> own = incident.rootAnomalies();
    String rootSignal = (own.isEmpty() ? incident.anomalies() : own).get(0).signal();
    List<RootCandidate> ranked = ranker.rankFor(incident.rootService(), rootSignal, series, onset, topology,
        symptoms(incident.type()), alerted(incident));
    return firstCandidates(ranked);
  }

  /**
   * Every service with series ranked by {@link RootCauseRanker#rank(List, Instant, Topology, Set, Set)} around
   * {@code onset}, the {@code entries} as where the problem was seen, the symptom deciding which signals count; the
   * first {@link RootCauseRanking#MAX_CANDIDATES}. Asked once by an operator, so not limited to {@link #ALL_SERVICES}.
   */
  @Override
  public List<RootCandidate> rankAt(Instant onset, Set<String> entries, @Nullable IncidentType symptom,
      SeriesLookup lookup, Topology topology) {
    Objects.requireNonNull(onset, "onset");
    List<RootCandidate> ranked = ranker.rank(series(new TreeSet<>(lookup.services()), lookup), onset, topology,
        symptom == null ? Set.of() : symptoms(symptom), Set.copyOf(entries));
    return firstCandidates(ranked);
  }

  private List<RootCauseRanker.Series> series(Set<String> services, SeriesLookup lookup) {
    List<RootCauseRanker.Series> series = new ArrayList<>();
    Set<String> signals = new TreeSet<>(ranker.settings().signals());
    signals.addAll(RootCauseRanker.CLASS_SIGNALS);
    for (String service : services) {
      for (String signal : signals) {
        for (Points p : lookup.points(service, signal)) {
          if (p.epochMillis().length > 0) {
            Points inOrder = inOrder(p);
            series.add(new RootCauseRanker.Series(service, signal, inOrder.epochMillis(), inOrder.values(),
                p.peer()));
          }
        }
      }
    }
    return series;
  }

  /**
   * {@code p} with strictly increasing times, as {@link Points} promises: a lookup that breaks the promise (times
   * repeated or out of order) has its points sorted, the last value read at a time kept, instead of one series
   * failing the whole ranking.
   */
  static Points inOrder(Points p) {
    long[] t = p.epochMillis();
    boolean ok = true;
    for (int i = 1; i < t.length && ok; i++) {
      ok = t[i] > t[i - 1];
    }
    if (ok) {
      return p;
    }
    double[] v = p.values();
    java.util.TreeMap<Long, Double> byTime = new java.util.TreeMap<>();
    for (int i = 0; i < t.length; i++) {
      byTime.put(t[i], v[i]);
    }
    return new Points(byTime.keySet().stream().mapToLong(Long::longValue).toArray(),
        byTime.values().stream().mapToDouble(Double::doubleValue).toArray(), p.peer());
  }

  private static List<RootCandidate> firstCandidates(List<RootCandidate> ranked) {
    return ranked.size() > MAX_CANDIDATES ? List.copyOf(ranked.subList(0, MAX_CANDIDATES)) : ranked;
  }

  /**
   * The services an external alert named (anomalies of {@link AlertDetector}, signal {@code alert:NAME}): where the
   * symptom was seen, so the starts linked to them lead the list.
   */
  static Set<String> alerted(Incident incident) {
    Set<String> out = new TreeSet<>();
    for (Anomaly a : incident.anomalies()) {
      if (a.signal().startsWith(AlertDetector.SIGNAL_PREFIX)) {
        out.add(a.service());
      }
    }
    return out;
  }

  /** The signals of an incident type's symptom; none (every signal counts) for the others. */
  public static Set<String> symptoms(IncidentType type) {
    if (type.equals(IncidentType.HIGH_LATENCY)) {
      return Set.of(MetricNames.LATENCY_P99);
    }
    if (type.equals(IncidentType.ERROR_RATE_SPIKE)) {
      return Set.of(MetricNames.ERROR_RATIO);
    }
    return Set.of();
  }

  private static Set<String> servicesToRank(Incident inc, Set<String> all, Topology topology) {
    if (all.size() <= ALL_SERVICES) {
      return new TreeSet<>(all);
    }
    Set<String> out = new LinkedHashSet<>(inc.affectedServices());
    out.add(inc.rootService());
    Deque<String> todo = new ArrayDeque<>(out);
    while (!todo.isEmpty() && out.size() < ALL_SERVICES) {
      for (String callee : topology.dependenciesOf(todo.pop())) {
        if (out.size() < ALL_SERVICES && out.add(callee)) {
          todo.add(callee);
        }
      }
    }
    for (String s : inc.affectedServices()) {
      for (String caller : topology.dependentsOf(s)) {
        if (out.size() < ALL_SERVICES) {
          out.add(caller);
        }
      }
    }
    return out;
  }
}
