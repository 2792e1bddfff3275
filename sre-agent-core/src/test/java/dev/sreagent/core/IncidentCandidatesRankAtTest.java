package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.RootCauseRanking;
import dev.sreagent.core.internal.SignalWindows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A third-party {@link RootCauseRanking}'s answer, to an operator's question and for an incident: at most ten, never
 * null, not shared.
 */
class IncidentCandidatesRankAtTest {
  private static IncidentCandidates asking(List<RootCandidate> answer) {
    RootCauseRanking ranking = new RootCauseRanking() {
      @Override
      public List<RootCandidate> rank(dev.sreagent.api.model.Incident incident, SeriesLookup series,
          Topology topology) {
        return answer;
      }

      @Override
      public List<RootCandidate> rankAt(Instant onset, Set<String> entries, @Nullable IncidentType symptom,
          SeriesLookup series, Topology topology) {
        return answer;
      }
    };
    return new IncidentCandidates(ranking, new SignalWindows(120, 100, 100, 20, 100, Duration.ofHours(1)));
  }

  @Test
  void aRankingThatAnswersFiftyIsCutAtTenAndItsListIsCopied() {
    List<RootCandidate> fifty = new ArrayList<>(IntStream.range(0, 50)
        .mapToObj(i -> new RootCandidate("svc-" + i, "latency", 50 - i, "")).toList());
    List<RootCandidate> answer = asking(fifty).rankAt(Instant.EPOCH, Set.of(), null, Topology.empty());
    fifty.clear();
    assertThat(answer).hasSize(RootCauseRanking.MAX_CANDIDATES).first().extracting(RootCandidate::service)
        .isEqualTo("svc-0");
  }

  @Test
  void aRankingThatAnswersNullFailsNamingItselfSoTheIntakeContainsAndCountsIt() {
    assertThatThrownBy(() -> asking(null).rankAt(Instant.EPOCH, Set.of(), null, Topology.empty()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("rankAt answered null");
  }

  @Test
  void anIncidentKeepsTheFirstTenOfALongAnswerAndANullAnswerIsTheRankingsFailure() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    dev.sreagent.api.model.Anomaly a = new dev.sreagent.api.model.Anomaly(IncidentType.HIGH_LATENCY, "svc-0", "p",
        "latency", 2, 0.5, 0.9, dev.sreagent.api.model.Severity.SEV3, t0, t0, "slow");
    dev.sreagent.api.model.Incident inc = dev.sreagent.api.model.Incident.open("INC-0001", a, "svc-0", t0);
    List<RootCandidate> fifty = IntStream.range(0, 50)
        .mapToObj(i -> new RootCandidate("svc-" + i, "latency", 50 - i, "")).toList();
    assertThat(asking(fifty).rank(inc, null, Topology.empty(), t0).candidates())
        .hasSize(RootCauseRanking.MAX_CANDIDATES).isEqualTo(fifty.subList(0, RootCauseRanking.MAX_CANDIDATES));
    assertThatThrownBy(() -> asking(null).rank(inc, null, Topology.empty(), t0))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("rank answered null");
  }
}
