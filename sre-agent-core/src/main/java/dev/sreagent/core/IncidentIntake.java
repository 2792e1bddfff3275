package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.model.Span;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.Correlation;
import dev.sreagent.api.port.Correlator;
import dev.sreagent.api.port.Detector;
import dev.sreagent.core.audit.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Intake: signals go to the investigation windows, the call graph and the detectors; the anomalies they report are
 * correlated into incidents — joining an active one, staying with an escalated incident whose root is still degraded,
 * or opening a new one, at most {@link #MAX_ACTIVE_INCIDENTS} at a time.
 */
final class IncidentIntake {
  private static final Logger LOG = LoggerFactory.getLogger(SreAgent.class);
  /** Active incidents at most: beyond, anomalies that join none are counted and not opened (an alert storm). */
  static final int MAX_ACTIVE_INCIDENTS = 1_000;
  /** How long an escalated or rolled-back incident may own new symptoms of its still-degraded root. */
  static final Duration OWNERSHIP = Duration.ofHours(24);
  /**
   * For this long after its onset an incident's candidates are ranked again as the samples after the onset arrive
   * (the ranking reads the first samples from the onset: three of 5-minute data take 15 minutes), at most once per
   * {@link #RERANK_EVERY}.
   */
  static final Duration RERANK_FOR = Duration.ofMinutes(15);
  static final Duration RERANK_EVERY = Duration.ofMinutes(1);
  /** How many of the newest incidents are considered as owners. */
  static final int OWNER_SCAN = 500;
  /** How many times one anomaly may be raised again after its incident ended. */
  static final int MAX_RAISES = 3;

  private final LoopContext ctx;
  /**
   * The incidents opened in the last {@link #RERANK_FOR} (by id, in opening order) and when each was last ranked;
   * bounded by {@link #MAX_ACTIVE_INCIDENTS}.
   */
  private final Map<String, Instant> young = new java.util.LinkedHashMap<>();
  private final IncidentBook book;
  private final Correlator correlator;
  private final IncidentCandidates candidates;
  /** How often an anomaly episode was raised again after its incident resolved. */
  private final Map<String, Integer> raised = new HashMap<>();

  IncidentIntake(LoopContext ctx, IncidentBook book, Correlator correlator) {
    this.ctx = ctx;
    this.book = book;
    this.correlator = correlator;
    this.candidates = new IncidentCandidates(ctx.rootCauseRanking, ctx.windows);
  }

  /** One signal through the windows, the call graph and the detectors; anomalies go to {@code found}. */
  void ingest(Signal s, List<Anomaly> found) {
    if (s instanceof MetricSample m) {
      if (!Double.isFinite(m.value())) {
        ctx.counters.signalsRejected.incrementAndGet();
        ctx.telemetry.rejected();
        return;
      }
      ctx.windows.add(m);
      String peer = m.attribute(dev.sreagent.api.model.Attributes.PEER_SERVICE);
      if (peer != null && m.attribute(dev.sreagent.api.model.Attributes.SERVICE_NAME) != null) {
        // a call edge's client-side series: the caller calls the peer (metrics-only telemetry has no spans)
        ctx.graph.observeCall(m.service(), peer.strip(), m.timestamp());
      }
    } else if (s instanceof ChangeEvent e) {
      ctx.windows.add(e);
    } else if (s instanceof LogRecord r) {
      ctx.windows.add(r);
    } else if (s instanceof Span span) {
      ctx.graph.observe(span);
    }
    for (Detector d : ctx.detectors) {
      try {
        found.addAll(d.observe(s));
      } catch (RuntimeException e) {
        ctx.contained("detector " + d.name(), e);
      }
    }
  }

  /** Correlates one anomaly into an incident. */
  void onAnomaly(Anomaly a, Instant now) {
    Topology topo = ctx.currentTopology();
    List<Incident> active = ctx.store.active();
    Correlation c;
    try {
      c = correlator.correlate(a, active, topo, now);
    } catch (RuntimeException e) {
      ctx.contained("correlator", e);
      c = new Correlation.OpenNew(a.service());
    }
    if (c instanceof Correlation.Attach at) {
      Optional<Incident> target = ctx.store.find(at.incidentId()).filter(i -> !i.state().isTerminal());
      if (target.isPresent()) {
        Incident inc = withCandidates(withBlastRadius(target.get().withAnomaly(a, at.rootService(), at.type(),
            now), topo, now), target.get(), topo, now);
        ctx.store.save(inc);
        ctx.audit(new AuditEvent.IncidentUpdated(inc, null, a.summary(), null));
        ctx.emit(IncidentEvent.Kind.UPDATED, inc, "+ " + a.summary() + " (root " + inc.rootService() + ")", now);
        return;
      }
    }
    Optional<Incident> owner = unresolvedOwner(a, topo, now);
    if (owner.isPresent()) {
      // humans own an escalated incident whose root is still degraded: a new symptom of it is theirs too, not a
      // new incident rooted at a healthy caller
      Incident inc = withCandidates(owner.get().withAnomaly(a, owner.get().rootService(), owner.get().type(), now),
          owner.get(), topo, now);
      ctx.store.save(inc);
      ctx.audit(new AuditEvent.IncidentUpdated(inc, "a symptom of " + inc.id() + ", whose root " + inc.rootService()
          + " is still degraded (" + inc.state() + ")", a.summary(), null));
      ctx.emit(IncidentEvent.Kind.UPDATED, inc, "+ " + a.summary() + " (a symptom of " + inc.rootService()
          + ", still degraded; " + inc.state() + ", with humans)", now);
      return;
    }
    if (active.size() >= MAX_ACTIVE_INCIDENTS) {
      if (ctx.counters.anomaliesSuppressed.incrementAndGet() == 1) {
        LOG.warn("{} incidents are active: anomalies that join none of them are counted (anomaliesSuppressed) and"
            + " not opened until some end; first suppressed: {}", active.size(), a.summary());
      }
      return;
    }
    String root = c instanceof Correlation.OpenNew o ? o.rootService() : a.service();
    String id = ctx.shards == null ? book.nextId() : ShardGate.idFor(a, a.service(),
        i -> ctx.store.find(i).isPresent());
    Incident inc = withCandidates(withBlastRadius(Incident.open(id, a, root, now), topo, now), null, topo, now);
    opened(inc, a.summary(), null, a.type() + " " + inc.severity() + " on " + root + ": "
        + a.summary(), now);
  }

  /**
   * Ranks again every young incident (opened in the last {@link #RERANK_FOR}) this agent acts on ({@code acts}), active
   * or escalated (humans own those, and the list is what they read first): an incident opens on its first samples,
   * often before the ranking's window after the onset is complete (with 5-minute data it opens with at most one sample
   * after the onset). An incident whose list changed is saved, audited and announced.
   */
  void rerankYoung(Instant now, java.util.function.Predicate<Incident> acts) {
    for (Map.Entry<String, Instant> e : List.copyOf(young.entrySet())) {
      // last ranked at or after opening, itself at or after the onset: past this, the incident is no longer young
      if (now.isAfter(e.getValue().plus(RERANK_FOR))) {
        young.remove(e.getKey());
        continue;
      }
      if (now.isBefore(e.getValue().plus(RERANK_EVERY))) {
        continue; // not due: no store read
      }
      Optional<Incident> found = ctx.store.find(e.getKey());
      if (found.isEmpty() || (found.get().state().isTerminal() && found.get().state() != IncidentState.ESCALATED)) {
        young.remove(e.getKey());
      } else if (acts.test(found.get())) {
        rerankYoung(found.get(), now);
      }
    }
  }

  private void rerankYoung(Incident inc, Instant now) {
    Instant onset = inc.anomalies().stream().map(Anomaly::startedAt).min(Instant::compareTo).orElse(inc.openedAt());
    if (inc.candidates().isEmpty() || now.isAfter(onset.plus(RERANK_FOR))) {
      young.remove(inc.id());
      return;
    }
    young.put(inc.id(), now);
    Incident ranked = withCandidates(inc, null, ctx.currentTopology(), now);
    if (ranked == inc) {
      return;
    }
    ctx.store.save(ranked);
    ctx.audit(new AuditEvent.IncidentUpdated(ranked, "ranked again with the samples after the onset", null, null));
    ctx.emit(IncidentEvent.Kind.UPDATED, ranked, "candidates ranked again: " + (ranked.candidates().isEmpty() ? "none"
        : ranked.candidates().get(0).service() + " first"), now);
  }

  /** A new incident: counted, saved, traced, audited, announced. */
  void opened(Incident inc, String anomaly, @Nullable String reason, String message, Instant now) {
    ctx.counters.incidentsOpened.incrementAndGet();
    if (young.size() < MAX_ACTIVE_INCIDENTS) {
      young.put(inc.id(), now);
    }
    ctx.store.save(inc);
    ctx.telemetry.opened(inc);
    ctx.audit(new AuditEvent.IncidentOpened(inc, anomaly, reason));
    ctx.emit(IncidentEvent.Kind.OPENED, inc, message, now);
  }

  /**
   * The escalated or rolled-back incident that explains {@code a}: one of the same type whose root the detectors
   * still find degraded, where {@code a} is on another affected service or on a service that calls the root. (An
   * anomaly on the root itself is a new episode there: a recurrence, not a symptom.) A CPU saturation on any service
   * the incident affects, its root included, is that incident's evidence (a cause of what humans already have), not a
   * new incident.
   */
  private Optional<Incident> unresolvedOwner(Anomaly a, Topology topo, Instant now) {
    List<Incident> all = ctx.store.all();
    for (int i = all.size() - 1; i >= Math.max(0, all.size() - OWNER_SCAN); i--) {
      Incident inc = all.get(i);
      if (inc.updatedAt().isBefore(now.minus(OWNERSHIP))) {
        continue;
      }
      if ((inc.state() != IncidentState.ESCALATED && inc.state() != IncidentState.ROLLED_BACK)
          || inc.outcome() == dev.sreagent.api.model.IncidentOutcome.OWNED_ELSEWHERE) {
        continue;
      }
      boolean cause = a.type().equals(IncidentType.CPU_SATURATION) && inc.affectedServices().contains(a.service());
      if (!cause && (!inc.type().equals(a.type()) || a.service().equals(inc.rootService())
          || !(inc.affectedServices().contains(a.service()) || topo.reaches(a.service(), inc.rootService())))) {
        continue;
      }
      if (ctx.firing(inc.type(), inc.rootService())) {
        return Optional.of(inc);
      }
    }
    return Optional.empty();
  }

  /**
   * Correlates anomalies that still fire after their incident resolved as if they had just been detected (their
   * detectors report once per episode, so nothing else would): they join an active incident they belong to, or open
   * a follow-up rooted where the evidence points now.
   */
  void raiseAgain(List<Anomaly> lingering, Instant now) {
    for (Anomaly a : lingering) {
      String key = a.key() + "@" + a.startedAt();
      int n = raised.merge(key, 1, Integer::sum);
      if (raised.size() > 10_000) {
        raised.clear(); // bounded: an old episode's count is not worth keeping
      }
      if (n <= MAX_RAISES) {
        onAnomaly(a, now);
      }
    }
  }

  /**
   * {@code inc} with its ranked root-cause list ({@link IncidentCandidates}), ranked again only when its affected
   * services or root changed since {@code before}; a ranking that fails is contained and the incident kept as it is.
   */
  Incident withCandidates(Incident inc, @Nullable Incident before, Topology topo, Instant now) {
    try {
      return candidates.rank(inc, before, topo, now);
    } catch (RuntimeException e) {
      ctx.contained("root-cause ranking", e);
      return inc;
    }
  }

  /**
   * The ranking of a problem seen at {@code at} without an incident ({@link SreAgent#rankCandidates}): the windows as
   * they are now, the current call graph; a ranking that fails is contained and ranks nothing.
   */
  List<RootCandidate> rankAt(Instant at, Set<String> entries, @Nullable IncidentType symptom) {
    Set<String> named = IncidentCandidates.question(at, entries);
    try {
      return candidates.rankAt(at, named, symptom, ctx.currentTopology());
    } catch (RuntimeException e) {
      ctx.contained("root-cause ranking", e);
      return List.of();
    }
  }

  /** Raises the severity of an incident that reaches an entry point or spreads wide (before any plan exists). */
  Incident withBlastRadius(Incident inc, Topology topo, Instant now) {
    if (inc.plan() != null) {
      return inc;
    }
    Severity s;
    try {
      s = correlator.severity(inc, topo);
    } catch (RuntimeException e) {
      ctx.contained("correlator severity", e);
      return inc;
    }
    if (s == null) {
      return inc;
    }
    return s == inc.severity() ? inc : inc.withSeverity(s, now);
  }
}
