package dev.sreagent.detect;

import static dev.sreagent.detect.RootCauseRankerTest.ONSET;
import static dev.sreagent.detect.RootCauseRankerTest.STEP;
import static dev.sreagent.detect.RootCauseRankerTest.series;
import static dev.sreagent.detect.RootCauseRankerTest.services;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Review of the pace rule ({@link RootCauseRanker#pace}): junk series and mixed paces. */
class RootCauseRankerPaceTest {
  /** {@code n} services with two samples one second apart (a burst of short-lived series), before the onset. */
  static List<RootCauseRanker.Series> junk(int n) {
    List<RootCauseRanker.Series> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new RootCauseRanker.Series("junk-" + i, MetricNames.LATENCY_P99, new long[] {10 * STEP, 10 * STEP + 1000},
          new double[] {1, 1}));
    }
    return out;
  }

  @Test
  void aBurstOfTwoSampleSeriesDoesNotBlankTheAnswer() {
    List<RootCauseRanker.Series> s = new ArrayList<>(List.of(series("cart", MetricNames.LATENCY_P99, 0.1, 1.0),
        series("ads", MetricNames.LATENCY_P99, 0.1, 0.1)));
    s.addAll(junk(1000));
    List<RootCandidate> ranked = new RootCauseRanker().rank(s, ONSET, Topology.empty(), Set.of());
    assertThat(services(ranked)).startsWith("cart");
  }

  @Test
  void aMinuteSeriesAmongFifteenSecondOnesKeepsItsThreeSamplesAfterTheOnset() {
    List<RootCauseRanker.Series> s = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      long[] t = new long[180];
      double[] v = new double[180];
      for (int i = 0; i < t.length; i++) {
        t[i] = i * STEP / 4;
        v[i] = 0.1 * (1 + 0.02 * ((i * 7) % 5 - 2));
      }
      s.add(new RootCauseRanker.Series("fast-" + k, MetricNames.LATENCY_P99, t, v));
    }
    long[] t = new long[45];
    double[] v = new double[45];
    for (int i = 0; i < t.length; i++) {
      t[i] = i * STEP;
      v[i] = i == 42 || i == 43 ? 1.0 : 0.1 * (1 + 0.02 * ((i * 7) % 5 - 2)); // the third sample from the onset on
    }
    s.add(new RootCauseRanker.Series("minute", MetricNames.LATENCY_P99, t, v));
    List<RootCandidate> ranked = new RootCauseRanker().rank(s, ONSET, Topology.empty(), Set.of());
    assertThat(services(ranked)).startsWith("minute");
    assertThat(ranked.get(0).score()).isGreaterThan(10);
  }
}
