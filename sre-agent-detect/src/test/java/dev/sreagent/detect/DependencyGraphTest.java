package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Span;
import dev.sreagent.api.model.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DependencyGraphTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static Span client(String trace, String id, String service, Instant at) {
    return new Span(trace, id, null, service, "call", Span.Kind.CLIENT, at, Duration.ofMillis(30), false);
  }

  private static Span server(String trace, String id, String parent, String service, Instant at, long ms,
      boolean error) {
    return new Span(trace, id, parent, service, "handle", Span.Kind.SERVER, at, Duration.ofMillis(ms), error);
  }

  @Test
  void clientServerPairsBecomeEdgesWithStatisticsInAnyArrivalOrder() {
    DependencyGraph g = new DependencyGraph();
    g.observe(client("t1", "c1", "checkout", T));
    g.observe(server("t1", "s1", "c1", "payments", T, 20, false));
    g.observe(server("t2", "s2", "c2", "payments", T.plusSeconds(1), 40, true)); // child first
    g.observe(client("t2", "c2", "checkout", T.plusSeconds(1)));
    g.observe(server("t3", "s3", "nobody", "payments", T, 10, false)); // parent never seen: no edge
    assertThat(g.edges()).singleElement().satisfies(e -> {
      assertThat(e.from()).isEqualTo("checkout");
      assertThat(e.to()).isEqualTo("payments");
      assertThat(e.calls()).isEqualTo(2);
      assertThat(e.errorRate()).isEqualTo(0.5);
      assertThat(e.meanLatency()).isBetween(Duration.ofMillis(20), Duration.ofMillis(40));
    });
  }

  @Test
  void edgesExpireWhenCallsStopAndMergeIntoTheTopology() {
    DependencyGraph g = new DependencyGraph(Duration.ofMinutes(10));
    g.observe(client("t1", "c1", "frontend", T));
    g.observe(server("t1", "s1", "c1", "cart", T, 5, false));
    Topology merged = g.mergeInto(new Topology(Map.of(), Set.of(new Topology.Dependency("frontend", "ads"))));
    assertThat(merged.dependenciesOf("frontend")).containsExactlyInAnyOrder("ads", "cart");
    g.observe(client("t9", "c9", "frontend", T.plus(Duration.ofMinutes(11))));
    g.observe(server("t9", "s9", "c9", "ads", T.plus(Duration.ofMinutes(11)), 5, false));
    assertThat(g.edges()).extracting(dev.sreagent.api.model.CallEdge::to).containsExactly("ads");
  }

  @Test
  void aClientSideMetricNamingItsCalleeIsAnEdgeThatExpiresLikeOneFromSpans() {
    DependencyGraph g = new DependencyGraph(Duration.ofMinutes(10));
    g.observeCall("checkout", "payments", T);
    g.observeCall("checkout", "payments", T.plusSeconds(60));
    g.observeCall("checkout", "checkout", T); // a self-call is no edge
    g.observeCall(" ", "payments", T);
    assertThat(g.edges()).singleElement().satisfies(e -> {
      assertThat(e.from()).isEqualTo("checkout");
      assertThat(e.to()).isEqualTo("payments");
      assertThat(e.calls()).as("a sample is not a call").isZero();
      assertThat(e.lastSeen()).isEqualTo(T.plusSeconds(60));
    });
    assertThat(g.mergeInto(Topology.empty()).dependenciesOf("checkout")).containsExactly("payments");
    g.observeCall("frontend", "checkout", T.plus(Duration.ofMinutes(12)));
    assertThat(g.edges()).extracting(dev.sreagent.api.model.CallEdge::from).containsExactly("frontend");
  }

  private static void call(DependencyGraph g, String trace, String from, String to, Instant at) {
    g.observe(client(trace, trace + "c", from, at));
    g.observe(server(trace, trace + "s", trace + "c", to, at, 30, false));
  }

  @Test
  void aBurstOfOneOffEdgesNeverDisplacesRegularCallsAndStaleEdgesGoAsSpansArrive() {
    DependencyGraph g = new DependencyGraph(Duration.ofMinutes(10), 100);
    int trace = 0;
    for (int minute = 0; minute < 30; minute++) {
      Instant t = T.plus(Duration.ofMinutes(minute));
      for (int e = 0; e < 20; e++) {
        call(g, "t" + trace++, "svc-" + e, "svc-" + (e + 1), t);
      }
      if (minute >= 2 && minute < 5) { // 30,000 edges called once: 300 times the cap
        for (int j = 0; j < 10_000; j++) {
          call(g, "t" + trace++, "junk-" + trace, "junk-" + trace + "-callee", t);
        }
      }
      assertThat(g.trackedEdges()).isLessThanOrEqualTo(100);
    }
    assertThat(g.trackedEdges()).as("the burst's edges expired as spans arrived").isEqualTo(20);
    assertThat(g.evictedEdges()).isEqualTo(30_000 - 80);
    assertThat(g.edges()).hasSize(20).allSatisfy(e -> assertThat(e.calls()).as(e.from()).isEqualTo(30));
    assertThat(g.edges().get(0).from()).isEqualTo("svc-0");
  }
}
