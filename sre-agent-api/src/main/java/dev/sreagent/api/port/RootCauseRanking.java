package dev.sreagent.api.port;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.Topology;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Ranks the services that may be where an incident starts ({@link Incident#candidates()}), from the recent series the
 * agent holds and the call graph. Stateless: it returns the list and the agent records it on the incident; the
 * correlator's root stays the incident's root. {@code sre-agent-detect} provides the built-in one.
 */
@FunctionalInterface
public interface RootCauseRanking {
  /**
   * The most candidates the agent keeps of an answer (an incident's list, an operator's question): a longer answer is
   * cut to its first this many.
   */
  int MAX_CANDIDATES = 10;

  /**
   * The ranked candidates of {@code incident}, most likely first.
   *
   * @param incident the incident as correlated
   * @param series the recent points the agent holds
   * @param topology the dependency graph
   * @return the ranked list; empty when nothing could be ranked
   */
  List<RootCandidate> rank(Incident incident, SeriesLookup series, Topology topology);

  /**
   * The ranked candidates of a problem seen at {@code onset} without an incident (an operator asking "what changed
   * around then": a customer complaint, an alert the agent never received); see {@code SreAgent.rankCandidates}. The
   * default ranks nothing.
   *
   * @param onset when the problem started or was seen
   * @param entries the services where it was seen (an alert's service, an SLO's target); empty when not known
   * @param symptom the symptom when known ({@link IncidentType#HIGH_LATENCY}, {@link IncidentType#ERROR_RATE_SPIKE}),
   *     or null when any signal counts
   * @param series the recent points the agent holds
   * @param topology the dependency graph
   * @return the ranked list, most likely first; empty when nothing could be ranked
   */
  default List<RootCandidate> rankAt(Instant onset, Set<String> entries, @Nullable IncidentType symptom,
      SeriesLookup series, Topology topology) {
    return List.of();
  }

  /** The recent points of the agent's series, read-only. */
  interface SeriesLookup {
    /** The services that have series. */
    Set<String> services();

    /** Each series of {@code metric} belonging to {@code service}, oldest point first. */
    List<Points> points(String service, String metric);
  }

  /**
   * One series' points.
   *
   * @param epochMillis the times, strictly increasing
   * @param values the values, one per time
   * @param peer the called service of a call edge's series (its {@code peer.service}), or {@code ""} for a series of
   *     the service alone
   */
  record Points(long[] epochMillis, double[] values, String peer) {
    /** A series of the service alone. */
    public Points(long[] epochMillis, double[] values) {
      this(epochMillis, values, "");
    }

    public Points {
      java.util.Objects.requireNonNull(peer, "peer");
      epochMillis = epochMillis.clone();
      values = values.clone();
      if (epochMillis.length != values.length) {
        throw new IllegalArgumentException("values must have one value per time (" + epochMillis.length
            + " times), but had " + values.length);
      }
    }

    @Override
    public long[] epochMillis() {
      return epochMillis.clone();
    }

    @Override
    public double[] values() {
      return values.clone();
    }
  }

  /** A ranking that ranks nothing. */
  static RootCauseRanking noop() {
    return (incident, series, topology) -> List.of();
  }
}
