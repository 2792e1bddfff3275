package dev.sreagent.bench;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricWindow;
import dev.sreagent.core.AgentStats;
import dev.sreagent.testkit.CardinalityBurst;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulationHarness;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Memory bounded by cardinality (issue #12): the simulated shop warms up for 40 minutes, then {@code rounds} times
 * {@code keys} distinct series, {@code keys} distinct log sources and {@code keys} distinct call edges arrive through
 * {@code agent.sink()}, each key seen once; the heap retained (after a full GC) is printed after each. Then cart gets
 * a bad deploy: its incident's metric windows, diagnosis and confidence are compared with the same run without the
 * burst, and the heap is measured again an hour after the burst, once its keys have expired.
 * {@code java -jar sre-agent-bench.jar cardinality [--keys 1000000] [--rounds 2]}.
 */
final class CardinalityRun {
  private CardinalityRun() {}

  private record Outcome(List<String> windows, double confidence, String root, AgentStats stats) {}

  static int run(int keys, int rounds, PrintStream out) {
    Outcome reference = simulate(0, 0, out);
    Outcome burst = simulate(keys, rounds, out);
    AgentStats s = burst.stats();
    out.printf(Locale.ROOT, "cardinality: evicted for room: %d series, %d log sources, %d edges, %d detector states%n",
        s.seriesEvicted(), s.logSourcesEvicted(), s.edgesEvicted(), s.detectorStatesEvicted());
    boolean same = burst.windows().equals(reference.windows()) && burst.confidence() == reference.confidence()
        && burst.root().equals(reference.root());
    out.printf(Locale.ROOT, "cardinality: the incident after the burst: root %s, %d of %d metric windows, confidence"
        + " %.2f (without the burst: root %s, %d windows, confidence %.2f)%s%n", burst.root(),
        burst.windows().stream().filter(reference.windows()::contains).count(), reference.windows().size(),
        burst.confidence(), reference.root(), reference.windows().size(), reference.confidence(),
        same ? "" : " - DIFFERENT");
    return same ? 0 : 1;
  }

  private static Outcome simulate(int keys, int rounds, PrintStream out) {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(7).build()) {
      h.runFor(Duration.ofMinutes(40));
      long before = 0;
      if (rounds > 0) {
        before = usedHeapAfterGc();
        out.printf(Locale.ROOT, "cardinality: after the 40-minute warm-up: heap %.1f MB%n", mb(before));
        CardinalityBurst b = CardinalityBurst.of(h.agent(), h.clock().now());
        for (int r = 1; r <= rounds; r++) {
          step(out, before, r, keys, "series", () -> b.series(keys));
          step(out, before, r, keys, "log sources", () -> b.logSources(keys));
          step(out, before, r, keys, "call edges", () -> b.edges(keys));
        }
        if (b.refused() > 0) {
          out.printf(Locale.ROOT, "cardinality: %d signals refused by a full inbox%n", b.refused());
        }
      }
      h.inject(new Fault.BadDeploy("cart", 0.15, Duration.ZERO));
      h.runFor(Duration.ofMinutes(30));
      Optional<Incident> found = h.agent().incidents().stream()
          .filter(i -> i.type().equals(IncidentType.ERROR_RATE_SPIKE) && i.diagnosis() != null).findFirst();
      h.runFor(Duration.ofMinutes(31));
      if (rounds > 0) {
        out.printf(Locale.ROOT, "cardinality: an hour after the burst (its keys expired): heap %+.1f MB over the"
            + " warm-up%n", mb(usedHeapAfterGc() - before));
      }
      if (found.isEmpty()) {
        out.println("cardinality: no diagnosed error-rate incident: " + h.agent().incidents());
        return new Outcome(List.of(), Double.NaN, "-", h.agent().stats());
      }
      Incident inc = found.get();
      return new Outcome(Objects.requireNonNull(inc.evidence()).metrics().stream().map(MetricWindow::series).toList(),
          Objects.requireNonNull(inc.diagnosis()).confidence().score(), inc.rootService(), h.agent().stats());
    }
  }

  private static void step(PrintStream out, long before, int round, int keys, String what, Runnable burst) {
    long start = System.nanoTime();
    burst.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    long heap = usedHeapAfterGc();
    out.printf(Locale.ROOT, "cardinality: round %d, +%,d %s in %.1f s: heap %+.1f MB over the warm-up%n", round,
        keys, what, seconds, mb(heap - before));
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static double mb(long bytes) {
    return bytes / 1024.0 / 1024.0;
  }
}
