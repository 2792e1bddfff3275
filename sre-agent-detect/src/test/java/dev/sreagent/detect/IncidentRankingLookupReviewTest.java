package dev.sreagent.detect;

import static dev.sreagent.detect.IncidentRankingTest.ONSET;
import static dev.sreagent.detect.IncidentRankingTest.STEP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.RootCauseRanking;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Review: a third-party lookup whose points break the strictly-increasing promise does not fail the whole answer. */
class IncidentRankingLookupReviewTest {
  @Test
  void repeatedOrUnorderedTimesInOneSeriesAreSortedNotTheWholeAnswerLost() {
    RootCauseRanking.SeriesLookup good = IncidentRankingTest.lookup(3);
    long[] t = new long[46];
    double[] v = new double[46];
    for (int i = 0; i < 44; i++) {
      t[i] = i * STEP;
      v[i] = 0.1;
    }
    t[44] = 10 * STEP; // a duplicate time
    v[44] = 0.1;
    t[45] = 5 * STEP + 1; // out of order
    v[45] = 0.1;
    RootCauseRanking.Points broken = new RootCauseRanking.Points(t, v);
    RootCauseRanking.SeriesLookup lookup = new RootCauseRanking.SeriesLookup() {
      @Override
      public Set<String> services() {
        return Set.of("s0", "s1", "s2", "dup");
      }

      @Override
      public List<RootCauseRanking.Points> points(String service, String metric) {
        return service.equals("dup") ? (metric.equals(MetricNames.LATENCY_P99) ? List.of(broken) : List.of())
            : good.points(service, metric);
      }
    };

    List<RootCandidate> ranked = new IncidentRanking().rankAt(ONSET, Set.of(), null, lookup, Topology.empty());

    assertThat(ranked).extracting(RootCandidate::service).startsWith("s2", "s1").contains("dup");
    assertThat(IncidentRanking.inOrder(broken).epochMillis()).isSorted().doesNotHaveDuplicates().hasSize(45);
  }
}
