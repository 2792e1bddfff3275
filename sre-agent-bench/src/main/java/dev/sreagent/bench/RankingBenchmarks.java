package dev.sreagent.bench;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.core.SreAgent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an operator's question costs the loop ({@link SreAgent#rankCandidates}, which holds the agent's lock while it
 * ranks): an agent holding 40 one-minute p99 latency samples of each of {@code services} services, one in 97 ten to
 * twenty times slower for the last 10, no call graph; {@code java -jar sre-agent-bench/target/sre-agent-bench.jar jmh
 * RankingBenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RankingBenchmarks {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @Param({"1000", "10000"})
  public int services;

  private SreAgent agent;

  @Setup
  public void setUp() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    agent = SreAgent.builder().setClock(now::get).setDiscovery(false).build();
    for (int i = 0; i < 40; i++) {
      Instant at = T0.plusSeconds(60L * i);
      now.set(at);
      for (int s = 0; s < services; s++) {
        double slower = i >= 30 && s % 97 == 0 ? 10 + s % 11 : 1;
        MetricSample m = new MetricSample(MetricNames.LATENCY_P99, (0.05 + 0.001 * ((i * 3 + s) % 4)) * slower, at,
            Map.of(Attributes.SERVICE_NAME, "svc-" + s));
        if (!agent.sink().accept(m)) {
          agent.tick(); // the inbox is full: drain it, then offer again
          agent.sink().accept(m);
        }
      }
      agent.tick();
    }
  }

  @TearDown
  public void tearDown() {
    agent.close();
  }

  @Benchmark
  public List<RootCandidate> rankCandidates() {
    return agent.rankCandidates(T0.plusSeconds(60L * 30), Set.of(), null);
  }
}
