package dev.sreagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricWindow;
import dev.sreagent.core.AgentStats;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Issue #12, item 7: memory is bounded by cardinality through {@code agent.sink()}, and a burst does not starve later
 * incidents. After a 40-minute warm-up, 300,000 distinct series, log sources and call edges arrive at once (each seen
 * once: more than every cap) and then cart gets a bad deploy (15% errors). The incident must see every metric window,
 * the same diagnosis and the same confidence as without the burst, while the heap retained by the burst stays bounded
 * and goes once the burst's keys have expired. {@link CardinalityIT} runs it with a million keys of each kind
 * ({@code .ci/run}), {@code sre-agent-bench cardinality} prints the heap after each million.
 */
class CardinalityTest {
  /** Above the series (200,000), detector (200,000), edge (50,000) and log-source (10,000) caps. */
  private static final int KEYS = 300_000;
  /** Retained right after the burst: the caps times the cost of a one-off key (measured about 150 MB, README). */
  private static final long BOUND_AFTER_BURST = 320L << 20;
  /**
   * Retained an hour later, when every key of the burst has expired, beyond what the same hour retains without a
   * burst: hash tables keep their size (a few MB).
   */
  private static final long BOUND_AFTER_EXPIRY = 24L << 20;

  private record Outcome(Incident incident, AgentStats stats, long offered, long refused, long heapBefore,
      long heapAfterBurst, long heapAfterExpiry) {}

  @Test
  void aBurstOfOneOffKeysStaysWithinItsBoundsAndTheNextIncidentGetsAllItsEvidence() {
    check(KEYS);
  }

  static void check(int keys) {
    Outcome quiet = run(0);
    Outcome burst = run(keys);

    List<String> expected = series(quiet.incident());
    assertThat(expected).as("the incident's windows without a burst").hasSizeGreaterThanOrEqualTo(6);
    assertThat(series(burst.incident())).as("every window of the affected services after the burst")
        .containsExactlyElementsOf(expected);
    assertThat(burst.incident().rootService()).isEqualTo(quiet.incident().rootService()).isEqualTo("cart");
    assertThat(burst.incident().affectedServices()).isEqualTo(quiet.incident().affectedServices());
    assertThat(confidence(burst.incident())).isEqualTo(confidence(quiet.incident()));
    assertThat(burst.incident().outcome()).isEqualTo(quiet.incident().outcome());

    assertThat(burst.refused()).isZero();
    assertThat(burst.offered()).isEqualTo(4L * keys);
    AgentStats s = burst.stats();
    assertThat(s.seriesEvicted()).as("series evicted").isGreaterThanOrEqualTo(keys - 200_000L);
    assertThat(s.logSourcesEvicted()).as("log sources evicted").isGreaterThanOrEqualTo(keys - 10_000L);
    assertThat(s.edgesEvicted()).as("edges evicted").isGreaterThanOrEqualTo(keys - 50_000L);
    assertThat(s.detectorStatesEvicted()).as("detector states evicted").isGreaterThanOrEqualTo(keys - 200_000L);
    assertThat(quiet.stats().seriesEvicted() + quiet.stats().logSourcesEvicted() + quiet.stats().edgesEvicted()
        + quiet.stats().detectorStatesEvicted()).as("nothing evicted without a burst").isZero();

    long retained = burst.heapAfterBurst() - burst.heapBefore();
    long left = burst.heapAfterExpiry() - burst.heapBefore();
    long grewAnyway = quiet.heapAfterExpiry() - quiet.heapBefore(); // incidents, audit records, post-mortems
    System.out.printf("cardinality: %,d series, log sources and edges: heap %.1f MB before, %+.1f MB after the"
        + " burst, %+.1f MB an hour later (%+.1f MB without the burst)%n", keys, mb(burst.heapBefore()), mb(retained),
        mb(left), mb(grewAnyway));
    assertThat(retained).as("heap retained after the burst, bytes").isLessThan(BOUND_AFTER_BURST);
    assertThat(left - grewAnyway).as("heap retained once the burst's keys expired, bytes")
        .isLessThan(BOUND_AFTER_EXPIRY);
  }

  private static Outcome run(int keys) {
    try (SimulationHarness h = SimulationHarness.builder().setSeed(7).build()) {
      h.runFor(Duration.ofMinutes(40));
      long before = usedHeapAfterGc();
      CardinalityBurst burst = CardinalityBurst.of(h.agent(), h.clock().now())
          .series(keys).logSources(keys).edges(keys);
      long afterBurst = usedHeapAfterGc();
      h.inject(new Fault.BadDeploy("cart", 0.15, Duration.ZERO));
      h.runFor(Duration.ofMinutes(30));
      Incident incident = h.agent().incidents().stream()
          .filter(i -> i.type().equals(IncidentType.ERROR_RATE_SPIKE) && i.evidence() != null)
          .findFirst().orElseThrow(() -> new AssertionError("no diagnosed error-rate incident: "
              + h.agent().incidents()));
      h.runFor(Duration.ofMinutes(31)); // an hour and a step after the burst: its keys have expired
      long afterExpiry = usedHeapAfterGc();
      return new Outcome(incident, h.agent().stats(), burst.offered(), burst.refused(), before, afterBurst,
          afterExpiry);
    }
  }

  private static List<String> series(Incident i) {
    return Objects.requireNonNull(i.evidence()).metrics().stream().map(MetricWindow::series).toList();
  }

  private static double confidence(Incident i) {
    return Objects.requireNonNull(i.diagnosis()).confidence().score();
  }

  static long usedHeapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static double mb(long bytes) {
    return bytes / 1024.0 / 1024.0;
  }
}
