package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link TailFloor} against a plain model: the floor is the second largest hourly maximum of the excursions recorded or
 * committed in the last day.
 */
class TailFloorProperties {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** 0 record, 1 hold, 2 commit, 3 drop; minutes forward; an excursion. */
  record Op(int kind, int minutes, double excursion) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 400),
        Arbitraries.doubles().between(-5, 50)).as(Op::new).list().ofMaxSize(200);
  }

  @Property(tries = 300)
  void theFloorIsTheLargestExcursionKeptOverTheLastDayAndNeverOneOfADroppedEpisode(@ForAll("ops") List<Op> ops) {
    // asked after every operation, so the cached maxima are checked through every kind of change
    TailFloor tail = new TailFloor(TailFloor.Form.RATIO);
    List<long[]> keptHours = new ArrayList<>();
    List<Double> kept = new ArrayList<>();
    double pending = Double.NaN;
    long pendingHour = 0;
    Instant t = T0;
    for (Op op : ops) {
      t = t.plusSeconds(60L * op.minutes());
      long hour = Math.floorDiv(t.getEpochSecond(), 3600);
      switch (op.kind()) {
        case 0 -> {
          tail.record(t, 2 * op.excursion(), op.excursion());
          keptHours.add(new long[] {hour});
          kept.add(op.excursion());
        }
        case 1 -> {
          tail.hold(t, 2 * op.excursion(), op.excursion());
          if (Double.isNaN(pending) || op.excursion() > pending) {
            pending = op.excursion();
            pendingHour = hour;
          }
        }
        case 2 -> {
          tail.commit();
          if (!Double.isNaN(pending)) {
            keptHours.add(new long[] {pendingHour});
            kept.add(pending);
          }
          pending = Double.NaN;
        }
        default -> {
          tail.drop();
          pending = Double.NaN;
        }
      }
      long now = hour;
      // the floor is the second largest of the hourly maxima in the window (a habit: at least two hours)
      java.util.Map<Long, Double> hourly = new java.util.HashMap<>();
      for (int i = 0; i < kept.size(); i++) {
        long h = keptHours.get(i)[0];
        if (h > now - TailFloor.SLOTS && h <= now) {
          hourly.merge(h, kept.get(i), Math::max);
        }
      }
      List<Double> maxima = new ArrayList<>(hourly.values());
      maxima.sort(java.util.Comparator.reverseOrder());
      double expected = maxima.size() < 2 ? Double.NaN : maxima.get(1);
      double actual = tail.floor(t);
      double value = tail.largestValue(t);
      if (Double.isNaN(expected)) {
        assertThat(actual).isNaN();
        assertThat(value).isNaN();
      } else {
        assertThat(actual).isEqualTo(expected);
        assertThat(value).isEqualTo(2 * expected); // the values here are twice their excursions
      }
    }
  }
}
