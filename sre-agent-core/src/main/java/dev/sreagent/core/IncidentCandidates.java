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
    List<RootCandidate> ranked = first(ranking.rank(inc, lookup, topology), "rank");
    return ranked.equals(inc.candidates()) ? inc : inc.withCandidates(ranked, now);
  }

  /**
   * The ranking of a problem seen at {@code at} without an incident ({@link SreAgent#rankCandidates}): the first
   * {@link RootCauseRanking#MAX_CANDIDATES} of the ranking's answer.
   *
   * @throws IllegalStateException when the ranking answers null (to be contained as its failure)
   */
  List<RootCandidate> rankAt(Instant at, Set<String> entries, @Nullable IncidentType symptom, Topology topology) {
    return first(ranking.rankAt(at, entries, symptom, lookup, topology), "rankAt");
  }

  /**
   * The first {@link RootCauseRanking#MAX_CANDIDATES} of a ranking's answer, copied.
   *
   * @throws IllegalStateException when the answer is null (to be contained as the ranking's failure)
   */
  private List<RootCandidate> first(@Nullable List<RootCandidate> ranked, String method) {
    if (ranked == null) {
      throw new IllegalStateException(ranking.getClass().getName() + "." + method + " answered null; answer"
          + " List.of()");
    }
    int max = RootCauseRanking.MAX_CANDIDATES;
    return List.copyOf(ranked.size() > max ? ranked.subList(0, max) : ranked);
  }

  /**
   * The question's {@code entries} (names of services) copied, and {@code at} checked.
   *
   * @throws IllegalArgumentException naming a null or blank entry, or a time beyond epoch milliseconds
   */
  static Set<String> question(Instant at, Set<String> entries) {
    java.util.Objects.requireNonNull(at, "at");
    java.util.Objects.requireNonNull(entries, "entries");
    try {
      at.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("at must be a time epoch milliseconds can hold (the series' times), but"
          + " was " + at + "; ask about a time the agent holds series of");
    }
    for (String e : entries) {
      if (e == null || e.isBlank()) {
        throw new IllegalArgumentException("entries must name the services where the problem was seen, but held "
            + (e == null ? "null" : "'" + e + "'") + " among " + entries.size() + "; leave it out (Set.of() when"
            + " not known)");
      }
    }
    return Set.copyOf(entries);
  }
}
