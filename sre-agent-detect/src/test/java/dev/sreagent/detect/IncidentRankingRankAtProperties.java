package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.RootCauseRanking;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * {@link IncidentRanking#rankAt}, an operator's question, for any valid input: mixed paces (15 s, 60 s, sparse),
 * one-sample series, NaN and infinite values, times anywhere epoch milliseconds reach, unknown entries, any symptom.
 * It never throws, answers at most {@link dev.sreagent.api.port.RootCauseRanking#MAX_CANDIDATES} distinct services that have series or are
 * named as a call edge's callee, and the same answer for the same input.
 */
class IncidentRankingRankAtProperties {
  private static final List<String> SIGNALS = List.of(MetricNames.LATENCY_P99, MetricNames.ERROR_RATIO,
      MetricNames.CPU_UTILIZATION, MetricNames.REQUEST_RATE, MetricNames.CLIENT_LATENCY_P50);
  private static final List<IncidentType> SYMPTOMS = java.util.Arrays.asList(IncidentType.HIGH_LATENCY,
      IncidentType.ERROR_RATE_SPIKE, IncidentType.CERTIFICATE_EXPIRY, null);

  record Question(RootCauseRanking.SeriesLookup lookup, Instant at, Set<String> entries,
      IncidentType symptom, Topology topology, Set<String> callees) {}

  static Question question(long seed) {
    Random rng = new Random(seed);
    Map<String, List<RootCauseRanking.Points>> bySeries = new HashMap<>();
    Set<String> callees = new HashSet<>();
    int services = 1 + rng.nextInt(25);
    Set<Topology.Dependency> deps = new HashSet<>();
    long origin = 1_700_000_000_000L;
    for (int s = 0; s < services; s++) {
      for (String signal : SIGNALS) {
        if (rng.nextInt(3) == 0) {
          continue;
        }
        long step = List.of(15_000L, 60_000L, 300_000L).get(rng.nextInt(3));
        int n = rng.nextInt(8) == 0 ? 1 : 2 + rng.nextInt(150);
        long[] t = new long[n];
        double[] v = new double[n];
        long at = origin;
        for (int i = 0; i < n; i++) {
          at += rng.nextInt(6) == 0 ? step * (1 + rng.nextInt(12)) : step; // sometimes sparse
          t[i] = at;
          int k = rng.nextInt(40);
          v[i] = k == 0 ? Double.NaN : k == 1 ? Double.POSITIVE_INFINITY : k == 2 ? Double.NEGATIVE_INFINITY
              : k == 3 ? 1e300 : (1 + rng.nextGaussian() * 0.1) * (i > n / 2 && rng.nextInt(3) == 0 ? 20 : 1);
        }
        // a call edge's series names its callee, which may report nothing itself (an uninstrumented service)
        String peer = !signal.equals(MetricNames.CLIENT_LATENCY_P50) ? ""
            : rng.nextInt(4) == 0 ? "uninstrumented" : "s" + rng.nextInt(services);
        if (!peer.isEmpty()) {
          callees.add(peer);
        }
        bySeries.computeIfAbsent("s" + s + "|" + signal, k -> new ArrayList<>())
            .add(new RootCauseRanking.Points(t, v, peer));
      }
      if (services > 1 && rng.nextBoolean()) {
        deps.add(new Topology.Dependency("s" + s, "s" + rng.nextInt(services)));
      }
    }
    Set<String> withSeries = new HashSet<>();
    bySeries.keySet().forEach(k -> withSeries.add(k.substring(0, k.indexOf('|'))));
    RootCauseRanking.SeriesLookup lookup = new RootCauseRanking.SeriesLookup() {
      @Override
      public Set<String> services() {
        return Set.copyOf(withSeries);
      }

      @Override
      public List<RootCauseRanking.Points> points(String service, String metric) {
        return bySeries.getOrDefault(service + "|" + metric, List.of());
      }
    };
    long[] ats = {Long.MIN_VALUE, Long.MAX_VALUE, 0, origin, origin + 15_000L * rng.nextInt(200),
        origin + 60_000L * rng.nextInt(200) + 7_000, origin + 60_000L * rng.nextInt(200)};
    Set<String> entries = new HashSet<>();
    for (int i = rng.nextInt(4); i > 0; i--) {
      entries.add(rng.nextBoolean() ? "s" + rng.nextInt(services) : "unknown-" + i);
    }
    return new Question(lookup, Instant.ofEpochMilli(ats[rng.nextInt(ats.length)]), entries,
        SYMPTOMS.get(rng.nextInt(SYMPTOMS.size())), new Topology(Map.of(), deps), callees);
  }

  @Property(tries = 300)
  void atMostTenServicesWithSeriesTheSameEachTime(@ForAll long seed) {
    Question q = question(seed);
    IncidentRanking ranking = new IncidentRanking();
    List<RootCandidate> first = ranking.rankAt(q.at(), q.entries(), q.symptom(), q.lookup(), q.topology());
    List<RootCandidate> again = ranking.rankAt(q.at(), q.entries(), q.symptom(), q.lookup(), q.topology());

    assertThat(first).hasSizeLessThanOrEqualTo(dev.sreagent.api.port.RootCauseRanking.MAX_CANDIDATES).isEqualTo(again);
    // a service with series, or the callee a call edge's series names
    assertThat(first).allSatisfy(c -> assertThat(q.lookup().services().contains(c.service())
        || q.callees().contains(c.service())).as(c.service()).isTrue());
    assertThat(first.stream().map(RootCandidate::service).distinct().count()).isEqualTo(first.size());
  }
}
