package dev.sreagent.bench;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.detect.CpuSaturationDetector;
import dev.sreagent.detect.LatencyDetector;
import dev.sreagent.detect.StreamingAnomalyScorer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-sample cost of detection: {@code java -jar sre-agent-bench/target/sre-agent-bench.jar jmh}.
 * {@code sample} is the cost of building the sample alone, to subtract from {@code latencyDetector}; likewise
 * {@code cpuSample_only} for {@code cpuSaturationDetector} (one pod's utilisation around 30% of its limit with a burst
 * to 90% every 5,000 samples).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DetectorBenchmarks {
  private static final Map<String, String> ATTRS = Map.of(Attributes.SERVICE_NAME, "api");
  private static final Map<String, String> POD = Map.of(Attributes.SERVICE_NAME, "api", Attributes.K8S_POD_NAME,
      "api-0");
  private final double[] values = new double[1 << 16];
  private final double[] cpuValues = new double[1 << 16];
  private LatencyDetector latency;
  private CpuSaturationDetector cpu;
  private dev.sreagent.detect.CallEdgeLatencyDetector edge;
  private dev.sreagent.detect.IsolationForest forest;
  private final double[][] vectors = new double[1024][];
  private StreamingAnomalyScorer scorer;
  private long t;
  private int i;

  @Setup
  public void setUp() {
    Random rng = new Random(1);
    for (int k = 0; k < values.length; k++) {
      values[k] = 0.2 * Math.exp(0.05 * rng.nextGaussian()) * (k % 5000 == 0 ? 3 : 1);
      cpuValues[k] = k % 5000 == 0 ? 0.9 : Math.max(0, 0.3 + 0.03 * rng.nextGaussian());
    }
    double[][] train = new double[720][];
    for (int k = 0; k < train.length; k++) {
      train[k] = new double[] {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
    }
    forest = dev.sreagent.detect.IsolationForest.train(train, 100, 256, 42);
    for (int k = 0; k < vectors.length; k++) {
      vectors[k] = new double[] {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
    }
    latency = new LatencyDetector();
    cpu = new CpuSaturationDetector();
    edge = new dev.sreagent.detect.CallEdgeLatencyDetector();
    scorer = new StreamingAnomalyScorer();
    for (int k = 0; k < 5000; k++) {
      latency.observe(sample());
      cpu.observe(cpuSample());
      edge.observe(edgeSample());
      scorer.score(values[k]);
    }
  }

  private MetricSample sample() {
    return new MetricSample(MetricNames.LATENCY_P99, values[i++ & (values.length - 1)], Instant.ofEpochSecond(++t),
        ATTRS);
  }

  private MetricSample cpuSample() {
    return new MetricSample(MetricNames.CPU_UTILIZATION, cpuValues[i++ & (cpuValues.length - 1)],
        Instant.ofEpochSecond(++t), POD);
  }

  private static final Map<String, String> EDGE = Map.of(Attributes.SERVICE_NAME, "api", Attributes.PEER_SERVICE,
      "cart");

  private MetricSample edgeSample() {
    return new MetricSample(MetricNames.CLIENT_LATENCY_P50, values[i++ & (values.length - 1)],
        Instant.ofEpochSecond(++t), EDGE);
  }

  @Benchmark
  public MetricSample edgeSample_only() {
    return edgeSample();
  }

  /** One call edge's median client latency against its baseline (the same series as {@link #latencyDetector}). */
  @Benchmark
  public List<Anomaly> callEdgeLatencyDetector() {
    return edge.observe(edgeSample());
  }

  @Benchmark
  public MetricSample cpuSample_only() {
    return cpuSample();
  }

  @Benchmark
  public List<Anomaly> cpuSaturationDetector() {
    return cpu.observe(cpuSample());
  }

  @Benchmark
  public MetricSample sample_only() {
    return sample();
  }

  @Benchmark
  public List<Anomaly> latencyDetector() {
    return latency.observe(sample());
  }

  @Benchmark
  public double isolationForestScore() {
    return forest.score(vectors[i++ & (vectors.length - 1)]);
  }

  @Benchmark
  public double streamingScorer() {
    return scorer.score(values[i++ & (values.length - 1)]);
  }
}
