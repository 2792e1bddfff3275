package dev.sreagent.core.phase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DiagnosticAccuracyTest {
  @Test
  void wilsonLowerBoundMatchesTheTextbookValues() {
    // 9 of 10: Wilson 95% interval is [0.5958, 0.9821]
    assertThat(new DiagnosticAccuracy(10, 9).wilsonLowerBound()).isCloseTo(0.5958, within(1e-3));
    // 95 of 100: [0.8882, 0.9785]
    assertThat(new DiagnosticAccuracy(100, 95).wilsonLowerBound()).isCloseTo(0.8882, within(1e-3));
    assertThat(new DiagnosticAccuracy(0, 0).wilsonLowerBound()).isZero();
  }

  @Test
  void eligibilityNeedsBothTheCountAndTheBound() {
    assertThat(new DiagnosticAccuracy(10, 10).eligible(20, 0.8)).isFalse();
    assertThat(new DiagnosticAccuracy(100, 95).eligible(20, 0.85)).isTrue();
    assertThat(new DiagnosticAccuracy(100, 80).eligible(20, 0.85)).isFalse();
  }
}
