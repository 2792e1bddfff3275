package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RootCandidate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link SreAgent#rankCandidates}: an operator asks the agent "what changed around then" without an incident, and
 * gets the ranking an incident would carry, from the series the agent holds; nothing is opened or audited.
 */
class RankCandidatesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  /** The sample at which payment slows down (and its callers with it), as {@link IncidentCandidatesTest#shopLatency}. */
  private static final int ONSET = 30;

  /**
   * frontend -> checkout -> payment, frontend -> ads; 40 minutes of p99 latency and error ratio at 60 s; from minute
   * 30 payment is ten times slower and its callers follow (checkout 4x, frontend 2x), ads and the errors stay as they
   * were. The latency detector is off, so no incident opens: only the operator's question can find it.
   */
  private static SreAgent replayed(AtomicReference<Instant> now) {
    SreAgent agent = SreAgent.builder().setClock(now::get).setDiscovery(false).setDefaultPhase(Phase.OBSERVE)
        .setConfig(Map.of("detect.latency.enabled", "false"))
        .setTopologyProvider(IncidentCandidatesTest.SHOP).build();
    agent.start();
    for (int i = 0; i < 40; i++) {
      Instant at = T0.plusSeconds(60L * i);
      now.set(at);
      IncidentCandidatesTest.shopLatency(agent, at, i); // payment slows down at minute ONSET
      for (String service : List.of("payment", "checkout", "frontend", "ads")) {
        agent.sink().accept(new MetricSample(MetricNames.ERROR_RATIO, 0.001 * (1 + (i + service.length()) % 3),
            at, Map.of(Attributes.SERVICE_NAME, service)));
      }
      agent.tick();
    }
    return agent;
  }

  private static List<String> services(List<RootCandidate> ranked) {
    return ranked.stream().map(RootCandidate::service).toList();
  }

  @Test
  void theOperatorsQuestionFindsWhereTheSlownessStartsWithoutAnIncidentAndAuditsNothing() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    try (SreAgent agent = replayed(now)) {
      int records = agent.auditLog().records().size();

      List<RootCandidate> ranked = agent.rankCandidates(T0.plusSeconds(60L * ONSET), Set.of("frontend"),
          IncidentType.HIGH_LATENCY);

      assertThat(agent.incidents()).as("the latency detector is off: no incident").isEmpty();
      assertThat(services(ranked)).startsWith("payment").contains("checkout", "frontend");
      assertThat(services(ranked).indexOf("checkout")).isLessThan(services(ranked).indexOf("frontend"));
      assertThat(ranked.get(0).signal()).isEqualTo(MetricNames.LATENCY_P99);
      assertThat(ranked.get(0).score()).isGreaterThan(10);
      assertThat(ranked.get(0).evidence()).contains("no anomalous callee");
      assertThat(agent.auditLog().records()).hasSize(records);
      assertThat(agent.incidents()).isEmpty();
    }
  }

  @Test
  void theSymptomDecidesWhichSignalsCountAndBeforeTheDataThereIsNothingToRank() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    try (SreAgent agent = replayed(now)) {
      Instant onset = T0.plusSeconds(60L * ONSET);
      // failing, not slow: the errors did not move, so no service is anomalous and payment has no claim to lead
      List<RootCandidate> failing = agent.rankCandidates(onset, Set.of(), IncidentType.ERROR_RATE_SPIKE);
      assertThat(failing).allSatisfy(c -> assertThat(c.score()).isLessThan(10));
      // no symptom named: every signal counts, the latency included
      assertThat(services(agent.rankCandidates(onset, Set.of(), null))).startsWith("payment");
      // an hour before the first sample: no baseline, nothing to rank
      assertThat(agent.rankCandidates(T0.minusSeconds(3600), Set.of(), null)).isEmpty();
      // a quiet moment (the scored samples, the onset's and the next three, all before the slowdown): nothing stands out
      assertThat(agent.rankCandidates(T0.plusSeconds(60L * (ONSET - 4)), Set.of(), null))
          .allSatisfy(c -> assertThat(c.score()).isLessThan(10));
    }
  }

  @Test
  void theListIsCutAtTenAndTheArgumentsAreChecked() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    try (SreAgent agent = SreAgent.builder().setClock(now::get).setDiscovery(false).build()) {
      for (int i = 0; i < 40; i++) {
        Instant at = T0.plusSeconds(60L * i);
        now.set(at);
        for (int s = 0; s < 15; s++) {
          double base = 0.05 + 0.001 * ((i * 3 + s) % 4);
          agent.sink().accept(new MetricSample(MetricNames.LATENCY_P99, i >= ONSET ? base * (2 + s) : base, at,
              Map.of(Attributes.SERVICE_NAME, "svc-" + s)));
        }
        agent.tick();
      }
      List<RootCandidate> ranked = agent.rankCandidates(T0.plusSeconds(60L * ONSET), Set.of(), null);
      assertThat(ranked).hasSize(10);
      assertThat(ranked.get(0).service()).isEqualTo("svc-14"); // the strongest jump, no graph to say otherwise
      assertThatThrownBy(() -> agent.rankCandidates(null, Set.of(), null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("at");
      assertThatThrownBy(() -> agent.rankCandidates(T0, null, null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("entries");
    }
  }

  @Test
  void aNullOrBlankEntryOrATimeBeyondMillisecondsIsRefusedNamingItNotCountedAsAFailure() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    try (SreAgent agent = replayed(now)) {
      long failures = agent.stats().componentFailures();
      Set<String> withNull = new java.util.HashSet<>(Arrays.asList("frontend", null));
      assertThatThrownBy(() -> agent.rankCandidates(T0, withNull, null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("entries must name the services").hasMessageContaining("held null");
      assertThatThrownBy(() -> agent.rankCandidates(T0, Set.of("frontend", " "), null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("held ' '");
      for (Instant far : List.of(Instant.MAX, Instant.MIN)) {
        assertThatThrownBy(() -> agent.rankCandidates(far, Set.of(), null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at must be a time")
            .hasMessageContaining(far.toString());
      }
      // far from the data, but a time: nothing to rank, no failure; unknown entries and other symptoms are no error
      assertThat(agent.rankCandidates(Instant.ofEpochMilli(Long.MAX_VALUE), Set.of("nowhere"), null)).isEmpty();
      assertThat(agent.rankCandidates(Instant.ofEpochMilli(Long.MIN_VALUE), Set.of(), null)).isEmpty();
      assertThat(services(agent.rankCandidates(T0.plusSeconds(60L * ONSET), Set.of("nowhere", "frontend"),
          IncidentType.CERTIFICATE_EXPIRY))).startsWith("payment");
      assertThat(agent.stats().componentFailures()).isEqualTo(failures);
    }
  }
}
