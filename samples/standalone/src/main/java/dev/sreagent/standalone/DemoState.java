package dev.sreagent.standalone;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.port.Notifier;
import dev.sreagent.core.SreAgent;
import dev.sreagent.testkit.ScenarioResult;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.TimelinePrinter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What the dashboard shows: the scenario running now, its incidents with their events, results so far. */
final class DemoState implements Notifier {
  private int decisions;
  private final Instant origin;
  private String scenario = "";
  private String description = "";
  private String phase = "";
  private @Nullable Instant now;
  private boolean running = true;
  private @Nullable SreAgent agent;
  private final Map<String, Incident> incidents = new LinkedHashMap<>();
  private final Map<String, List<Map<String, String>>> events = new LinkedHashMap<>();
  private final List<ScenarioResult> results = new ArrayList<>();

  DemoState(Instant origin) {
    this.origin = origin;
  }

  synchronized void startScenario(String name, String text, String phaseName) {
    scenario = name;
    description = text;
    phase = phaseName;
    incidents.clear();
    events.clear();
    agent = null;
  }

  synchronized void onStep(SimulationHarness h) {
    now = h.clock().now();
    agent = h.agent();
  }

  synchronized void finishScenario(ScenarioResult r) {
    results.add(r);
  }

  synchronized void finishAll() {
    running = false;
  }

  @Override
  public synchronized void notify(IncidentEvent e) {
    incidents.put(e.incident().id(), e.incident());
    Map<String, String> ev = new LinkedHashMap<>();
    ev.put("t", TimelinePrinter.stamp(origin, e.at()));
    ev.put("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    ev.put("message", e.message());
    events.computeIfAbsent(e.incident().id(), k -> new ArrayList<>()).add(ev);
  }

  /** Submits a dashboard user's answer; returns an error text, or null when accepted for the next tick. */
  synchronized @Nullable String decide(String incidentId, String planHash, boolean approve, String user) {
    if (agent == null || now == null) {
      return "no scenario is running";
    }
    agent.submitApproval(new ApprovalDecision(incidentId, planHash, user, "sre", approve, now,
        "decided on the dashboard"));
    decisions++;
    return null;
  }

  /** Decisions handed to the agent so far (it applies each on its next tick). */
  synchronized int decisions() {
    return decisions;
  }

  synchronized Map<String, Object> snapshot() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("scenario", scenario);
    s.put("description", description);
    s.put("phase", phase);
    s.put("time", now == null ? "" : TimelinePrinter.stamp(origin, now));
    s.put("running", running);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Incident i : incidents.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", i.id());
      m.put("type", i.type().name());
      m.put("severity", i.severity().name());
      m.put("state", i.state().name());
      m.put("root", i.rootService());
      m.put("affected", i.affectedServices());
      m.put("diagnosis", i.diagnosis() == null ? "" : i.diagnosis().top().cause());
      m.put("confidence", i.diagnosis() == null ? "" : i.diagnosis().confidence().explanation());
      RemediationPlan p = i.plan();
      m.put("plan", p == null ? List.of() : p.actions().stream().map(a -> a.canonical()).toList());
      m.put("outcome", i.outcomeReason() == null ? "" : i.outcomeReason());
      m.put("outcomeKind", i.outcome() == null ? "" : i.outcome().name());
      m.put("events", events.getOrDefault(i.id(), List.of()));
      list.add(m);
    }
    s.put("incidents", list);
    List<Map<String, Object>> pending = new ArrayList<>();
    if (agent != null) {
      for (ApprovalRequest r : agent.pendingApprovals()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("incident", r.incident().id());
        m.put("planHash", r.planHash());
        m.put("plan", r.plan().actions().stream().map(a -> a.canonical()).toList());
        m.put("reason", r.decision().reason());
        m.put("expires", TimelinePrinter.stamp(origin, r.expiresAt()));
        pending.add(m);
      }
    }
    s.put("pending", pending);
    s.put("results", List.copyOf(results));
    return s;
  }
}
