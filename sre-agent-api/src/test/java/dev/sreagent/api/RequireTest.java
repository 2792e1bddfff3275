package dev.sreagent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class RequireTest {
  private static final double JUST_ABOVE_ONE = Math.nextUp(1.0);
  private static final double JUST_BELOW_ZERO = Math.nextDown(0.0);

  @Test
  void notBlankAcceptsTextAndRefusesBlanksAndNull() {
    assertThat(Require.notBlank("a", "name")).isEqualTo("a");
    assertThat(Require.notBlank(" a ", "name")).isEqualTo(" a ");
    refused(() -> Require.notBlank("", "name"), "name must not be blank, but was ''");
    refused(() -> Require.notBlank(" \t", "name"), "name must not be blank, but was ' \t'");
    nullRefused(() -> Require.notBlank(null, "name"), "name");
  }

  @Test
  void finiteAcceptsTheExtremesAndRefusesNanAndInfinities() {
    assertThat(Require.finite(Double.MAX_VALUE, "score")).isEqualTo(Double.MAX_VALUE);
    assertThat(Require.finite(-Double.MAX_VALUE, "score")).isEqualTo(-Double.MAX_VALUE);
    assertThat(Require.finite(0.0, "score")).isZero();
    refused(() -> Require.finite(Double.NaN, "score"), "score must be a finite number, but was NaN");
    refused(() -> Require.finite(Double.POSITIVE_INFINITY, "score"),
        "score must be a finite number, but was Infinity");
    refused(() -> Require.finite(Double.NEGATIVE_INFINITY, "score"),
        "score must be a finite number, but was -Infinity");
  }

  @Test
  void unitIsTheClosedRangeFromZeroToOne() {
    assertThat(Require.unit(0.0, "score")).isZero();
    assertThat(Require.unit(1.0, "score")).isEqualTo(1.0);
    refused(() -> Require.unit(JUST_BELOW_ZERO, "score"), "score must be within [0, 1], but was -4.9E-324");
    refused(() -> Require.unit(JUST_ABOVE_ONE, "score"), "score must be within [0, 1], but was 1.0000000000000002");
    refused(() -> Require.unit(Double.NaN, "score"), "score must be within [0, 1], but was NaN");
  }

  @Test
  void positiveIntStartsAtOne() {
    assertThat(Require.positive(1, "count")).isEqualTo(1);
    assertThat(Require.positive(Integer.MAX_VALUE, "count")).isEqualTo(Integer.MAX_VALUE);
    refused(() -> Require.positive(0, "count"), "count must be positive, but was 0");
    refused(() -> Require.positive(Integer.MIN_VALUE, "count"), "count must be positive, but was -2147483648");
  }

  @Test
  void positiveDoubleRefusesZeroAndNan() {
    assertThat(Require.positive(Double.MIN_VALUE, "rate")).isEqualTo(Double.MIN_VALUE);
    assertThat(Require.positive(Double.POSITIVE_INFINITY, "rate")).isEqualTo(Double.POSITIVE_INFINITY);
    refused(() -> Require.positive(0.0, "rate"), "rate must be positive, but was 0.0");
    refused(() -> Require.positive(-0.0, "rate"), "rate must be positive, but was -0.0");
    refused(() -> Require.positive(Double.NaN, "rate"), "rate must be positive, but was NaN");
  }

  @Test
  void positiveDurationStartsAboveZero() {
    Duration oneNano = Duration.ofNanos(1);
    assertThat(Require.positive(oneNano, "window")).isSameAs(oneNano);
    refused(() -> Require.positive(Duration.ZERO, "window"), "window must be positive, but was PT0S");
    refused(() -> Require.positive(Duration.ofSeconds(-1), "window"), "window must be positive, but was PT-1S");
    nullRefused(() -> Require.positive((Duration) null, "window"), "window");
  }

  @Test
  void notNegativeDurationStartsAtZero() {
    assertThat(Require.notNegative(Duration.ZERO, "delay")).isSameAs(Duration.ZERO);
    refused(() -> Require.notNegative(Duration.ofNanos(-1), "delay"),
        "delay must not be negative, but was PT-0.000000001S");
    nullRefused(() -> Require.notNegative(null, "delay"), "delay");
  }

  @Test
  void atLeastIncludesTheMinimum() {
    assertThat(Require.atLeast(16, 16, "inboxCapacity")).isEqualTo(16);
    refused(() -> Require.atLeast(15, 16, "inboxCapacity"), "inboxCapacity must be >= 16, but was 15");
    assertThat(Require.atLeast(1L, 1L, "sequence")).isEqualTo(1L);
    assertThat(Require.atLeast(Long.MAX_VALUE, 1L, "sequence")).isEqualTo(Long.MAX_VALUE);
    refused(() -> Require.atLeast(0L, 1L, "sequence"), "sequence must be >= 1, but was 0");
    assertThat(Require.atLeast(1.0, 1, "multiplier")).isEqualTo(1.0);
    assertThat(Require.atLeast(Double.POSITIVE_INFINITY, 1, "multiplier")).isEqualTo(Double.POSITIVE_INFINITY);
    refused(() -> Require.atLeast(Math.nextDown(1.0), 1, "multiplier"),
        "multiplier must be >= 1, but was 0.9999999999999999");
    refused(() -> Require.atLeast(Double.NaN, 0, "multiplier"), "multiplier must be >= 0, but was NaN");
    refused(() -> Require.atLeast(0.05, 0.1, "share"), "share must be >= 0.1, but was 0.05");
  }

  @Test
  void greaterThanExcludesTheBound() {
    assertThat(Require.greaterThan(JUST_ABOVE_ONE, 1, "factor")).isEqualTo(JUST_ABOVE_ONE);
    refused(() -> Require.greaterThan(1.0, 1, "factor"), "factor must be > 1, but was 1.0");
    refused(() -> Require.greaterThan(Double.NaN, 1, "factor"), "factor must be > 1, but was NaN");
  }

  @Test
  void withinIntIncludesBothEnds() {
    assertThat(Require.within(0, 0, 256, "actionThreads")).isZero();
    assertThat(Require.within(256, 0, 256, "actionThreads")).isEqualTo(256);
    refused(() -> Require.within(-1, 0, 256, "actionThreads"), "actionThreads must be within [0, 256], but was -1");
    refused(() -> Require.within(257, 0, 256, "actionThreads"), "actionThreads must be within [0, 256], but was 257");
  }

  @Test
  void withinDoubleIncludesBothEnds() {
    assertThat(Require.within(0.5, 0.5, 2.5, "x")).isEqualTo(0.5);
    assertThat(Require.within(2.5, 0.5, 2.5, "x")).isEqualTo(2.5);
    refused(() -> Require.within(Math.nextDown(0.5), 0.5, 2.5, "x"),
        "x must be within [0.5, 2.5], but was 0.49999999999999994");
    refused(() -> Require.within(Math.nextUp(2.5), 0.5, 2.5, "x"),
        "x must be within [0.5, 2.5], but was 2.5000000000000004");
    refused(() -> Require.within(Double.NaN, 0, 1, "x"), "x must be within [0, 1], but was NaN");
  }

  @Test
  void withinOpenExcludesBothEnds() {
    assertThat(Require.withinOpen(Double.MIN_VALUE, 0, 1, "rate")).isEqualTo(Double.MIN_VALUE);
    assertThat(Require.withinOpen(Math.nextDown(1.0), 0, 1, "rate")).isEqualTo(Math.nextDown(1.0));
    refused(() -> Require.withinOpen(0.0, 0, 1, "rate"), "rate must be within (0, 1), but was 0.0");
    refused(() -> Require.withinOpen(1.0, 0, 1, "rate"), "rate must be within (0, 1), but was 1.0");
    refused(() -> Require.withinOpen(Double.NaN, 0, 1, "rate"), "rate must be within (0, 1), but was NaN");
  }

  @Test
  void withinOpenClosedExcludesTheLowerEndOnly() {
    assertThat(Require.withinOpenClosed(Double.MIN_VALUE, 0, 1, "alpha")).isEqualTo(Double.MIN_VALUE);
    assertThat(Require.withinOpenClosed(1.0, 0, 1, "alpha")).isEqualTo(1.0);
    refused(() -> Require.withinOpenClosed(0.0, 0, 1, "alpha"), "alpha must be within (0, 1], but was 0.0");
    refused(() -> Require.withinOpenClosed(JUST_ABOVE_ONE, 0, 1, "alpha"),
        "alpha must be within (0, 1], but was 1.0000000000000002");
    refused(() -> Require.withinOpenClosed(Double.NaN, 0, 1, "alpha"), "alpha must be within (0, 1], but was NaN");
    refused(() -> Require.withinOpenClosed(101.0, 0, 100, "failureRate"),
        "failureRate must be within (0, 100], but was 101.0");
  }

  @Test
  void withinClosedOpenExcludesTheUpperEndOnly() {
    assertThat(Require.withinClosedOpen(0.0, 0, 1, "jitter")).isZero();
    assertThat(Require.withinClosedOpen(Math.nextDown(1.0), 0, 1, "jitter")).isEqualTo(Math.nextDown(1.0));
    refused(() -> Require.withinClosedOpen(JUST_BELOW_ZERO, 0, 1, "jitter"),
        "jitter must be within [0, 1), but was -4.9E-324");
    refused(() -> Require.withinClosedOpen(1.0, 0, 1, "jitter"), "jitter must be within [0, 1), but was 1.0");
    refused(() -> Require.withinClosedOpen(Double.NaN, 0, 1, "jitter"), "jitter must be within [0, 1), but was NaN");
  }

  @Test
  void boundsPrintAsWritten() {
    refused(() -> Require.within(2.0, -1, 1.5, "x"), "x must be within [-1, 1.5], but was 2.0");
    refused(() -> Require.atLeast(-1.0, 1e-3, "x"), "x must be >= 0.001, but was -1.0");
    refused(() -> Require.within(-1.0, 0, Double.POSITIVE_INFINITY, "x"),
        "x must be within [0, Infinity], but was -1.0");
    refused(() -> Require.atLeast(0.0, 1e20, "x"), "x must be >= 1.0E20, but was 0.0");
  }

  private static void refused(ThrowingCallable check, String message) {
    assertThatThrownBy(check).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  private static void nullRefused(ThrowingCallable check, String field) {
    assertThatThrownBy(check).isExactlyInstanceOf(NullPointerException.class).hasMessage(field);
  }
}
