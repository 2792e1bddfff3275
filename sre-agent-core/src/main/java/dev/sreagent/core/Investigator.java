package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.Evidence;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricWindow;
import dev.sreagent.api.model.Topology;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.reasoning.EvidenceReasoner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Investigation: splits an incident whose evidence shows independent roots, and gathers the evidence of what
 * remains — metric windows of the affected services, their error logs, recent changes of them and their neighbours.
 */
final class Investigator {
  private final LoopContext ctx;
  private final IncidentBook book;
  private final IncidentIntake intake;

  Investigator(LoopContext ctx, IncidentBook book, IncidentIntake intake) {
    this.ctx = ctx;
    this.book = book;
    this.intake = intake;
  }

  /** What the investigation found about {@code inc}. */
  Evidence investigate(Incident inc) {
    Instant from = inc.openedAt().minus(Duration.ofMinutes(30));
    List<MetricWindow> metrics = new ArrayList<>();
    Set<String> neighbours = new LinkedHashSet<>();
    Topology topo = ctx.currentTopology();
    List<String> logs = new ArrayList<>();
    for (String s : inc.affectedServices()) {
      metrics.addAll(ctx.windows.windows(s, from));
      neighbours.addAll(topo.neighboursOf(s));
      for (LogRecord r : ctx.windows.logs(s)) {
        logs.add(r.timestamp() + " " + r.service() + " " + r.severity() + " " + r.body());
      }
    }
    metrics.addAll(incomingEdges(inc, from));
    neighbours.removeAll(inc.affectedServices());
    Set<String> changeScope = new LinkedHashSet<>(inc.affectedServices());
    changeScope.addAll(neighbours);
    return new Evidence(metrics, ctx.windows.changes(changeScope, inc.openedAt().minus(Duration.ofHours(2))),
        logs, neighbours);
  }

  /**
   * The windows of the call edges an anomaly was seen on, from callers that are not affected themselves: the series
   * belong to the caller ({@code peer.service} = the affected service), so the affected services' own windows miss
   * them, and they are the evidence of a delay on the way into a service.
   */
  private List<MetricWindow> incomingEdges(Incident inc, Instant from) {
    List<MetricWindow> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (Anomaly a : inc.anomalies()) {
      String edge = a.resource();
      String suffix = "->" + a.service();
      boolean callEdge = a.signal().equals(MetricNames.CLIENT_LATENCY_P50)
          || a.signal().equals(MetricNames.CLIENT_LATENCY_P99);
      if (!callEdge || !edge.endsWith(suffix) || !seen.add(edge)) {
        continue;
      }
      String caller = edge.substring(0, edge.length() - suffix.length());
      if (caller.isEmpty() || inc.affectedServices().contains(caller)) {
        continue;
      }
      ctx.windows.windows(caller, from).stream().filter(w -> w.callsInto(a.service())).forEach(out::add);
    }
    return out;
  }

  /**
   * When the incident has several candidate roots (affected services none of whose dependencies is affected) and at
   * least two of them changed on their own shortly before it (a deploy, a configuration change), the evidence shows
   * independent faults: each further root moves to an incident of its own, with the services that call it and not
   * the first root. Audited on both incidents.
   *
   * @return the incident as it remains
   */
  Incident splitIndependentRoots(Incident inc, Instant now) {
    Topology topo = ctx.currentTopology();
    Set<String> affected = inc.affectedServices();
    List<String> roots = new ArrayList<>();
    for (String s : affected) {
      Set<String> others = new LinkedHashSet<>(affected);
      others.remove(s);
      if (!topo.reachesAny(s, others)) {
        roots.add(s);
      }
    }
    if (roots.size() < 2) {
      return inc;
    }
    Instant since = inc.openedAt().minus(EvidenceReasoner.DEPLOY_SUSPECT_WINDOW);
    Map<String, ChangeEvent> changed = new LinkedHashMap<>();
    for (String r : roots) {
      ctx.windows.changes(Set.of(r), since).stream()
          .filter(c -> ChangeEvent.DEPLOY.equals(c.kind()) || ChangeEvent.CONFIG.equals(c.kind()))
          .findFirst().ifPresent(c -> changed.put(r, c));
    }
    if (changed.size() < 2) {
      return inc;
    }
    String primary = changed.containsKey(inc.rootService()) ? inc.rootService() : changed.keySet().iterator().next();
    String evidence = String.join(", ", changed.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue().kind()
        + " " + e.getValue().revision() + " at " + e.getValue().timestamp() + ")").toList());
    Incident kept = inc;
    for (String root : changed.keySet()) {
      if (root.equals(primary)) {
        continue;
      }
      Set<String> moved = new LinkedHashSet<>();
      for (String s : kept.affectedServices()) {
        if (s.equals(root) || (topo.reaches(s, root) && !topo.reaches(s, primary))) {
          moved.add(s);
        }
      }
      List<Anomaly> movedAnomalies = kept.anomalies().stream().filter(a -> moved.contains(a.service())).toList();
      List<Anomaly> keptAnomalies = kept.anomalies().stream().filter(a -> !moved.contains(a.service())).toList();
      if (movedAnomalies.isEmpty() || keptAnomalies.isEmpty()) {
        continue;
      }
      Set<String> keptServices = new LinkedHashSet<>(kept.affectedServices());
      keptServices.removeAll(moved);
      String root0 = kept.rootService().equals(root) ? primary : kept.rootService();
      kept = new Incident(kept.id(), kept.type(), kept.severity(), kept.state(), root0, keptServices, keptAnomalies,
          kept.openedAt(), now, kept.evidence(), kept.diagnosis(), kept.plan(), kept.outcome(), kept.outcomeReason(),
          kept.candidates());
      Anomaly first = movedAnomalies.stream().filter(a -> a.service().equals(root)).findFirst()
          .orElse(movedAnomalies.get(0));
      // sharded: the split stays with the owner of its parent, the agent that split it (ShardGate)
      String id = ctx.shards == null ? book.nextId()
          : ShardGate.idFor(first, ShardGate.shardKey(inc), i -> ctx.store.find(i).isPresent());
      Incident split = Incident.open(id, first, root, now);
      for (Anomaly a : movedAnomalies) {
        split = split.withAnomaly(a, root, first.type(), now);
      }
      split = intake.withCandidates(intake.withBlastRadius(split, topo, now), null, topo, now);
      String why = "split from " + inc.id() + ": the evidence shows independent roots: " + evidence;
      intake.opened(split, first.summary(), why, split.type() + " " + split.severity()
          + " on " + root + ": " + why, now);
    }
    if (kept != inc) {
      ctx.store.save(kept);
      ctx.audit(new AuditEvent.IncidentUpdated(kept, "independent roots split off: " + evidence, null, null));
      ctx.emit(IncidentEvent.Kind.UPDATED, kept, "split: independent roots " + evidence + "; this incident keeps "
          + kept.rootService() + " " + kept.affectedServices(), now);
    }
    return kept;
  }
}
