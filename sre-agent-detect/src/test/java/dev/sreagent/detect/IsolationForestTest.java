package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsolationForestTest {
  private static double[][] normal(int n, long seed) {
    Random rng = new Random(seed);
    double[][] d = new double[n][];
    for (int i = 0; i < n; i++) {
      double load = rng.nextGaussian();
      d[i] = new double[] {load + 0.1 * rng.nextGaussian(), 0.01 * rng.nextGaussian(), load, rng.nextGaussian()};
    }
    return d;
  }

  @Test
  void outliersScoreHighAndTheAttributionNamesTheFeature() {
    IsolationForest f = IsolationForest.train(normal(1000, 1), 100, 256, 7);
    double typical = f.score(new double[] {0, 0, 0, 0});
    assertThat(typical).isLessThan(0.5);
    double[] errors = {0, 0.5, 0, 0};
    assertThat(f.score(errors)).isGreaterThan(0.55).isGreaterThan(typical + 0.1);
    double[] a = f.attribution(errors);
    assertThat(a[1]).isGreaterThan(0.4).isGreaterThan(a[0]).isGreaterThan(a[2]).isGreaterThan(a[3]);
  }

  @Test
  void theSameSeedGivesTheSameForest() {
    double[][] data = normal(500, 3);
    double[] x = {1, 0.02, -1, 0.5};
    assertThat(IsolationForest.train(data, 50, 128, 9).score(x))
        .isEqualTo(IsolationForest.train(data, 50, 128, 9).score(x));
    assertThat(IsolationForest.train(data, 50, 128, 9).score(x))
        .isNotEqualTo(IsolationForest.train(data, 50, 128, 10).score(x));
  }

  @Test
  void theDetectorFiresOnAMultiSignalShiftNamingWhatDroveIt() {
    MultiSignalDetector d = new MultiSignalDetector();
    Random rng = new Random(5);
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    List<Anomaly> fired = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      t = t.plus(Duration.ofSeconds(15));
      boolean fault = i >= 860;
      double load = 100 * Math.exp(0.1 * rng.nextGaussian());
      feed(d, t, load, 0.2 * (1 + 0.05 * rng.nextGaussian()), fault ? 0.08 : 0.001 * Math.abs(rng.nextGaussian()),
          fired);
    }
    assertThat(fired).singleElement().satisfies(a -> {
      assertThat(a.type()).isEqualTo(MultiSignalDetector.TYPE);
      assertThat(a.summary()).contains("driven by errors");
    });
    assertThat(d.isFiring("api")).isTrue();
  }

  private static void feed(MultiSignalDetector d, Instant t, double rate, double p99, double errors,
      List<Anomaly> out) {
    Map<String, String> a = Map.of(Attributes.SERVICE_NAME, "api");
    out.addAll(d.observe(new MetricSample(MetricNames.REQUEST_RATE, rate, t, a)));
    out.addAll(d.observe(new MetricSample(MetricNames.ERROR_RATIO, errors, t, a)));
    out.addAll(d.observe(new MetricSample(MetricNames.LATENCY_P99, p99, t, a)));
  }
}
