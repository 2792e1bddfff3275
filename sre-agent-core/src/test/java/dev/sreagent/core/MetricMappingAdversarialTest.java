package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Review of {@code metrics.map.<source> = <kind> [* scale] [+ offset]} as careless or hostile users write it. */
class MetricMappingAdversarialTest {
  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

  @Test
  void operatorsWrittenWithoutSpacesMeanWhatTheySay() {
    assertThat(MetricMapping.parseRule("a", "latency-p99*0.001")).isEqualTo(rule("a", "latency-p99", 0.001, 0));
    assertThat(MetricMapping.parseRule("a", "error-ratio*-0.01+1")).isEqualTo(rule("a", "error-ratio", -0.01, 1));
    assertThat(MetricMapping.parseRule("a", "error-ratio * -0.01+1")).isEqualTo(rule("a", "error-ratio", -0.01, 1));
    assertThat(MetricMapping.parseRule("a", "\terror-ratio\t*\t-1e-2\t-\t1 ")).isEqualTo(
        rule("a", "error-ratio", -0.01, -1));
    assertThat(MetricMapping.parseRule("a", "memory-utilization *1E+2-5")).isEqualTo(
        rule("a", "memory-utilization", 100, -5));
    assertThat(MetricMapping.parseRule("a", "client-latency-p50 -0.5")).isEqualTo(
        rule("a", "client-latency-p50", 1, -0.5));
    assertThat(MetricMapping.parseRule("a", MetricNames.LATENCY_P99 + "*2")).isEqualTo(rule("a", "latency-p99", 2, 0));
  }

  /** {@code metrics.map. X = ...}: a source never arriving with spaces around it, the rule would never apply. */
  @Test
  void theSourceNameIsStrippedSoTheRuleApplies() {
    MetricMapping m = MetricMapping.of(List.of(MetricMapping.parseRule("  PodSuccessRate(%) ", "error-ratio")));
    assertThat(m.rules()).containsOnlyKeys("PodSuccessRate(%)");
    assertThat(((MetricSample) m.apply(MetricSample.of("PodSuccessRate(%)", 0.5, T0, "cart"))).name())
        .isEqualTo(MetricNames.ERROR_RATIO);
    List<String> problems = new ArrayList<>();
    MetricMapping.fromLines(List.of("metrics.map.x = latency-p99", "metrics.map. x = error-ratio"), "m.conf",
        problems);
    assertThat(problems).containsExactly("m.conf:2: metrics.map.x is given twice; keep one rule per metric");
  }

  @Test
  void aNonFiniteOrZeroScaleOrGarbageIsNamedWithTheFix() {
    assertThatThrownBy(() -> MetricMapping.parseRule("a", "latency-p99 * NaN"))
        .hasMessage("metrics.map.a: 'NaN' is not a finite number (a scale after '*'); give a number such as 0.01");
    assertThatThrownBy(() -> MetricMapping.parseRule("a", "latency-p99 * Infinity"))
        .hasMessageContaining("'Infinity' is not a finite number");
    assertThatThrownBy(() -> MetricMapping.parseRule("a", "latency-p99 + 1e999"))
        .hasMessageContaining("'1e999' is not a finite number (an offset after '+')");
    assertThatThrownBy(() -> MetricMapping.parseRule("a", "latency-p99 * 0.0"))
        .hasMessageContaining("metrics.map.a: the scale must be a finite non-zero number");
    assertThatThrownBy(() -> MetricMapping.parseRule("a", "latency-p99 * 1/1000"))
        .hasMessageContaining("metrics.map.a: '1/1000' is not a number (a scale after '*')");
    assertThatThrownBy(() -> MetricMapping.parseRule("a", "latency-p99 ** 2"))
        .hasMessageContaining("metrics.map.a: '*' is not a number (a scale after '*')");
    assertThatThrownBy(() -> MetricMapping.parseRule("a", "latency-p99 * 2 * 3"))
        .hasMessageContaining("metrics.map.a: unexpected '*' in 'latency-p99 * 2 * 3'");
    assertThatThrownBy(() -> MetricMapping.parseRule("a", "Latency-P99"))
        .hasMessageContaining("'Latency-P99' is not a signal kind; use one of latency-p99 (seconds)");
    assertThatThrownBy(() -> MetricMapping.parseRule("a", "   "))
        .hasMessageContaining("metrics.map.a needs a signal kind");
    assertThatThrownBy(() -> MetricMapping.parseRule(" ", "latency-p99"))
        .hasMessageContaining("the source metric name must be non-blank");
  }

  /** A rule maps a sample once: a source mapped onto a kind whose metric is itself a source is not chained. */
  @Test
  void rulesAreAppliedOnceNotChained() {
    MetricMapping m = MetricMapping.of(List.of(MetricMapping.parseRule("raw_ms", "latency-p99 * 0.001"),
        MetricMapping.parseRule(MetricNames.LATENCY_P99, "latency-p99 * 1000")));
    MetricSample out = (MetricSample) m.apply(MetricSample.of("raw_ms", 250, T0, "cart"));
    assertThat(out.name()).isEqualTo(MetricNames.LATENCY_P99);
    assertThat(out.value()).isEqualTo(0.25);
  }

  /** However the spaces fall around the operators, the line means one rule. */
  @Property(tries = 300)
  void spacingNeverChangesTheRule(@ForAll("kinds") String kind, @ForAll("numbers") String scale,
      @ForAll("numbers") String offset, @ForAll("gaps") String g1, @ForAll("gaps") String g2,
      @ForAll("gaps") String g3, @ForAll("gaps") String g4, @ForAll boolean minus) {
    MetricMapping.Rule spaced = MetricMapping.parseRule("m", kind + " * " + scale + (minus ? " - " : " + ")
        + offset);
    MetricMapping.Rule squeezed = MetricMapping.parseRule("m", kind + g1 + "*" + g2 + scale + g3
        + (minus ? "-" : "+") + g4 + offset);
    assertThat(squeezed).isEqualTo(spaced);
    assertThat(spaced.scale()).isEqualTo(Double.parseDouble(scale));
    assertThat(spaced.offset()).isEqualTo((minus ? -1 : 1) * Double.parseDouble(offset));
  }

  @Provide
  Arbitrary<String> kinds() {
    return Arbitraries.of(MetricMapping.Kind.values()).flatMap(k -> Arbitraries.of(k.label(), k.metric()));
  }

  @Provide
  Arbitrary<String> numbers() {
    return Arbitraries.of("1", "0.01", "-0.01", "2.5e-3", "1E+2", ".5", "7.", "100", "-3");
  }

  @Provide
  Arbitrary<String> gaps() {
    return Arbitraries.of("", " ", "\t", "  ");
  }

  private static MetricMapping.Rule rule(String source, String kind, double scale, double offset) {
    return new MetricMapping.Rule(source, MetricMapping.Kind.parse("k", kind), scale, offset);
  }
}
