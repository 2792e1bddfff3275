package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology.Dependency;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class IncidentCandidatesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  /** The call graph frontend -> checkout -> payment, frontend -> ads. */
  static final StaticTopology SHOP = StaticTopology.of(List.of(new Dependency("frontend", "checkout"),
      new Dependency("checkout", "payment"), new Dependency("frontend", "ads")));

  /**
   * Minute {@code i}'s p99 latency of the {@link #SHOP} services, sampled at {@code at}: noise around 50 ms, and from
   * minute 30 payment ten times slower with its callers following (checkout 4x, frontend 2x); ads as it was.
   */
  static void shopLatency(SreAgent agent, Instant at, int i) {
    Map<String, Double> factor = Map.of("payment", 10.0, "checkout", 4.0, "frontend", 2.0, "ads", 1.0);
    for (Map.Entry<String, Double> s : factor.entrySet()) {
      double base = 0.05 + 0.002 * ((i * 7 + s.getKey().length()) % 5);
      double v = i >= 30 ? base * s.getValue() : base;
      agent.sink().accept(new MetricSample(MetricNames.LATENCY_P99, v, at,
          Map.of(Attributes.SERVICE_NAME, s.getKey())));
    }
  }

  /**
   * An agent in OBSERVE on {@code now}'s clock with the call graph frontend -> checkout -> payment, frontend -> ads,
   * handing its OPENED and UPDATED events to {@code events}.
   */
  private static SreAgent shop(AtomicReference<Instant> now, java.util.function.Consumer<IncidentEvent> events) {
    return SreAgent.builder().setClock(now::get).setDiscovery(false).setDefaultPhase(Phase.OBSERVE)
        .setTopologyProvider(SHOP)
        .addNotifier(e -> {
          if (e.kind() == IncidentEvent.Kind.OPENED || e.kind() == IncidentEvent.Kind.UPDATED) {
            events.accept(e);
          }
        }).build();
  }

  /**
   * frontend -> checkout -> payment, and frontend -> ads; 40 minutes of p99 latency at 60 s; from minute 30 payment is
   * ten times slower and its callers follow (checkout 4x, frontend 2x); ads stays as it was.
   */
  private static List<Incident> replay() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    List<Incident> seen = new ArrayList<>();
    try (SreAgent agent = shop(now, e -> seen.add(e.incident()))) {
      agent.start();
      for (int i = 0; i < 40; i++) {
        Instant at = T0.plusSeconds(60L * i);
        now.set(at);
        shopLatency(agent, at, i);
        agent.tick();
        now.set(at.plusSeconds(30));
        agent.tick();
      }
    }
    return seen;
  }

  @Test
  void anIncidentCarriesTheRankedCandidatesWithTheCorrelatorsRootFirstWhereTheRankingAgrees() {
    List<Incident> seen = replay();

    assertThat(seen).isNotEmpty();
    Incident last = seen.get(seen.size() - 1);
    assertThat(last.rootService()).isEqualTo("payment");
    List<String> ranked = last.candidates().stream().map(RootCandidate::service).toList();
    assertThat(ranked).startsWith("payment").contains("checkout", "frontend");
    assertThat(ranked.indexOf("checkout")).isLessThan(ranked.indexOf("frontend"));
    RootCandidate top = last.candidates().get(0);
    assertThat(top.signal()).isEqualTo(MetricNames.LATENCY_P99);
    assertThat(top.score()).isGreaterThan(10);
    assertThat(top.evidence()).contains("no anomalous callee");
    // slow with no resource, traffic or network signal
    assertThat(top.faultClass()).isEqualTo(dev.sreagent.api.model.FaultClass.LATENCY);
    // ads did not move: if listed at all, it comes last and below the threshold
    if (ranked.contains("ads")) {
      assertThat(ranked.get(ranked.size() - 1)).isEqualTo("ads");
    }
  }

  @Test
  void aYoungIncidentIsRankedAgainAsTheSamplesAfterItsOnsetArrive() {
    // 5-minute data; an SLO alert on frontend opens the incident right after the first slow sample, when checkout is
    // 3x slower and payment has not moved yet; the next two samples show payment 20x slower: the list follows
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    List<IncidentEvent> events = new ArrayList<>();
    try (SreAgent agent = shop(now, events::add)) {
      agent.start();
      for (int i = 0; i < 39; i++) {
        Instant at = T0.plusSeconds(300L * i);
        now.set(at);
        for (String service : List.of("frontend", "checkout", "payment", "ads")) {
          double base = 0.05 + 0.002 * ((i * 7 + service.length()) % 5);
          double factor = i < 36 ? 1 : switch (service) {
            case "checkout" -> 3;
            case "frontend" -> 2;
            case "payment" -> i == 36 ? 1 : 20;
            default -> 1;
          };
          agent.sink().accept(new MetricSample(MetricNames.LATENCY_P99, base * factor, at,
              Map.of(Attributes.SERVICE_NAME, service)));
        }
        if (i == 36) {
          agent.sink().accept(new dev.sreagent.api.model.AlertEvent(at.plusSeconds(10), "frontend",
              "FrontendLatencySLO", true, "critical", Map.of("alertname", "FrontendLatencySLO"), "p99 over the SLO",
              "fp-1"));
        }
        for (int t = 0; t < 300; t += 30) {
          now.set(at.plusSeconds(t + 10));
          agent.tick();
        }
      }
    }
    assertThat(events).isNotEmpty();
    IncidentEvent opened = events.get(0);
    assertThat(opened.kind()).isEqualTo(IncidentEvent.Kind.OPENED);
    assertThat(opened.incident().candidates().get(0).service()).isNotEqualTo("payment");
    IncidentEvent last = events.get(events.size() - 1);
    assertThat(last.incident().id()).isEqualTo(opened.incident().id());
    assertThat(last.incident().candidates().get(0).service()).isEqualTo("payment");
    assertThat(events).anySatisfy(e -> assertThat(e.message()).startsWith("candidates ranked again: payment first"));
    // ranked again within the first 15 minutes after the onset only, at most once a minute
    assertThat(events.stream().filter(e -> e.message().startsWith("candidates ranked again"))
        .map(IncidentEvent::at)).allSatisfy(t -> assertThat(t).isBefore(T0.plusSeconds(300L * 36 + 15 * 60 + 1)));
  }

  @Test
  void theListSurvivesTheAuditJsonAndAnOldRecordWithoutItReadsAsEmpty() {
    Incident last = replay().get(0);
    String json = ModelJson.write(last);
    assertThat(ModelJson.read(json, Incident.class)).isEqualTo(last);
    String old = json.replaceFirst(",\"candidates\":\\[.*\\]}$", "}");
    assertThat(old).doesNotContain("candidates");
    assertThat(ModelJson.read(old, Incident.class).candidates()).isEmpty();
    // a candidate written before it had a fault class reads as unknown
    assertThat(json).contains("\"faultClass\":\"LATENCY\"");
    String noClass = json.replaceAll(",?\"faultClass\":\"[A-Z_]+\"", "");
    assertThat(ModelJson.read(noClass, Incident.class).candidates()).isNotEmpty().allSatisfy(c ->
        assertThat(c.faultClass()).isEqualTo(dev.sreagent.api.model.FaultClass.UNKNOWN));
  }
}
