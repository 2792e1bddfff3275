package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Whatever the buckets hold, an edge's median is a duration no greater than its tail. */
class HistogramWindowProperties {
  private static final double[] BOUNDS = OtlpCallEdgeTest.BOUNDS_S;

  @Property
  void explicitBucketsGiveAMedianNoGreaterThanTheTailWithinTheBounds(
      @ForAll @Size(min = 1, max = 5) List<@Size(7) List<@IntRange(max = 1000) Integer>> points) {
    HistogramWindow w = new HistogramWindow();
    for (List<Integer> counts : points) {
      double[] deltas = counts.stream().mapToDouble(Integer::doubleValue).toArray();
      w.addExplicit(BOUNDS.clone(), deltas);
      w.add(counts.stream().mapToInt(Integer::intValue).sum(), 0, false, 1);
    }
    double p50 = w.quantile(HistogramWindow.P50);
    double p99 = w.quantile(HistogramWindow.P99);
    assertThat(p50).isBetween(0.0, p99);
    assertThat(p99).isBetween(0.0, BOUNDS[BOUNDS.length - 1]);
  }

  @Property
  void exponentialBucketsGiveAFiniteMedianNoGreaterThanTheTail(@ForAll @IntRange(min = -10, max = 20) int scale,
      @ForAll @IntRange(min = -50, max = 50) int offset,
      @ForAll @Size(min = 1, max = 3) List<@Size(min = 1, max = 40) List<@IntRange(max = 500) Integer>> points) {
    HistogramWindow w = new HistogramWindow();
    for (List<Integer> counts : points) {
      double[] c = counts.stream().mapToDouble(Integer::doubleValue).toArray();
      double total = counts.stream().mapToInt(Integer::intValue).sum();
      if (total > 0) {
        w.addExponential(c, total, scale, offset, 1e-3);
      }
    }
    double p50 = w.quantile(HistogramWindow.P50);
    double p99 = w.quantile(HistogramWindow.P99);
    assertThat(p50).isFinite().isBetween(0.0, p99);
    assertThat(p99).isFinite();
  }
}
