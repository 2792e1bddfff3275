package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One incident: correlated anomalies with a suspected root service, moving through the lifecycle of
 * {@link IncidentState}. Immutable; the {@code withX} methods return changed copies.
 *
 * @param id unique id
 * @param type the incident type (that of the root anomaly)
 * @param severity the worst severity of its anomalies
 * @param state lifecycle state
 * @param rootService the suspected root service
 * @param affectedServices every service with an anomaly in this incident
 * @param anomalies the de-duplicated anomalies, one per {@link Anomaly#key()}
 * @param openedAt when the incident was opened
 * @param updatedAt when it last changed
 * @param evidence what the investigation found, once investigated
 * @param diagnosis the diagnosis, once diagnosed
 * @param plan the remediation plan, once planned
 * @param outcome how it ended: set exactly when the state is terminal, and then its {@link IncidentOutcome#state()}
 * @param outcomeReason why it ended so, in words, once terminal
 * @param candidates the ranked root-cause candidates, most likely first (empty when none were ranked; null reads as
 *     empty, as in records written before the list existed). Where the ranking agrees with the correlator, the first
 *     is {@link #rootService()}; where it does not, the list shows where the evidence points and the root stays the
 *     correlator's
 */
public record Incident(
    String id,
    IncidentType type,
    Severity severity,
    IncidentState state,
    String rootService,
    Set<String> affectedServices,
    List<Anomaly> anomalies,
    Instant openedAt,
    Instant updatedAt,
    @Nullable Evidence evidence,
    @Nullable Diagnosis diagnosis,
    @Nullable RemediationPlan plan,
    @Nullable IncidentOutcome outcome,
    @Nullable String outcomeReason,
    List<RootCandidate> candidates) {

  public Incident {
    Require.notBlank(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(state, "state");
    Require.notBlank(rootService, "rootService");
    affectedServices = Set.copyOf(new TreeSet<>(Objects.requireNonNull(affectedServices, "affectedServices")));
    anomalies = List.copyOf(Objects.requireNonNull(anomalies, "anomalies"));
    if (anomalies.isEmpty()) {
      throw new IllegalArgumentException("anomalies must not be empty, but was []");
    }
    Objects.requireNonNull(openedAt, "openedAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    if (outcome == null ? state.isTerminal() : outcome.state() != state) {
      throw new IllegalArgumentException("outcome must be set exactly for a terminal state, and match it, but was "
          + outcome + " in state " + state + " (the core lifecycle ends incidents with their outcome)");
    }
    candidates = candidates == null ? List.of() : List.copyOf(candidates);
  }

  /** An incident without a ranked candidate list (as before the list existed). */
  public Incident(String id, IncidentType type, Severity severity, IncidentState state, String rootService,
      Set<String> affectedServices, List<Anomaly> anomalies, Instant openedAt, Instant updatedAt,
      @Nullable Evidence evidence, @Nullable Diagnosis diagnosis, @Nullable RemediationPlan plan,
      @Nullable IncidentOutcome outcome, @Nullable String outcomeReason) {
    this(id, type, severity, state, rootService, affectedServices, anomalies, openedAt, updatedAt, evidence,
        diagnosis, plan, outcome, outcomeReason, List.of());
  }

  /** A new incident in state {@link IncidentState#OPEN} from its first anomaly. */
  public static Incident open(String id, Anomaly first, String rootService, Instant now) {
    return new Incident(id, first.type(), first.severity(), IncidentState.OPEN, rootService,
        Set.of(first.service()), List.of(first), now, now, null, null, null, null, null);
  }

  /**
   * Copy with {@code anomaly} merged in (replacing an anomaly with the same key), the root service and type set
   * as given, and the severity raised when the anomaly is worse.
   */
  public Incident withAnomaly(Anomaly anomaly, String newRoot, IncidentType newType, Instant now) {
    Map<String, Anomaly> byKey = new LinkedHashMap<>();
    for (Anomaly a : anomalies) {
      byKey.put(a.key(), a);
    }
    byKey.put(anomaly.key(), anomaly);
    Set<String> affected = new TreeSet<>(affectedServices);
    affected.add(anomaly.service());
    return new Incident(id, newType, severity.worst(anomaly.severity()), state, newRoot, affected,
        new ArrayList<>(byKey.values()), openedAt, now, evidence, diagnosis, plan, outcome, outcomeReason, candidates);
  }

  /** Copy with {@code t} as type (a diagnosis found the detected type to be a symptom). */
  public Incident withType(IncidentType t, Instant now) {
    return new Incident(id, Objects.requireNonNull(t, "t"), severity, state, rootService, affectedServices,
        anomalies, openedAt, now, evidence, diagnosis, plan, outcome, outcomeReason, candidates);
  }

  /** Copy with {@code s} as severity. */
  public Incident withSeverity(Severity s, Instant now) {
    return new Incident(id, type, s, state, rootService, affectedServices, anomalies, openedAt, now, evidence,
        diagnosis, plan, outcome, outcomeReason, candidates);
  }

  /** Copy with evidence. */
  public Incident withEvidence(Evidence e, Instant now) {
    return new Incident(id, type, severity, state, rootService, affectedServices, anomalies, openedAt, now,
        e, diagnosis, plan, outcome, outcomeReason, candidates);
  }

  /** Copy with a diagnosis. */
  public Incident withDiagnosis(Diagnosis d, Instant now) {
    return new Incident(id, type, severity, state, rootService, affectedServices, anomalies, openedAt, now,
        evidence, d, plan, outcome, outcomeReason, candidates);
  }

  /** Copy with a plan. */
  public Incident withPlan(RemediationPlan p, Instant now) {
    return new Incident(id, type, severity, state, rootService, affectedServices, anomalies, openedAt, now,
        evidence, diagnosis, p, outcome, outcomeReason, candidates);
  }

  /** Copy with {@code ranked} as the ranked root-cause candidates. */
  public Incident withCandidates(List<RootCandidate> ranked, Instant now) {
    return new Incident(id, type, severity, state, rootService, affectedServices, anomalies, openedAt, now, evidence,
        diagnosis, plan, outcome, outcomeReason, Objects.requireNonNull(ranked, "ranked"));
  }

  /** The anomalies of the root service. */
  public List<Anomaly> rootAnomalies() {
    return anomalies.stream().filter(a -> a.service().equals(rootService)).toList();
  }
}
