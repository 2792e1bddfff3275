package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.CallGraph;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.api.port.Notifier;
import dev.sreagent.api.port.TopologyProvider;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.audit.AuditEvents;
import dev.sreagent.core.internal.AgentTelemetry;
import dev.sreagent.core.internal.SignalWindows;
import dev.sreagent.core.phase.DiagnosticAccuracy;
import dev.sreagent.core.phase.PhaseRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the stages of the loop share: the clock and settings, the incident store and audit trail, the notifiers and
 * telemetry, the detectors with the investigation windows and learned call graph, the phases and track records, and
 * the counters. Used from the loop's thread; the counters and track records may be read from any thread.
 */
final class LoopContext {
  private static final Logger LOG = LoggerFactory.getLogger(SreAgent.class);
  /** The actor of what the agent itself records. */
  static final String AGENT = AuditEvents.AGENT;
  /** Points kept per series for investigations: 30 minutes at a 15 s interval. */
  private static final int SIGNAL_POINTS = 120;

  final Clock clock;
  final AgentSettings settings;
  final IncidentStore store;
  final AuditLog audit;
  final AgentTelemetry telemetry;
  final List<Detector> detectors;
  final PhaseRegistry phases;
  final LoopCounters counters = new LoopCounters();
  /** Human-verified diagnostic accuracy per incident type. */
  final Map<IncidentType, DiagnosticAccuracy> accuracy = new ConcurrentHashMap<>();
  /** Investigation windows: at most 200,000 series and 10,000 services' logs, dropped after an hour idle. */
  final SignalWindows windows = new SignalWindows(SIGNAL_POINTS, 200_000, 2_000, 20, 10_000, Duration.ofHours(1));
  final CallGraph graph;
  /** Ranks each incident's root-cause candidates (the built-in ranking of sre-agent-detect, or none). */
  final dev.sreagent.api.port.RootCauseRanking rootCauseRanking;
  /** The agents sharing the work, or null when this agent works alone (and owns everything). */
  final dev.sreagent.api.shard.@org.jspecify.annotations.Nullable ShardMembership shards;
  private final List<Notifier> notifiers;
  private final TopologyProvider topology;
  private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();

  LoopContext(AgentParts p) {
    this.clock = p.clock;
    this.settings = p.settings;
    this.store = p.store;
    this.graph = p.callGraph;
    this.rootCauseRanking = p.rootCauseRanking;
    this.audit = p.audit;
    this.detectors = List.copyOf(p.detectors);
    this.phases = p.phases;
    this.notifiers = List.copyOf(p.notifiers);
    this.topology = p.topology;
    this.telemetry = new AgentTelemetry(p.openTelemetry, p.store::active);
    this.shards = p.shards;
  }

  /** Appends {@code event} to the audit log, stamped with the clock's time. */
  void audit(AuditEvent event) {
    audit.append(AuditEvents.toEntry(event, clock.now()));
  }

  /**
   * Tells every notifier; a notifier that throws is contained. Silent for an incident another agent owns (see
   * {@link ShardGate}): only its owner notifies.
   */
  void emit(IncidentEvent.Kind kind, Incident inc, String message, Instant now) {
    if (shards != null && !shards.owns(ShardGate.shardKey(inc))) {
      return;
    }
    IncidentEvent event = new IncidentEvent(now, kind, inc, message);
    for (Notifier n : notifiers) {
      try {
        n.notify(event);
      } catch (RuntimeException e) {
        contained("notifier " + n.getClass().getName(), e);
      }
    }
  }

  /** A plug-in failed: counted, logged once at WARN (then at DEBUG), never thrown into the loop. */
  void contained(String component, RuntimeException e) {
    counters.componentFailures.incrementAndGet();
    if (loggedFailures.add(component)) {
      LOG.warn("{} failed; contained and counted (further failures of it are logged at DEBUG)", component, e);
    } else {
      LOG.debug("{} failed again", component, e);
    }
  }

  /**
   * The topology provider's view with the call edges learned from trace spans added, and those the call-edge series
   * name (a caller's samples with {@code peer.service}: without spans or a static graph they are the only word that
   * the caller calls the callee, and a delay into the callee must root there, not at its callers).
   */
  Topology currentTopology() {
    Topology base;
    try {
      base = topology.topology();
    } catch (RuntimeException e) {
      contained("topology provider", e);
      base = Topology.empty();
    }
    Topology merged = graph.mergeInto(base);
    Set<Topology.Dependency> named = windows.callEdges();
    if (merged.dependencies().containsAll(named)) {
      return merged;
    }
    Set<Topology.Dependency> deps = new java.util.HashSet<>(merged.dependencies());
    deps.addAll(named);
    return new Topology(merged.services(), deps);
  }

  /** Whether a detector of {@code type} still fires on {@code service}. */
  boolean firing(IncidentType type, String service) {
    for (Detector d : detectors) {
      try {
        if (d.type().equals(type) && d.isFiring(service)) {
          return true;
        }
      } catch (RuntimeException e) {
        contained("detector " + d.name(), e);
      }
    }
    return false;
  }

  /** Human-verified diagnostic accuracy for {@code type}. */
  DiagnosticAccuracy accuracy(IncidentType type) {
    return accuracy.getOrDefault(type, new DiagnosticAccuracy(0, 0));
  }
}
