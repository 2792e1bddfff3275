package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SlidingTrendProperties {
  /** The trend as it was before its arrays grew on demand: allocated at full capacity. */
  private static final class FullSizeTrend {
    final double[] xs;
    final double[] ys;
    int size;
    int head;
    double sx;
    double sy;
    double sxx;
    double sxy;

    FullSizeTrend(int capacity) {
      xs = new double[capacity];
      ys = new double[capacity];
    }

    void add(double x, double y) {
      if (size == xs.length) {
        sx -= xs[head];
        sy -= ys[head];
        sxx -= xs[head] * xs[head];
        sxy -= xs[head] * ys[head];
      } else {
        size++;
      }
      xs[head] = x;
      ys[head] = y;
      head = (head + 1) % xs.length;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }

    double slope() {
      double denom = size * sxx - sx * sx;
      return size < 2 || Math.abs(denom) < 1e-12 ? 0 : (size * sxy - sx * sy) / denom;
    }
  }

  /** Growing the arrays on demand changes no slope, not even in the last bit: simulations replay as before. */
  @Property
  void growingOnDemandGivesTheSameSlopeBitForBit(@ForAll @IntRange(min = 2, max = 150) int capacity,
      @ForAll @Size(max = 400) List<@DoubleRange(min = -1e3, max = 1e3) Double> ys) {
    SlidingTrend grown = new SlidingTrend(capacity);
    FullSizeTrend full = new FullSizeTrend(capacity);
    for (int i = 0; i < ys.size(); i++) {
      grown.add(15.0 * i, ys.get(i));
      full.add(15.0 * i, ys.get(i));
      assertThat(grown.size()).isEqualTo(full.size);
      assertThat(Double.doubleToRawLongBits(grown.slope())).as("slope after %d points", i + 1)
          .isEqualTo(Double.doubleToRawLongBits(full.slope()));
    }
  }
}
