package dev.sreagent.core.phase;

/**
 * Human-verified diagnostic accuracy for one incident type, with the lower bound of the 95% Wilson score interval
 * used for promotion eligibility.
 *
 * @param verified diagnoses a human has reviewed
 * @param correct of those, how many were right
 */
public record DiagnosticAccuracy(int verified, int correct) {
  /** z for a two-sided 95% interval. */
  public static final double Z95 = 1.959963984540054;

  public DiagnosticAccuracy {
    if (verified < 0 || correct < 0 || correct > verified) {
      throw new IllegalArgumentException(
          "need 0 <= correct <= verified, but was correct=" + correct + ", verified=" + verified);
    }
  }

  /** Lower bound of the 95% Wilson interval of the accuracy; 0 with no data. */
  public double wilsonLowerBound() {
    if (verified == 0) {
      return 0;
    }
    double n = verified;
    double p = correct / n;
    double z2 = Z95 * Z95;
    double centre = p + z2 / (2 * n);
    double margin = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return Math.max(0, (centre - margin) / (1 + z2 / n));
  }

  /** Whether promotion is warranted: at least {@code minCount} verified and the lower bound at least {@code min}. */
  public boolean eligible(int minCount, double min) {
    return verified >= minCount && wilsonLowerBound() >= min;
  }

  /** With one more review. */
  public DiagnosticAccuracy plus(boolean wasCorrect) {
    return new DiagnosticAccuracy(verified + 1, correct + (wasCorrect ? 1 : 0));
  }
}
