package dev.sreagent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.DoublePredicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The numeric checks pass exactly the values of their range, return them unchanged and name the bad ones. */
class RequireProperties {
  /** A check under test; the single-bound and unbounded checks ignore what they do not need. */
  interface DoubleCheck {
    double apply(double value, double min, double max, String field);
  }

  @Property
  void withinIntPassesExactlyTheClosedRange(@ForAll int value, @ForAll int a, @ForAll int b) {
    int min = Math.min(a, b);
    int max = Math.max(a, b);
    if (value >= min && value <= max) {
      assertThat(Require.within(value, min, max, "n")).isEqualTo(value);
    } else {
      refused(() -> Require.within(value, min, max, "n"), "n must be within [" + min + ", " + max + "], but was "
          + value);
    }
  }

  @Property
  void atLeastPassesExactlyTheValuesFromTheMinimum(@ForAll long value, @ForAll long min) {
    if (value >= min) {
      assertThat(Require.atLeast(value, min, "n")).isEqualTo(value);
    } else {
      refused(() -> Require.atLeast(value, min, "n"), "n must be >= " + min + ", but was " + value);
    }
    if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE && min >= Integer.MIN_VALUE
        && min <= Integer.MAX_VALUE) {
      int v = (int) value;
      int m = (int) min;
      if (v >= m) {
        assertThat(Require.atLeast(v, m, "n")).isEqualTo(v);
      } else {
        refused(() -> Require.atLeast(v, m, "n"), "n must be >= " + m + ", but was " + v);
      }
    }
  }

  @Property
  void theDoubleRangesPassExactlyTheirValues(@ForAll("values") double value, @ForAll("bounds") double a,
      @ForAll("bounds") double b) {
    double min = Math.min(a, b);
    double max = Math.max(a, b);
    check(Require::within, value, min, max, v -> v >= min && v <= max);
    check(Require::withinOpen, value, min, max, v -> v > min && v < max);
    check(Require::withinOpenClosed, value, min, max, v -> v > min && v <= max);
    check(Require::withinClosedOpen, value, min, max, v -> v >= min && v < max);
    check((v, lo, hi, f) -> Require.atLeast(v, lo, f), value, min, max, v -> v >= min);
    check((v, lo, hi, f) -> Require.greaterThan(v, lo, f), value, min, max, v -> v > min);
    check((v, lo, hi, f) -> Require.positive(v, f), value, min, max, v -> v > 0);
    check((v, lo, hi, f) -> Require.unit(v, f), value, min, max, v -> v >= 0 && v <= 1);
    check((v, lo, hi, f) -> Require.finite(v, f), value, min, max, Double::isFinite);
  }

  /** Whole and fractional bounds, zero of both signs and the infinities. */
  @Provide
  Arbitrary<Double> bounds() {
    return Arbitraries.oneOf(Arbitraries.integers().between(-3, 3).map(Integer::doubleValue),
        Arbitraries.of(0.1, 0.5, -0.0, 1e-9, 1e20, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY));
  }

  /** Any double, NaN and the infinities included, with plenty of values on and next to the bounds. */
  @Provide
  Arbitrary<Double> values() {
    Arbitrary<Double> nearBounds = bounds().flatMap(b -> Arbitraries.of(b, Math.nextUp(b), Math.nextDown(b)));
    return Arbitraries.oneOf(nearBounds, Arbitraries.doubles(),
        Arbitraries.of(Double.NaN, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE));
  }

  private static void check(DoubleCheck check, double value, double min, double max, DoublePredicate inRange) {
    if (inRange.test(value)) {
      assertThat(check.apply(value, min, max, "x")).isEqualTo(value);
    } else {
      assertThatThrownBy(() -> check.apply(value, min, max, "x")).isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("x must ").hasMessageEndingWith(", but was " + value);
    }
  }

  private static void refused(ThrowingCallable check, String message) {
    assertThatThrownBy(check).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }
}
