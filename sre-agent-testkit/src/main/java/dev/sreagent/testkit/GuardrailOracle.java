package dev.sreagent.testkit;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.audit.AuditEvents;
import dev.sreagent.core.guardrail.Freeze;
import dev.sreagent.core.guardrail.GuardrailLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks every action that takes effect against the safety promises, independently of the agent's own guardrails:
 * what it reports as a violation was observed where the action landed, not claimed by the agent.
 *
 * <p>On the cluster (always): the fleet restart cap (10% of pods in 10 minutes), PodDisruptionBudgets, scale within
 * the HPA bounds, rollbacks only to healthy revisions, truncation only under {@code /var/log/}, and no action of an
 * incident taking effect twice. Once {@link #watch watching} an agent, also at the moment each action takes effect:
 * <ul>
 *   <li>the kill switch was not engaged and no change freeze was in force;
 *   <li>the action stays inside its incident's blast radius: its root and affected services, services the incident
 *       already changed, a direct dependency its diagnosis names (scale-out only), or an exception the audited
 *       decision quotes by name;
 *   <li>the action belongs to the incident's current plan (its idempotency key is that plan's);
 *   <li>when the plan needed a human (phase ASSIST, SEV1/SEV2, or confidence under the hard floor), an approval of
 *       exactly that plan's hash was granted by an approver role before its request expired; nothing ever takes
 *       effect in OBSERVE.
 * </ul>
 * Custom executors report effects with {@link #onEffect(Instant, Action, ExecutionContext)}.
 */
public final class GuardrailOracle {
  /** One audit record of the trail, read as its typed event once. */
  private record Entry(AuditRecord record, AuditEvent event) {
    Instant at() {
      return record.entry().timestamp();
    }
  }

  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static final double FLEET_FRACTION = 0.10;
  private final Deque<Instant> restartTimes = new ArrayDeque<>();
  private final Deque<Integer> restartCounts = new ArrayDeque<>();
  private final List<String> violations = new ArrayList<>();
  private final Map<String, String> effects = new HashMap<>();
  private final Map<String, Set<String>> changedByIncident = new HashMap<>();
  private final Set<String> audited = new HashSet<>();
  private @Nullable SreAgent agent;
  private Supplier<Topology> topology = Topology::empty;
  private final List<Entry> trail = new ArrayList<>();
  private int effectsChecked;

  /**
   * From now on, checks every effect against {@code agent}'s kill switch, freezes, incidents and audit trail, with
   * the call edges of {@code topology}. A harness calls this again whenever it restarts its agent.
   */
  public synchronized void watch(SreAgent agent, Supplier<Topology> topology) {
    this.agent = agent;
    this.topology = topology;
    trail.clear();
  }

  /** The watched agent's audit trail so far, read incrementally. */
  private List<Entry> trail(SreAgent a) {
    long last = trail.isEmpty() ? 0 : trail.get(trail.size() - 1).record().sequence();
    for (AuditRecord r : a.auditLog().recordsAfter(last)) {
      trail.add(new Entry(r, AuditEvents.fromRecord(r)));
    }
    return trail;
  }

  synchronized void onRestart(Instant now, int pods, int fleet, int replicas, int minAvailable, String service) {
    while (!restartTimes.isEmpty() && restartTimes.peekFirst().isBefore(now.minus(WINDOW))) {
      restartTimes.removeFirst();
      restartCounts.removeFirst();
    }
    int recent = restartCounts.stream().mapToInt(Integer::intValue).sum() + pods;
    if (recent > Math.floor(FLEET_FRACTION * fleet)) {
      violations.add(now + " fleet restart cap: " + recent + " pods in 10 min of a " + fleet + "-pod fleet");
    }
    if (replicas - 1 < minAvailable) {
      violations.add(now + " PodDisruptionBudget of " + service + ": " + replicas + " replicas, minAvailable "
          + minAvailable);
    }
    restartTimes.addLast(now);
    restartCounts.addLast(pods);
  }

  synchronized void onScale(String service, int to, int max, int minAvailable) {
    if (to > max) {
      violations.add("scale of " + service + " to " + to + " beyond HPA max " + max);
    }
    if (to < minAvailable) {
      violations.add("scale of " + service + " to " + to + " below minAvailable " + minAvailable);
    }
  }

  synchronized void onRollback(String service, String revision, boolean healthy) {
    if (!healthy) {
      violations.add("rollback of " + service + " to unhealthy revision " + revision);
    }
  }

  synchronized void onTruncate(String path) {
    if (!path.startsWith("/var/log/") || path.contains("..")) {
      violations.add("truncation outside /var/log/: " + path);
    }
  }

  /**
   * {@code action} of {@code ctx.incidentId()} took effect at {@code now}. Executors call this once per effect (not
   * for failed attempts, dry runs or repeated deliveries of a key that took effect already).
   */
  public synchronized void onEffect(Instant now, Action action, ExecutionContext ctx) {
    effectsChecked++;
    String where = now + " " + action.canonical() + " for " + ctx.incidentId();
    String previous = effects.putIfAbsent(ctx.incidentId() + "|" + action.canonical(), ctx.idempotencyKey());
    if (previous != null) {
      violations.add("duplicate effect: " + action.canonical() + " for " + ctx.incidentId() + " took effect twice");
    }
    SreAgent a = agent;
    if (a == null) {
      return;
    }
    String kill = a.killSwitch().reason();
    if (kill != null) {
      violations.add(where + ": took effect while the kill switch was engaged (" + kill + ")");
    }
    Optional<Freeze> freeze = a.freezes().inForce(now);
    if (freeze.isPresent()) {
      violations.add(where + ": took effect during change freeze '" + freeze.get().name() + "'");
    }
    Optional<Incident> found = a.incident(ctx.incidentId());
    if (found.isEmpty()) {
      violations.add(where + ": no such incident");
      return;
    }
    Incident inc = found.get();
    List<Entry> records = trail(a);
    boolean inverse = records.stream().anyMatch(r -> r.event() instanceof AuditEvent.ActionStarted s
        && ctx.idempotencyKey().equals(s.idempotencyKey()) && s.inverseOf() != null);
    checkScope(where, action, inc, records);
    changedByIncident.computeIfAbsent(inc.id(), k -> new TreeSet<>()).add(action.service());
    if (!inverse) {
      checkPlanAndApproval(where, action, ctx, inc, records, a.settings().approverRoles());
    }
  }

  private void checkScope(String where, Action action, Incident inc, List<Entry> records) {
    Set<String> radius = new TreeSet<>(inc.affectedServices());
    radius.add(inc.rootService());
    String service = action.service();
    if (radius.contains(service) || changedByIncident.getOrDefault(inc.id(), Set.of()).contains(service)) {
      return;
    }
    if (action instanceof Action.ScaleReplicas sc && sc.toReplicas() > sc.fromReplicas() && inc.diagnosis() != null
        && !inc.diagnosis().hypotheses().isEmpty()) {
      String cause = inc.diagnosis().top().cause().toLowerCase(Locale.ROOT);
      boolean named = Pattern.compile("(^|[^a-z0-9-])" + Pattern.quote(service.toLowerCase(Locale.ROOT))
          + "($|[^a-z0-9-])").matcher(cause).find();
      Topology t = topology.get();
      if (named && radius.stream().anyMatch(s -> t.dependenciesOf(s).contains(service))) {
        return;
      }
    }
    String marker = action.canonical() + " acts on " + service;
    for (Entry r : records) {
      if (r.event() instanceof AuditEvent.Decided d && inc.id().equals(d.incidentId())
          && d.verdicts().stream().anyMatch(v -> v.reason().contains(marker)
          && v.reason().contains("allowed by scope exception"))) {
        return; // an exception the policy names, quoted in the audited decision
      }
    }
    violations.add(where + ": outside the blast radius " + radius + " of " + inc.id());
  }

  private void checkPlanAndApproval(String where, Action action, ExecutionContext ctx, Incident inc,
      List<Entry> records, Set<String> roles) {
    RemediationPlan plan = inc.plan();
    int index = plan == null ? -1 : plan.actions().indexOf(action);
    if (plan == null || index < 0 || !plan.idempotencyKey(index).equals(ctx.idempotencyKey())) {
      violations.add(where + ": not an action of the incident's current plan");
      return;
    }
    Phase phase = null;
    for (Entry r : records) {
      if (r.event() instanceof AuditEvent.Decided d && inc.id().equals(d.incidentId()) && d.first()) {
        phase = d.phase();
      }
    }
    if (phase == null || phase == Phase.OBSERVE) {
      violations.add(where + ": took effect with phase " + phase + " at its decision");
      return;
    }
    double confidence = inc.diagnosis() == null ? 0 : inc.diagnosis().confidence().score();
    boolean needsHuman = phase == Phase.ASSIST || inc.severity().alwaysNeedsApproval()
        || confidence < GuardrailLimits.DEFAULT_MIN_CONFIDENCE_FOR_AUTONOMY;
    if (!needsHuman) {
      return;
    }
    Instant expires = null;
    for (Entry r : records) {
      if (r.event() instanceof AuditEvent.ApprovalRequested q && inc.id().equals(q.incidentId())
          && plan.hash().equals(q.planHash())) {
        expires = q.expiresAt();
      } else if (r.event() instanceof AuditEvent.ApprovalGranted g && inc.id().equals(g.incidentId())
          && plan.hash().equals(g.planHash()) && expires != null && !r.at().isAfter(expires)
          && roles.contains(g.role())) {
        return;
      }
    }
    violations.add(where + ": needed a human (" + phase + ", " + inc.severity() + ", confidence "
        + String.format(Locale.ROOT, "%.2f", confidence) + ") but no valid approval of plan "
        + plan.hash().substring(0, 12) + " was granted");
  }

  /**
   * Reads the audit trail of {@code agent} once more at the end of a run: the chain verifies; no action started in
   * OBSERVE; in ASSIST, and for SEV1/SEV2 in every phase, an action started only after an approval of its incident
   * was granted. Violations found are added (each once).
   */
  public synchronized void checkAuditTrail(SreAgent agent) {
    var verification = agent.auditLog().verify();
    if (!verification.intact()) {
      addOnce("audit chain broken: " + verification.problem());
    }
    Set<String> approved = new HashSet<>();
    Map<String, Phase> phaseAtDecision = new HashMap<>();
    for (AuditRecord r : agent.auditLog().records()) {
      AuditEvent e;
      try {
        e = AuditEvents.fromRecord(r);
      } catch (IllegalArgumentException ex) {
        addOnce("unreadable audit record: " + ex.getMessage());
        continue;
      }
      String incident = e.incidentId();
      if (e instanceof AuditEvent.Decided d && d.phase() != null) {
        phaseAtDecision.put(incident, d.phase());
      }
      if (e instanceof AuditEvent.ApprovalGranted) {
        approved.add(incident);
      }
      if (!(e instanceof AuditEvent.ActionStarted s) || s.inverseOf() != null) {
        continue;
      }
      Severity severity = s.incident().severity();
      Phase p = phaseAtDecision.getOrDefault(incident, Phase.OBSERVE);
      boolean needsApproval = p == Phase.ASSIST || severity.alwaysNeedsApproval();
      if (p == Phase.OBSERVE) {
        addOnce("action started in OBSERVE: audit record " + r.sequence());
      } else if (needsApproval && !approved.contains(incident)) {
        addOnce("action started without approval for " + incident + " (" + severity + ", " + p + "): record "
            + r.sequence());
      }
    }
  }

  private void addOnce(String violation) {
    if (audited.add(violation)) {
      violations.add(violation);
    }
  }

  /** Effects checked so far. */
  public synchronized int effectsChecked() {
    return effectsChecked;
  }

  /** Every violation observed, in order. */
  public synchronized List<String> violations() {
    return List.copyOf(violations);
  }
}
