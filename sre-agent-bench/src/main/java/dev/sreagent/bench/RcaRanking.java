package dev.sreagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import dev.sreagent.detect.RootCauseRanker;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code bench rca}'s use of {@link RootCauseRanker}: the case's series as the agent received them (the warm-up rows
 * re-timed before the case, as {@link RcaRun} feeds them), ranked around {@code alert_time}, over a small grid of the
 * ranker's constants, and the leave-one-system-out cross-validation of that choice.
 */
final class RcaRanking {
  /** The grid the constants are chosen from. */
  static final double[] THRESHOLDS = {3, 5, 10, 20};
  static final double[] FLOORS = {0, 0.05, 0.2};
  static final RootCauseRanker.Edges[] EDGES = RootCauseRanker.Edges.values();

  private RcaRanking() {}

  /** Every setting of the grid, thresholds outer. */
  static List<RootCauseRanker.Settings> grid() {
    List<RootCauseRanker.Settings> out = new ArrayList<>();
    for (double t : THRESHOLDS) {
      for (double f : FLOORS) {
        for (RootCauseRanker.Edges e : EDGES) {
          out.add(RootCauseRanker.Settings.DEFAULTS.withThreshold(t).withRelativeFloor(f).withEdges(e));
        }
      }
    }
    return out;
  }

  /**
   * The case's series per (service, signal): the last {@code warmupRows} rows of {@code warmup} (if any) re-timed to
   * end one step before the case, then the case's rows.
   */
  static List<RootCauseRanker.Series> series(RcaRun.Table table, RcaRun.@Nullable Table warmup, int warmupRows) {
    Map<String, List<long[]>> times = new LinkedHashMap<>();
    Map<String, List<Double>> values = new LinkedHashMap<>();
    Map<String, String[]> names = new LinkedHashMap<>();
    if (warmup != null && warmupRows > 0 && warmup.times().length > 0 && table.times().length > 0) {
      int from = Math.max(0, warmup.times().length - warmupRows);
      long shift = table.times()[0] - warmup.step() - warmup.times()[warmup.times().length - 1];
      add(warmup, from, shift, times, values, names);
    }
    add(table, 0, 0, times, values, names);
    List<RootCauseRanker.Series> out = new ArrayList<>();
    for (Map.Entry<String, List<long[]>> e : times.entrySet()) {
      List<long[]> t = e.getValue();
      List<Double> v = values.get(e.getKey());
      long[] ts = new long[t.size()];
      double[] vs = new double[t.size()];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = t.get(i)[0] * 1000;
        vs[i] = v.get(i);
      }
      String[] n = names.get(e.getKey());
      out.add(new RootCauseRanker.Series(n[0], n[1], ts, vs, n[2]));
    }
    return out;
  }

  private static void add(RcaRun.Table t, int from, long shift, Map<String, List<long[]>> times,
      Map<String, List<Double>> values, Map<String, String[]> names) {
    for (int k = 0; k < t.services().size(); k++) {
      String service = t.services().get(k);
      String signal = t.signals().get(k).signal();
      String peer = t.peers().get(k);
      String key = service + "\u0000" + signal + "\u0000" + peer;
      names.putIfAbsent(key, new String[] {service, signal, peer});
      List<long[]> ts = times.computeIfAbsent(key, x -> new ArrayList<>());
      List<Double> vs = values.computeIfAbsent(key, x -> new ArrayList<>());
      for (int i = from; i < t.times().length; i++) {
        long at = t.times()[i] + shift;
        if (!ts.isEmpty() && ts.get(ts.size() - 1)[0] >= at) {
          continue; // two columns of one signal: the first wins
        }
        ts.add(new long[] {at});
        double v = t.values()[i][k];
        vs.add(Double.isNaN(v) ? Double.NaN : t.signals().get(k).convert(v));
      }
    }
  }

  /**
   * The signals of the symptom an alert names: a case's {@code target.metric} (PetShop's SLO: latency or
   * availability); none when the case names no target (Nezha: the injection time only).
   */
  static Set<String> symptoms(JsonNode c) {
    String metric = c.path("target").path("metric").asText("");
    return switch (metric) {
      case "latency" -> Set.of(MetricNames.LATENCY_P99);
      case "availability" -> Set.of(MetricNames.ERROR_RATIO);
      default -> Set.of();
    };
  }

  /**
   * The incident type of the symptom an alert names (a case's {@code target.metric}: latency → high latency,
   * availability → error-rate spike); null when the case names no target.
   */
  static @Nullable IncidentType incidentType(JsonNode c) {
    return switch (c.path("target").path("metric").asText("")) {
      case "latency" -> IncidentType.HIGH_LATENCY;
      case "availability" -> IncidentType.ERROR_RATE_SPIKE;
      default -> null;
    };
  }

  /**
   * The case's alert as the agent would receive it from Alertmanager: firing at {@code alert_time} on
   * {@code target.service}, named for its symptom (latency → {@code SLOLatency}, availability → {@code SLOErrorRate});
   * null when the case names no target.
   */
  static dev.sreagent.api.model.@Nullable AlertEvent alert(JsonNode c) {
    String service = c.path("target").path("service").asText("");
    IncidentType symptom = incidentType(c);
    if (service.isBlank() || symptom == null) {
      return null;
    }
    String name = symptom.equals(IncidentType.HIGH_LATENCY) ? "SLOLatency" : "SLOErrorRate";
    return new dev.sreagent.api.model.AlertEvent(Instant.ofEpochSecond(c.path("alert_time").asLong()), service, name,
        true, "critical", Map.of("alertname", name, "service", service), name + " on " + service,
        c.path("case_id").asText("case") + "/" + name);
  }

  /** The service an alert names (a case's {@code target.service}: PetShop's SLO target); none for Nezha. */
  static Set<String> entries(JsonNode c) {
    String service = c.path("target").path("service").asText("");
    return service.isBlank() ? Set.of() : Set.of(service);
  }

  /** The services in ranked order. */
  static List<String> services(List<RootCandidate> ranked) {
    Set<String> out = new LinkedHashSet<>();
    ranked.forEach(r -> out.add(r.service()));
    return List.copyOf(out);
  }

  /** Where {@code truth} is in {@code ranked} (0 = first), or {@link Integer#MAX_VALUE} when absent. */
  static int position(List<String> ranked, String truth) {
    int i = ranked.indexOf(truth);
    return i < 0 ? Integer.MAX_VALUE : i;
  }

  /** One case ranked by every setting of the grid: the truth's position under each. */
  record Graded(String system, int[] positions) {}

  /** The truth's position under each grid setting. */
  static Graded grade(String system, String truth, List<RootCauseRanker.Series> series, Instant onset,
      Topology topology, Set<String> symptoms, Set<String> entries) {
    List<RootCauseRanker.Settings> grid = grid();
    int[] pos = new int[grid.size()];
    for (int g = 0; g < pos.length; g++) {
      pos[g] = position(services(new RootCauseRanker(grid.get(g)).rank(series, onset, topology, symptoms, entries)),
          truth);
    }
    return new Graded(system, pos);
  }

  /** AC@1, AC@3, Avg@5 of the positions. */
  static double[] accuracy(List<Integer> positions) {
    double[] ac = new double[6];
    for (int p : positions) {
      for (int k = 1; k <= 5; k++) {
        ac[k] += p < k ? 1 : 0;
      }
    }
    int n = Math.max(1, positions.size());
    double avg5 = (ac[1] + ac[2] + ac[3] + ac[4] + ac[5]) / 5 / n;
    return new double[] {ac[1] / n, ac[3] / n, avg5};
  }

  private static List<Integer> positions(List<Graded> cases, String system, int setting) {
    List<Integer> out = new ArrayList<>();
    for (Graded c : cases) {
      if (c.system().equals(system)) {
        out.add(c.positions()[setting]);
      }
    }
    return out;
  }

  /**
   * Prints, per system and per edge rule ({@link RootCauseRanker.Edges}, a design choice, not tuned: only Online
   * Boutique has call-edge series, so the other systems cannot choose it), the ranking's DEV figures with the default
   * constants and the leave-one-system-out figures: threshold and floor chosen on the other systems (best mean AC@1,
   * then Avg@5) applied to the held-out one.
   */
  static void crossValidate(List<Graded> cases, PrintStream out) {
    List<String> systems = cases.stream().map(Graded::system).distinct().toList();
    List<RootCauseRanker.Settings> grid = grid();
    for (String held : systems) {
      for (RootCauseRanker.Edges e : EDGES) {
        int dflt = grid.indexOf(RootCauseRanker.Settings.DEFAULTS.withEdges(e));
        int best = -1;
        double bestAc1 = -1;
        double bestAvg = -1;
        for (int g = 0; g < grid.size(); g++) {
          if (grid.get(g).edges() != e) {
            continue;
          }
          double ac1 = 0;
          double avg = 0;
          for (String s : systems) {
            if (!s.equals(held)) {
              double[] a = accuracy(positions(cases, s, g));
              ac1 += a[0];
              avg += a[2];
            }
          }
          if (ac1 > bestAc1 + 1e-12 || (Math.abs(ac1 - bestAc1) <= 1e-12 && avg > bestAvg + 1e-12)) {
            best = g;
            bestAc1 = ac1;
            bestAvg = avg;
          }
        }
        double[] dev = accuracy(positions(cases, held, dflt));
        double[] cv = accuracy(positions(cases, held, best));
        out.printf(Locale.ROOT, "rca: ranking %s (n %d) edges %s%s: DEV (threshold %.0f, floor %.2f) AC@1 %.3f AC@3"
                + " %.3f Avg@5 %.3f | leave-one-system-out (chose threshold %.0f, floor %.2f on the others) AC@1 %.3f"
                + " AC@3 %.3f Avg@5 %.3f%n", held, positions(cases, held, dflt).size(), e,
            e == RootCauseRanker.Settings.DEFAULTS.edges() ? " (default)" : "", grid.get(dflt).threshold(),
            grid.get(dflt).relativeFloor(), dev[0], dev[1], dev[2], grid.get(best).threshold(),
            grid.get(best).relativeFloor(), cv[0], cv[1], cv[2]);
      }
    }
  }
}
