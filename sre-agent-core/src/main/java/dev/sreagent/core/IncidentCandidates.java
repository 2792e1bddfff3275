package dev.sreagent.core;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.RootCauseRanking;
import dev.sreagent.core.internal.SignalWindows;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Keeps an incident's ranked root-cause list ({@link Incident#candidates()}): asks the {@link RootCauseRanking} (the
 * built-in one of {@code sre-agent-detect}, or none) with the investigation windows' series when the incident opens and
 * again when its affected services or root change. The correlator's root stays the incident's root.
 */
final class IncidentCandidates {
  private final RootCauseRanking ranking;
  private final RootCauseRanking.SeriesLookup lookup;

  IncidentCandidates(RootCauseRanking ranking, SignalWindows windows) {
    this.ranking = ranking;
    this.lookup = new RootCauseRanking.SeriesLookup() {
      @Override
      public Set<String> services() {
        return windows.services();
      }

      @Override
      public List<RootCauseRanking.Points> points(String service, String metric) {
        return windows.points(service, metric);
      }
    };
  }

  /**
   * {@code inc} with its candidate list, ranked afresh unless {@code before} (the same incident before this change)
   * already had a list for the same affected services and root.
   */
  Incident rank(Incident inc, @Nullable Incident before, Topology topology, Instant now) {
    if (before != null && !before.candidates().isEmpty()
        && before.affectedServices().equals(inc.affectedServices())
        && before.rootService().equals(inc.rootService())) {
      return inc;
    }
    List<RootCandidate> ranked = ranking.rank(inc, lookup, topology);
    return ranked.equals(inc.candidates()) ? inc : inc.withCandidates(ranked, now);
  }

  /** The ranking of a problem seen at {@code at} without an incident ({@link SreAgent#rankCandidates}). */
  List<RootCandidate> rankAt(Instant at, Set<String> entries, @Nullable IncidentType symptom, Topology topology) {
    return ranking.rankAt(at, entries, symptom, lookup, topology);
  }
}
