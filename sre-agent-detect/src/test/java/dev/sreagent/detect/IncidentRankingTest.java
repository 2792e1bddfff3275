package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.RootCauseRanking;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IncidentRankingTest {
  static final long STEP = 60_000;
  static final Instant ONSET = Instant.ofEpochMilli(40 * STEP);

  /** {@code n} services s0..s(n-1), each with a p99 series; s1 and s2 jump at the onset. */
  static RootCauseRanking.SeriesLookup lookup(int n) {
    Map<String, RootCauseRanking.Points> byService = new HashMap<>();
    for (int s = 0; s < n; s++) {
      long[] t = new long[44];
      double[] v = new double[44];
      for (int i = 0; i < t.length; i++) {
        t[i] = i * STEP;
        double base = 0.1 * (1 + 0.02 * ((i * 7 + s) % 5 - 2));
        v[i] = i >= 40 && (s == 1 || s == 2) ? base * (s == 2 ? 20 : 5) : base;
      }
      byService.put("s" + s, new RootCauseRanking.Points(t, v));
    }
    return new RootCauseRanking.SeriesLookup() {
      @Override
      public Set<String> services() {
        return byService.keySet();
      }

      @Override
      public List<RootCauseRanking.Points> points(String service, String metric) {
        return metric.equals(MetricNames.LATENCY_P99) && byService.containsKey(service)
            ? List.of(byService.get(service)) : List.of();
      }
    };
  }

  static Incident slow(String root) {
    Anomaly a = new Anomaly(IncidentType.HIGH_LATENCY, root, root, MetricNames.LATENCY_P99, 2, 0.3, 0.9, Severity.SEV3,
        ONSET, ONSET.plusSeconds(120), "p99 of " + root);
    return Incident.open("INC-1", a, root, ONSET.plusSeconds(120));
  }

  static Topology calls(String... pairs) {
    Set<Topology.Dependency> deps = new HashSet<>();
    for (int i = 0; i < pairs.length; i += 2) {
      deps.add(new Topology.Dependency(pairs[i], pairs[i + 1]));
    }
    return new Topology(Map.of(), deps);
  }

  @Test
  void anAlertsServiceLinksTheStartThatExplainsItAheadOfALouderUnlinkedRoot() {
    // the SLO alert fires at s0, which calls s1 (5x slower); s2 (20x slower) is called by nobody on s0's path, and the
    // correlator chose it as the root
    Anomaly alert = new Anomaly(IncidentType.HIGH_LATENCY, "s0", "s0", AlertDetector.SIGNAL_PREFIX + "SiteLatencySLO",
        1, 1, 1, Severity.SEV2, ONSET, ONSET.plusSeconds(60), "alert SiteLatencySLO firing");
    Incident withAlert = slow("s2").withAnomaly(alert, "s2", IncidentType.HIGH_LATENCY, ONSET.plusSeconds(120));
    Topology graph = calls("s0", "s1", "s5", "s2");

    List<RootCandidate> linked = new IncidentRanking().rank(withAlert, lookup(6), graph);
    List<RootCandidate> detected = new IncidentRanking().rank(slow("s2"), lookup(6), graph);

    assertThat(IncidentRanking.alerted(withAlert)).containsExactly("s0");
    assertThat(linked.get(0).service()).isEqualTo("s1");
    assertThat(linked.get(1).service()).isEqualTo("s2");
    assertThat(linked.get(1).evidence()).contains("not reached from the symptom's service");
    // without an alert nothing names where the symptom was seen: the correlator's root leads as before
    assertThat(IncidentRanking.alerted(slow("s2"))).isEmpty();
    assertThat(detected.get(0).service()).isEqualTo("s2");
  }

  @Test
  void aSmallFleetIsRankedWholeAndTheListIsCut() {
    List<RootCandidate> ranked = new IncidentRanking().rank(slow("s1"), lookup(40), calls("s1", "s2"));

    assertThat(ranked).hasSize(dev.sreagent.api.port.RootCauseRanking.MAX_CANDIDATES);
    // s1 (the correlator's root) calls s2, slower still: the ranking disagrees and s2 leads
    assertThat(ranked.get(0).service()).isEqualTo("s2");
    assertThat(ranked.get(1).service()).isEqualTo("s1");
  }

  @Test
  void aLargeFleetIsRankedOnTheIncidentsNeighbourhood() {
    int n = IncidentRanking.ALL_SERVICES + 50;
    List<RootCandidate> ranked = new IncidentRanking().rank(slow("s1"), lookup(n),
        calls("s0", "s1", "s1", "s2", "s2", "s3", "s9", "s8"));

    assertThat(ranked).extracting(RootCandidate::service).containsExactly("s2", "s1", "s0", "s3");
  }

  @Test
  void theIncidentTypeNamesTheSymptom() {
    assertThat(IncidentRanking.symptoms(IncidentType.HIGH_LATENCY)).containsExactly(MetricNames.LATENCY_P99);
    assertThat(IncidentRanking.symptoms(IncidentType.ERROR_RATE_SPIKE)).containsExactly(MetricNames.ERROR_RATIO);
    assertThat(IncidentRanking.symptoms(IncidentType.OOM_KILL)).isEmpty();
  }
}
