package dev.sreagent.core;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Evidence;
import dev.sreagent.api.model.GuardrailVerdict;
import dev.sreagent.api.model.ExecutedAction;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.KnowledgeDocument;
import dev.sreagent.api.model.KnowledgeQuery;
import dev.sreagent.api.model.Lock;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.MetricWindow;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.model.SafetyDecision;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.Correlation;
import dev.sreagent.api.port.Correlator;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.api.port.LockService;
import dev.sreagent.api.port.Notifier;
import dev.sreagent.api.port.Reasoner;
import dev.sreagent.api.port.RemediationPlanner;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import dev.sreagent.api.port.TopologyProvider;
import dev.sreagent.core.audit.AuditTypes;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.execution.ResilientActionExecutor;
import dev.sreagent.core.guardrail.ChangeFreezes;
import dev.sreagent.core.guardrail.KillSwitch;
import dev.sreagent.core.guardrail.SafetyGate;
import dev.sreagent.core.internal.Json;
import dev.sreagent.core.internal.SignalWindows;
import dev.sreagent.core.lifecycle.IncidentLifecycle;
import dev.sreagent.core.phase.DiagnosticAccuracy;
import dev.sreagent.core.phase.PhaseRegistry;
import dev.sreagent.core.runtime.BackgroundRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * An autonomous reliability agent: detect, investigate, diagnose, remediate, verify, learn.
 *
 * <pre>{@code
 * SreAgent agent = SreAgent.builder()
 *     .addTelemetrySource(mySource)          // or push signals into agent.sink()
 *     .setTopologyProvider(myTopology)
 *     .addExecutor(myExecutor)
 *     .setDefaultPhase(Phase.ASSIST)         // the default is OBSERVE: nothing runs until you say so
 *     .build();
 * agent.start();                              // starts the sources
 * try (var runner = agent.runInBackground(Duration.ofSeconds(1))) { ... }
 * }</pre>
 *
 * <p>Threading: sources may push from any thread into the bounded inbox ({@link #sink()}); everything else runs in
 * {@link #tick()}, one tick at a time. Simulations call {@code tick()} directly after advancing a virtual clock, so
 * simulated time runs as fast as the CPU allows.
 *
 * <p>Every decision is written to the {@link AuditLog} before it takes effect; on build, the agent replays the log
 * to rebuild its incidents, action history and phases, and never runs an action whose idempotency key is recorded
 * as completed.
 */
public final class SreAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SreAgent.class);
  private static final String AGENT = "agent";
  private static final Duration HISTORY_RETENTION = Duration.ofHours(24);
  /** Points kept per series for investigations: 30 minutes at a 15 s interval. */
  private static final int SIGNAL_POINTS = 120;

  private final Clock clock;
  private final AgentSettings settings;
  private final List<TelemetrySource> sources;
  private final List<Detector> detectors;
  private final Correlator correlator;
  private final KnowledgeBase knowledge;
  private final Reasoner reasoner;
  private final RemediationPlanner planner;
  private final SafetyGate gate;
  private final List<ActionExecutor> executors;
  private final ApprovalChannel approvals;
  private final List<Notifier> notifiers;
  private final IncidentStore store;
  private final AuditLog audit;
  private final LockService locks;
  private final TopologyProvider topology;
  private final PhaseRegistry phases;
  private final KillSwitch killSwitch;
  private final ChangeFreezes freezes;
  private final dev.sreagent.core.internal.AgentTelemetry telemetry;

  private final ArrayBlockingQueue<Signal> inbox;
  /** Investigation windows: at most 200,000 series and 10,000 services' logs, dropped after an hour idle. */
  private final SignalWindows windows = new SignalWindows(SIGNAL_POINTS, 200_000, 2_000, 20, 10_000,
      Duration.ofHours(1));
  private final dev.sreagent.core.internal.CapacityReport capacity = new dev.sreagent.core.internal.CapacityReport();
  private final dev.sreagent.detect.DependencyGraph graph = new dev.sreagent.detect.DependencyGraph();
  private final Deque<ExecutedAction> history = new ArrayDeque<>();
  /**
   * Actions started whose outcome is not settled yet (a failed or timed-out attempt, an answer that may have been a
   * lie), by idempotency key: the guardrails count them as executed until they complete, so a cap, a restart wave or
   * a cooldown can never be passed by an action that did land while the agent believed it had not.
   */
  private final Map<String, ExecutedAction> inDoubt = new LinkedHashMap<>();
  private final Map<String, ApprovalRequest> pending = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<ApprovalDecision> submitted = new ConcurrentLinkedQueue<>();
  private final Set<String> startedKeys = new HashSet<>();
  private final Set<String> completedKeys = new HashSet<>();
  private final Map<String, Instant> verifyingSince = new HashMap<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  private final Map<String, Instant> retryAt = new HashMap<>();
  /** Since when an action's target has been locked by another agent, by idempotency key. */
  private final Map<String, Instant> lockedSince = new HashMap<>();
  /** The plan hash a human approved, by incident id: re-checks before later attempts keep the approval. */
  private final Map<String, String> approvedPlans = new HashMap<>();
  private @Nullable String killSwitchSeen;
  /** How often an anomaly episode was raised again after its incident resolved. */
  private final Map<String, Integer> raised = new HashMap<>();
  private final java.util.Random jitter;
  private final Map<String, Double> verifyBaseline = new HashMap<>();
  private final Map<String, Instant> worseSince = new HashMap<>();
  private final Map<IncidentType, DiagnosticAccuracy> accuracy = new ConcurrentHashMap<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();
  private long nextIncident;
  private final java.util.concurrent.@Nullable Executor diagnosisExecutor;
  private final dev.sreagent.core.reasoning.@Nullable ConfidenceCalibration calibration;
  /** Diagnoses running on the diagnosis executor, by incident id, with the evidence they were given. */
  private final Map<String, PendingDiagnosis> diagnosing = new HashMap<>();

  private record PendingDiagnosis(Incident withEvidence, java.util.concurrent.CompletableFuture<Diagnosis> future) {}

  private final AtomicLong signalsAccepted = new AtomicLong();
  private final AtomicLong signalsDropped = new AtomicLong();
  private long signalsRejected;
  private long anomalies;
  private long incidentsOpened;
  private long actionsExecuted;
  private long actionsFailed;
  private long actionsShadowed;
  private long plansDenied;
  private long approvalsRequested;
  private long anomaliesSuppressed;
  private final AtomicLong componentFailures = new AtomicLong();

  SreAgent(SreAgentBuilder.Parts p) {
    this.clock = p.clock;
    this.settings = p.settings;
    this.sources = List.copyOf(p.sources);
    this.detectors = List.copyOf(p.detectors);
    this.correlator = p.correlator;
    this.knowledge = p.knowledge;
    this.reasoner = p.reasoner;
    this.planner = p.planner;
    this.gate = p.gate;
    this.executors = List.copyOf(p.executors);
    this.approvals = p.approvals;
    this.notifiers = List.copyOf(p.notifiers);
    this.store = p.store;
    this.audit = p.audit;
    this.locks = p.locks;
    this.topology = p.topology;
    this.phases = p.phases;
    this.killSwitch = p.killSwitch;
    this.freezes = p.freezes;
    this.telemetry = new dev.sreagent.core.internal.AgentTelemetry(p.openTelemetry, () -> store.active());
    this.diagnosisExecutor = p.diagnosisExecutor;
    this.calibration = p.calibration;
    this.inbox = new ArrayBlockingQueue<>(settings.inboxCapacity());
    this.jitter = new java.util.Random(settings.agentId().hashCode());
    replay();
    audit(AuditTypes.AGENT_STARTED, null, AGENT, Map.of("agentId", settings.agentId(), "replayedIncidents",
        String.valueOf(store.all().size())));
  }

  /** A builder with defaults for everything: {@code SreAgent.builder().build()} works. */
  public static SreAgentBuilder builder() {
    return new SreAgentBuilder();
  }

  // ---------------------------------------------------------------- public surface

  /** Where telemetry goes: thread-safe, never blocks, returns false (and counts) when the inbox is full. */
  public TelemetrySink sink() {
    return this::offer;
  }

  private boolean offer(Signal s) {
    if (closed.get() || s == null || !inbox.offer(s)) {
      signalsDropped.incrementAndGet();
      telemetry.dropped();
      return false;
    }
    signalsAccepted.incrementAndGet();
    telemetry.accepted();
    return true;
  }

  /** Starts every telemetry source, pushing into {@link #sink()}. Idempotent. */
  public void start() {
    if (started.compareAndSet(false, true)) {
      for (TelemetrySource s : sources) {
        s.start(sink());
        LOG.info("telemetry source {} started", s.name());
      }
    }
  }

  /** Runs {@link #tick()} every {@code interval} on a daemon thread until the returned runner is closed. */
  public BackgroundRunner runInBackground(Duration interval) {
    start();
    return BackgroundRunner.start(this::tick, interval, settings.agentId());
  }

  /** The settings the agent runs with. */
  public AgentSettings settings() {
    return settings;
  }

  /** The kill switch: engage it to deny every action at once. */
  public KillSwitch killSwitch() {
    return killSwitch;
  }

  /**
   * The change freezes this agent honours: the policy's windows and those declared with
   * {@link #declareFreeze(String, Duration, String, String)}.
   */
  public ChangeFreezes freezes() {
    return freezes;
  }

  /**
   * An operator declares a change freeze from now for {@code duration}: no action starts while it is in force, and a
   * remediation already under way stops at its next attempt (re-checked) and is escalated. Audited.
   */
  public void declareFreeze(String name, Duration duration, String operator, String reason) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, but was " + duration);
    }
    Instant now = clock.now();
    freezes.declare(name, now, now.plus(duration));
    audit(AuditTypes.FREEZE_DECLARED, null, operator, Map.of("name", name, "from", now.toString(), "until",
        now.plus(duration).toString(), "reason", reason));
  }

  /** An operator ends the declared freeze {@code name}; returns whether there was one. Audited. */
  public boolean endFreeze(String name, String operator) {
    boolean ended = freezes.end(name);
    if (ended) {
      audit(AuditTypes.FREEZE_ENDED, null, operator, Map.of("name", name));
    }
    return ended;
  }

  /** The audit log. */
  public AuditLog auditLog() {
    return audit;
  }

  /** The knowledge base (runbooks and the post-mortems the agent wrote). */
  public KnowledgeBase knowledgeBase() {
    return knowledge;
  }

  /** All incidents, oldest first. */
  public List<Incident> incidents() {
    return store.all();
  }

  /** The incident with {@code id}. */
  public Optional<Incident> incident(String id) {
    return store.find(id);
  }

  /** The phase in force for {@code type}. */
  public Phase phase(IncidentType type) {
    return phases.phaseFor(type);
  }

  /** The phase in force for {@code type} on {@code service}. */
  public Phase phase(IncidentType type, String service) {
    return phases.phaseFor(type, service);
  }

  /** Human-verified diagnostic accuracy for {@code type}. */
  public DiagnosticAccuracy accuracy(IncidentType type) {
    return accuracy.getOrDefault(type, new DiagnosticAccuracy(0, 0));
  }

  /** Counters since start. */
  public AgentStats stats() {
    return new AgentStats(signalsAccepted.get(), signalsDropped.get(), signalsRejected, anomalies, incidentsOpened,
        actionsExecuted, actionsFailed, actionsShadowed, plansDenied, approvalsRequested, componentFailures.get(),
        capacity.seriesEvicted(), capacity.logSourcesEvicted(), capacity.edgesEvicted(),
        capacity.detectorStatesEvicted(), anomaliesSuppressed);
  }

  /** Submits a human's answer to an approval request; it is applied at the next tick. Thread-safe. */
  public void submitApproval(ApprovalDecision decision) {
    submitted.add(Objects.requireNonNull(decision, "decision"));
  }

  /** The approval requests waiting for a human. */
  public synchronized List<ApprovalRequest> pendingApprovals() {
    return List.copyOf(pending.values());
  }

  /**
   * An operator overrides the phase of {@code type} (any direction, no eligibility check: an override is a human
   * decision). Audited with the operator and the reason.
   */
  public synchronized void setPhase(IncidentType type, Phase phase, String operator, String reason) {
    setPhase(type, null, phase, operator, reason);
  }

  /** As {@link #setPhase(IncidentType, Phase, String, String)}, for one service only when {@code service} is set. */
  public synchronized void setPhase(IncidentType type, @Nullable String service, Phase phase, String operator,
      String reason) {
    Phase old = service == null ? phases.phaseFor(type) : phases.phaseFor(type, service);
    phases.set(type, service, phase);
    Map<String, String> data = new LinkedHashMap<>(Map.of("type", type.name(), "from", old.name(), "to",
        phase.name(), "reason", "operator override: " + reason));
    if (service != null) {
      data.put("service", service);
    }
    audit(AuditTypes.PHASE_CHANGED, null, operator, data);
  }

  /**
   * An operator promotes {@code type} (optionally on one {@code service}) to a more autonomous phase. Granted only
   * when the human-verified diagnostic accuracy of the type is eligible: at least {@code minVerified} reviews and a
   * 95% Wilson lower bound of at least {@code minLowerBound}. Audited with the numbers.
   *
   * @throws IllegalStateException when not eligible, quoting the numbers
   * @throws IllegalArgumentException when {@code to} is not above the current phase
   */
  public synchronized void promote(IncidentType type, @Nullable String service, Phase to, String operator,
      int minVerified, double minLowerBound) {
    Phase current = service == null ? phases.phaseFor(type) : phases.phaseFor(type, service);
    if (to.compareTo(current) <= 0) {
      throw new IllegalArgumentException("to must be above the current phase " + current + ", but was " + to);
    }
    DiagnosticAccuracy acc = accuracy(type);
    String numbers = String.format(Locale.ROOT, "%d/%d diagnoses verified correct, Wilson 95%% lower bound %.3f;"
        + " needs >= %d verified and >= %.3f", acc.correct(), acc.verified(), acc.wilsonLowerBound(), minVerified,
        minLowerBound);
    if (!acc.eligible(minVerified, minLowerBound)) {
      throw new IllegalStateException("promotion of " + type + " to " + to + " refused: " + numbers);
    }
    phases.set(type, service, to);
    Map<String, String> data = new LinkedHashMap<>(Map.of("type", type.name(), "from", current.name(), "to",
        to.name(), "reason", "promotion granted by " + operator + ": " + numbers));
    if (service != null) {
      data.put("service", service);
    }
    audit(AuditTypes.PHASE_CHANGED, null, operator, data);
  }

  /**
   * A human records whether the diagnosis of {@code incidentId} was right; feeds the accuracy used for promotion.
   */
  public synchronized void reviewDiagnosis(String incidentId, boolean correct, String reviewer) {
    Incident inc = store.find(incidentId).orElseThrow(() -> new IllegalArgumentException(
        "incidentId must name a known incident, but was '" + incidentId + "'"));
    accuracy.merge(inc.type(), new DiagnosticAccuracy(1, correct ? 1 : 0),
        (a, b) -> a.plus(correct));
    audit(AuditTypes.DIAGNOSIS_REVIEWED, incidentId, reviewer, Map.of("type", inc.type().name(), "correct",
        String.valueOf(correct)));
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (TelemetrySource s : sources) {
        try {
          s.close();
        } catch (Exception e) {
          LOG.warn("closing telemetry source {} failed", s.name(), e);
        }
      }
      for (ActionExecutor e : executors) {
        if (e instanceof ResilientActionExecutor r) {
          r.close();
        }
      }
      synchronized (this) {
        try {
          audit.close();
        } catch (Exception e) {
          LOG.warn("closing the audit log failed", e);
        }
      }
    }
  }

  /** The topology provider's view with the call edges learned from trace spans added. */
  private Topology currentTopology() {
    Topology base;
    try {
      base = topology.topology();
    } catch (RuntimeException e) {
      contained("topology provider", e);
      base = Topology.empty();
    }
    return graph.mergeInto(base);
  }

  /** The call edges learned from trace spans, with per-edge call and error counts and latency. */
  public synchronized List<dev.sreagent.detect.DependencyGraph.Edge> dependencyGraph() {
    return graph.edges();
  }

  // ---------------------------------------------------------------- the loop

  /**
   * One turn of the loop: drain the inbox through the detectors, correlate new anomalies into incidents, apply
   * approvals, and move every active incident as far as it can go now.
   */
  public synchronized void tick() {
    if (closed.get()) {
      return;
    }
    Instant now = clock.now();
    noticeKillSwitch();
    List<Anomaly> found = new ArrayList<>();
    windows.advanceTo(now);
    Signal s;
    while ((s = inbox.poll()) != null) {
      ingest(s, found);
    }
    capacity.update(windows, graph.evictedEdges(), detectors);
    for (Anomaly a : found) {
      anomalies++;
      telemetry.anomaly(a.type().name());
      onAnomaly(a, now);
    }
    applyApprovals(now);
    for (Incident inc : store.active()) {
      MDC.put("incident", inc.id());
      try {
        advance(inc, now);
      } finally {
        MDC.remove("incident");
      }
    }
    while (!history.isEmpty() && history.peekFirst().at().isBefore(now.minus(HISTORY_RETENTION))) {
      history.removeFirst();
    }
    inDoubt.values().removeIf(e -> e.at().isBefore(now.minus(HISTORY_RETENTION)));
  }

  /** Audits a change of the kill switch since the last tick (it may be flipped from any thread). */
  private void noticeKillSwitch() {
    String reason = killSwitch.reason();
    if (!Objects.equals(reason, killSwitchSeen)) {
      audit(AuditTypes.KILL_SWITCH, null, "operator", reason == null ? Map.of("engaged", "false")
          : Map.of("engaged", "true", "reason", reason));
      killSwitchSeen = reason;
    }
  }

  private void ingest(Signal s, List<Anomaly> found) {
    if (s instanceof MetricSample m) {
      if (!Double.isFinite(m.value())) {
        signalsRejected++;
        telemetry.rejected();
        return;
      }
      windows.add(m);
    } else if (s instanceof ChangeEvent e) {
      windows.add(e);
    } else if (s instanceof LogRecord r) {
      windows.add(r);
    } else if (s instanceof dev.sreagent.api.model.Span span) {
      graph.observe(span);
    }
    for (Detector d : detectors) {
      try {
        found.addAll(d.observe(s));
      } catch (RuntimeException e) {
        contained("detector " + d.name(), e);
      }
    }
  }

  private void contained(String component, RuntimeException e) {
    componentFailures.incrementAndGet();
    if (loggedFailures.add(component)) {
      LOG.warn("{} failed; contained and counted (further failures of it are logged at DEBUG)", component, e);
    } else {
      LOG.debug("{} failed again", component, e);
    }
  }

  private void onAnomaly(Anomaly a, Instant now) {
    Topology topo = currentTopology();
    List<Incident> active = store.active();
    Correlation c;
    try {
      c = correlator.correlate(a, active, topo, now);
    } catch (RuntimeException e) {
      contained("correlator", e);
      c = new Correlation.OpenNew(a.service());
    }
    if (c instanceof Correlation.Attach at) {
      Optional<Incident> target = store.find(at.incidentId()).filter(i -> !i.state().isTerminal());
      if (target.isPresent()) {
        Incident inc = withBlastRadius(target.get().withAnomaly(a, at.rootService(), at.type(), now), topo, now);
        store.save(inc);
        audit(AuditTypes.INCIDENT_UPDATED, inc, Map.of("anomaly", a.summary()));
        emit(IncidentEvent.Kind.UPDATED, inc, "+ " + a.summary() + " (root " + inc.rootService() + ")", now);
        return;
      }
    }
    Optional<Incident> owner = unresolvedOwner(a, topo, now);
    if (owner.isPresent()) {
      // humans own an escalated incident whose root is still degraded: a new symptom of it is theirs too, not a
      // new incident rooted at a healthy caller
      Incident inc = owner.get().withAnomaly(a, owner.get().rootService(), owner.get().type(), now);
      store.save(inc);
      audit(AuditTypes.INCIDENT_UPDATED, inc, Map.of("anomaly", a.summary(), "reason", "a symptom of "
          + inc.id() + ", whose root " + inc.rootService() + " is still degraded (" + inc.state() + ")"));
      emit(IncidentEvent.Kind.UPDATED, inc, "+ " + a.summary() + " (a symptom of " + inc.rootService()
          + ", still degraded; " + inc.state() + ", with humans)", now);
      return;
    }
    if (active.size() >= MAX_ACTIVE_INCIDENTS) {
      anomaliesSuppressed++;
      if (anomaliesSuppressed == 1) {
        LOG.warn("{} incidents are active: anomalies that join none of them are counted (anomaliesSuppressed) and"
            + " not opened until some end; first suppressed: {}", active.size(), a.summary());
      }
      return;
    }
    String root = c instanceof Correlation.OpenNew o ? o.rootService() : a.service();
    Incident inc = withBlastRadius(Incident.open(String.format(Locale.ROOT, "INC-%04d", ++nextIncident), a, root,
        now), topo, now);
    incidentsOpened++;
    store.save(inc);
    telemetry.opened(inc);
    audit(AuditTypes.INCIDENT_OPENED, inc, Map.of("anomaly", a.summary()));
    emit(IncidentEvent.Kind.OPENED, inc, a.type() + " " + inc.severity() + " on " + root + ": " + a.summary(), now);
  }

  /** Active incidents at most: beyond, anomalies that join none are counted and not opened (an alert storm). */
  static final int MAX_ACTIVE_INCIDENTS = 1_000;

  /** How long an escalated or rolled-back incident may own new symptoms of its still-degraded root. */
  static final Duration OWNERSHIP = Duration.ofHours(24);
  /** How many of the newest incidents are considered as owners. */
  static final int OWNER_SCAN = 500;

  /**
   * The escalated or rolled-back incident that explains {@code a}: one of the same type whose root the detectors
   * still find degraded, where {@code a} is on another affected service or on a service that calls the root. (An
   * anomaly on the root itself is a new episode there: a recurrence, not a symptom.)
   */
  private Optional<Incident> unresolvedOwner(Anomaly a, Topology topo, Instant now) {
    List<Incident> all = store.all();
    for (int i = all.size() - 1; i >= Math.max(0, all.size() - OWNER_SCAN); i--) {
      Incident inc = all.get(i);
      if (inc.updatedAt().isBefore(now.minus(OWNERSHIP))) {
        continue;
      }
      if ((inc.state() != IncidentState.ESCALATED && inc.state() != IncidentState.ROLLED_BACK)
          || !inc.type().equals(a.type()) || a.service().equals(inc.rootService())
          || !(inc.affectedServices().contains(a.service()) || topo.reaches(a.service(), inc.rootService()))) {
        continue;
      }
      if (firing(inc.type(), inc.rootService())) {
        return Optional.of(inc);
      }
    }
    return Optional.empty();
  }

  /** Whether a detector of {@code type} still fires on {@code service}. */
  private boolean firing(IncidentType type, String service) {
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

  /** Raises the severity of an incident that reaches an entry point or spreads wide (before any plan exists). */
  private static Incident withBlastRadius(Incident inc, Topology topo, Instant now) {
    if (inc.plan() != null) {
      return inc;
    }
    dev.sreagent.api.model.Severity s = dev.sreagent.detect.BlastRadius.severity(inc, topo);
    return s == inc.severity() ? inc : inc.withSeverity(s, now);
  }

  private void advance(Incident inc, Instant now) {
    switch (inc.state()) {
      case OPEN -> move(inc, IncidentState.INVESTIGATING, now, "investigating");
      case INVESTIGATING -> {
        if (!now.isBefore(inc.openedAt().plus(settings.investigationDelay()))) {
          diagnose(inc, now);
        }
      }
      case DIAGNOSED -> decide(inc, now);
      case AWAITING_APPROVAL -> {
        ApprovalRequest req = pending.get(inc.id());
        if (req == null || now.isAfter(req.expiresAt())) {
          pending.remove(inc.id());
          escalate(inc, now, "approval request expired at " + (req == null ? "?" : req.expiresAt())
              + " without an answer");
        }
      }
      case REMEDIATING -> execute(inc, now, false);
      case VERIFYING -> verify(inc, now);
      default -> { }
    }
  }

  private Incident move(Incident inc, IncidentState to, Instant now, String why) {
    Incident next = IncidentLifecycle.transition(inc, to, now);
    if (to == IncidentState.VERIFYING) {
      verifyingSince.put(next.id(), now);
      OptionalDouble base = watchedSignal(next);
      if (base.isPresent()) {
        verifyBaseline.put(next.id(), base.getAsDouble());
      }
    }
    if (to.isTerminal()) {
      approvedPlans.remove(next.id());
    }
    store.save(next);
    audit(AuditTypes.INCIDENT_STATE, next, Map.of("from", inc.state().name(), "to", to.name(), "reason", why));
    telemetry.transition(next, why, now);
    return next;
  }

  private void diagnose(Incident inc, Instant now) {
    PendingDiagnosis pending = diagnosing.get(inc.id());
    if (pending != null) {
      if (!pending.future().isDone()) {
        return; // still thinking; other incidents move on
      }
      diagnosing.remove(inc.id());
      Diagnosis d;
      try {
        d = Objects.requireNonNull(pending.future().join(), "reasoner returned null");
      } catch (RuntimeException e) {
        RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
        contained("reasoner", cause);
        d = failedDiagnosis(cause);
      }
      // the incident may have gained anomalies while the reasoner thought: apply the result to its current state
      Incident current = store.find(inc.id()).orElse(inc);
      if (current.state() != IncidentState.INVESTIGATING) {
        return;
      }
      Evidence evidence = pending.withEvidence().evidence();
      diagnosed(evidence == null ? current : current.withEvidence(evidence, now), d, now);
      return;
    }
    inc = splitIndependentRoots(inc, now);
    Incident withEvidence = inc.withEvidence(investigate(inc, now), now);
    List<RetrievedDocument> docs;
    String queryText = withEvidence.anomalies().stream().map(Anomaly::summary).reduce("", (x, y) -> x + " " + y);
    try {
      docs = knowledge.retrieve(new KnowledgeQuery(queryText, inc.type(), inc.affectedServices(), 5));
    } catch (RuntimeException e) {
      contained("knowledge base", e);
      docs = List.of();
    }
    if (diagnosisExecutor != null) {
      List<RetrievedDocument> knowledgeForReasoner = docs;
      diagnosing.put(inc.id(), new PendingDiagnosis(withEvidence, java.util.concurrent.CompletableFuture
          .supplyAsync(() -> reasoner.diagnose(withEvidence, knowledgeForReasoner), diagnosisExecutor)));
      return;
    }
    Diagnosis d;
    try {
      d = Objects.requireNonNull(reasoner.diagnose(withEvidence, docs), "reasoner returned null");
    } catch (RuntimeException e) {
      contained("reasoner", e);
      d = failedDiagnosis(e);
    }
    diagnosed(withEvidence, d, now);
  }

  /**
   * When the incident has several candidate roots (affected services none of whose dependencies is affected) and at
   * least two of them changed on their own shortly before it (a deploy, a configuration change), the evidence shows
   * independent faults: each further root moves to an incident of its own, with the services that call it and not
   * the first root. Audited on both incidents.
   *
   * @return the incident as it remains
   */
  private Incident splitIndependentRoots(Incident inc, Instant now) {
    Topology topo = currentTopology();
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
    Instant since = inc.openedAt().minus(dev.sreagent.core.reasoning.EvidenceReasoner.DEPLOY_SUSPECT_WINDOW);
    Map<String, ChangeEvent> changed = new LinkedHashMap<>();
    for (String r : roots) {
      windows.changes(Set.of(r), since).stream()
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
          kept.openedAt(), now, kept.evidence(), kept.diagnosis(), kept.plan(), kept.outcome());
      Anomaly first = movedAnomalies.stream().filter(a -> a.service().equals(root)).findFirst()
          .orElse(movedAnomalies.get(0));
      Incident split = Incident.open(String.format(Locale.ROOT, "INC-%04d", ++nextIncident), first, root, now);
      for (Anomaly a : movedAnomalies) {
        split = split.withAnomaly(a, root, first.type(), now);
      }
      split = withBlastRadius(split, topo, now);
      incidentsOpened++;
      store.save(split);
      telemetry.opened(split);
      String why = "split from " + inc.id() + ": the evidence shows independent roots: " + evidence;
      audit(AuditTypes.INCIDENT_OPENED, split, Map.of("anomaly", first.summary(), "reason", why));
      emit(IncidentEvent.Kind.OPENED, split, split.type() + " " + split.severity() + " on " + root + ": " + why, now);
    }
    if (kept != inc) {
      store.save(kept);
      audit(AuditTypes.INCIDENT_UPDATED, kept, Map.of("reason", "independent roots split off: " + evidence));
      emit(IncidentEvent.Kind.UPDATED, kept, "split: independent roots " + evidence + "; this incident keeps "
          + kept.rootService() + " " + kept.affectedServices(), now);
    }
    return kept;
  }

  private static Diagnosis failedDiagnosis(RuntimeException e) {
    return new Diagnosis(List.of(new Hypothesis("unknown: the reasoner failed", 0.0, e.toString(), List.of())),
        new Confidence(0, Map.of(), "reasoner failed"), "fallback");
  }

  private void diagnosed(Incident withEvidence, Diagnosis reasoned, Instant now) {
    Diagnosis d = reasoned;
    if (d.usage() != null) {
      telemetry.llm(d.usage());
    }
    Incident subject = retyped(withEvidence, d.top(), now);
    d = calibrated(d);
    d = withHistory(d, subject.type());
    Incident diagnosed = move(subject.withDiagnosis(d, now), IncidentState.DIAGNOSED, now, "diagnosed");
    audit(AuditTypes.DIAGNOSIS, diagnosed, Map.of("top", d.top().cause(), "confidence",
        String.format(Locale.ROOT, "%.2f", d.confidence().score())));
    emit(IncidentEvent.Kind.DIAGNOSED, diagnosed, String.format(Locale.ROOT, "%s (confidence %.2f: %s)",
        d.top().cause(), d.confidence().score(), d.confidence().explanation()), now);
    decide(diagnosed, now);
  }

  /**
   * The incident with the type its top hypothesis names, if any (errors that are a symptom of saturation are a
   * capacity problem); audited and announced.
   */
  private Incident retyped(Incident inc, Hypothesis top, Instant now) {
    IncidentType to = top.type();
    if (to == null || to.equals(inc.type())) {
      return inc;
    }
    Incident out = inc.withType(to, now);
    String why = "re-typed " + inc.type() + " -> " + to + ": " + top.cause();
    audit(AuditTypes.INCIDENT_UPDATED, out, Map.of("retyped", inc.type() + " -> " + to, "reason", top.cause()));
    emit(IncidentEvent.Kind.UPDATED, out, why, now);
    return out;
  }

  /** The diagnosis with its confidence mapped through the configured calibration, if any. */
  private Diagnosis calibrated(Diagnosis d) {
    if (calibration == null || !calibration.reasoner().equals(d.reasoner())) {
      return d;
    }
    Confidence c = d.confidence();
    double score = Math.max(0, Math.min(1, calibration.apply(c.score())));
    Map<String, Double> factors = new LinkedHashMap<>(c.factors());
    factors.put("stated", c.score());
    return new Diagnosis(d.hypotheses(), new Confidence(score, factors, String.format(Locale.ROOT,
        "%s; calibrated %.2f -> %.2f (how often diagnoses stated at %.2f were right, %d graded)", c.explanation(),
        c.score(), score, c.score(), calibration.diagnoses())), d.reasoner(), d.usage());
  }

  /** Reviews of a type needed before its track record joins the confidence. */
  static final int HISTORY_MIN_REVIEWS = 5;

  /**
   * Blends the human-verified accuracy of the incident type into the confidence once the type has
   * {@value #HISTORY_MIN_REVIEWS} reviews: {@code 0.8 x reasoner + 0.2 x (correct + 1) / (verified + 2)}.
   */
  private Diagnosis withHistory(Diagnosis d, dev.sreagent.api.model.IncidentType type) {
    DiagnosticAccuracy acc = accuracy(type);
    if (acc.verified() < HISTORY_MIN_REVIEWS) {
      return d;
    }
    double history = (acc.correct() + 1.0) / (acc.verified() + 2.0);
    Confidence c = d.confidence();
    double score = Math.max(0, Math.min(1, 0.8 * c.score() + 0.2 * history));
    Map<String, Double> factors = new LinkedHashMap<>(c.factors());
    factors.put("history", history);
    return new Diagnosis(d.hypotheses(), new Confidence(score, factors, String.format(Locale.ROOT,
        "%s; with the type's track record: 0.8 x %.2f + 0.2 x history %.2f (%d/%d verified correct) = %.2f",
        c.explanation(), c.score(), history, acc.correct(), acc.verified(), score)), d.reasoner(), d.usage());
  }

  private Evidence investigate(Incident inc, Instant now) {
    Instant from = inc.openedAt().minus(Duration.ofMinutes(30));
    List<MetricWindow> metrics = new ArrayList<>();
    Set<String> neighbours = new LinkedHashSet<>();
    Topology topo = currentTopology();
    List<String> logs = new ArrayList<>();
    for (String s : inc.affectedServices()) {
      metrics.addAll(windows.windows(s, from));
      neighbours.addAll(topo.neighboursOf(s));
      for (LogRecord r : windows.logs(s)) {
        logs.add(r.timestamp() + " " + r.service() + " " + r.severity() + " " + r.body());
      }
    }
    neighbours.removeAll(inc.affectedServices());
    Set<String> changeScope = new LinkedHashSet<>(inc.affectedServices());
    changeScope.addAll(neighbours);
    return new Evidence(metrics, windows.changes(changeScope, inc.openedAt().minus(Duration.ofHours(2))),
        logs, neighbours);
  }

  private void decide(Incident inc, Instant now) {
    Topology topo = currentTopology();
    RemediationPlan plan;
    try {
      plan = Objects.requireNonNull(planner.plan(inc, topo), "planner returned null");
    } catch (RuntimeException e) {
      contained("planner", e);
      plan = new RemediationPlan(inc.id(), List.of(), "planner failed: " + e);
    }
    Incident planned = inc.withPlan(plan, now);
    Phase phase = phases.phaseFor(inc.type(), inc.rootService());
    SafetyDecision decision = gate.decide(planned, plan, phase, topo, guardHistory(null), now, false);
    store.save(planned);
    audit(AuditTypes.DECISION, planned, Map.of("outcome", decision.outcome().name(), "phase", phase.name(),
        "reason", decision.reason(), "plan", Json.write(plan), "planHash", plan.hash(),
        "verdicts", Json.write(decision.verdicts())));
    emit(IncidentEvent.Kind.DECIDED, planned, decision.outcome() + " [" + phase + "] "
        + describe(plan) + " - " + decision.reason() + " | guardrails: " + summarize(decision), now);
    switch (decision.outcome()) {
      case SHADOW -> {
        for (int i = 0; i < plan.actions().size(); i++) {
          Action a = plan.actions().get(i);
          actionsShadowed++;
          telemetry.action(a.kind(), "shadowed");
          audit(AuditTypes.ACTION_SHADOWED, planned, Map.of("action", Json.write(a), "idempotencyKey",
              plan.idempotencyKey(i), "intended", a.canonical()));
          emit(IncidentEvent.Kind.ACTION_SHADOWED, planned, "would run " + a.canonical(), now);
        }
        escalate(planned, now, "phase OBSERVE: " + plan.actions().size()
            + " intended action(s) recorded in the audit log, nothing executed; handed to humans");
      }
      case DENY -> {
        plansDenied++;
        telemetry.action("plan", "denied");
        escalate(planned, now, decision.reason());
      }
      case NEEDS_APPROVAL -> requestApproval(planned, decision, now);
      case EXECUTE -> execute(move(planned, IncidentState.REMEDIATING, now, decision.reason()), now, true);
    }
  }

  /** "12/12 allow" or the verdicts that did not allow, each with its policy and reason. */
  static String summarize(SafetyDecision decision) {
    List<GuardrailVerdict> notAllowed = decision.verdicts().stream()
        .filter(v -> v.verdict() != GuardrailVerdict.Verdict.ALLOW).toList();
    if (decision.verdicts().isEmpty()) {
      return "none evaluated";
    }
    if (notAllowed.isEmpty()) {
      return decision.verdicts().size() + "/" + decision.verdicts().size() + " allow";
    }
    StringBuilder sb = new StringBuilder();
    for (GuardrailVerdict v : notAllowed) {
      sb.append(sb.length() == 0 ? "" : "; ").append(v.policy()).append(' ').append(v.verdict()).append(" (")
          .append(v.reason()).append(')');
    }
    return sb.toString();
  }

  private static String describe(RemediationPlan plan) {
    return plan.actions().isEmpty() ? "(no action)" : plan.actions().stream().map(Action::canonical).toList()
        .toString();
  }

  private void requestApproval(Incident inc, SafetyDecision decision, Instant now) {
    RemediationPlan plan = Objects.requireNonNull(inc.plan());
    Incident waiting = move(inc, IncidentState.AWAITING_APPROVAL, now, decision.reason());
    ApprovalRequest req = new ApprovalRequest(waiting, plan, plan.hash(), decision, now,
        now.plus(settings.approvalTimeout()));
    pending.put(inc.id(), req);
    approvalsRequested++;
    audit(AuditTypes.APPROVAL_REQUESTED, waiting, Map.of("planHash", plan.hash(), "expiresAt",
        req.expiresAt().toString(), "reason", decision.reason()));
    emit(IncidentEvent.Kind.APPROVAL_REQUESTED, waiting, "approval needed for " + describe(plan) + " (plan "
        + plan.hash().substring(0, 12) + ", expires " + req.expiresAt() + ")", now);
    try {
      approvals.request(req);
    } catch (RuntimeException e) {
      contained("approval channel", e);
    }
  }

  private void applyApprovals(Instant now) {
    List<ApprovalDecision> decisions = new ArrayList<>();
    ApprovalDecision d;
    while ((d = submitted.poll()) != null) {
      decisions.add(d);
    }
    try {
      decisions.addAll(approvals.poll());
    } catch (RuntimeException e) {
      contained("approval channel", e);
    }
    for (ApprovalDecision decision : decisions) {
      applyApproval(decision, now);
    }
  }

  private void applyApproval(ApprovalDecision d, Instant now) {
    ApprovalRequest req = pending.get(d.incidentId());
    Map<String, String> data = Map.of("approver", d.approver(), "role", d.role(), "planHash", d.planHash(),
        "comment", d.comment());
    String refusal = null;
    if (req == null) {
      refusal = "no approval is pending for " + d.incidentId();
    } else if (!req.planHash().equals(d.planHash())) {
      refusal = "the approval is for plan " + d.planHash() + " but the pending plan is " + req.planHash();
    } else if (!settings.approverRoles().contains(d.role())) {
      refusal = "role '" + d.role() + "' may not approve; allowed roles are " + settings.approverRoles();
    } else if (now.isAfter(req.expiresAt())) {
      refusal = "the request expired at " + req.expiresAt();
    }
    Optional<Incident> inc = store.find(d.incidentId());
    if (refusal != null || inc.isEmpty() || inc.get().state() != IncidentState.AWAITING_APPROVAL) {
      Map<String, String> withReason = new LinkedHashMap<>(data);
      withReason.put("reason", refusal != null ? refusal : "incident is not awaiting approval");
      audit(AuditTypes.APPROVAL_REFUSED, d.incidentId(), d.approver(), withReason);
      return;
    }
    pending.remove(d.incidentId());
    Incident waiting = inc.get();
    if (!d.approved()) {
      audit(AuditTypes.APPROVAL_REJECTED, d.incidentId(), d.approver(), data);
      escalate(waiting, now, "plan rejected by " + d.approver() + ": " + d.comment());
      return;
    }
    audit(AuditTypes.APPROVAL_GRANTED, d.incidentId(), d.approver(), data);
    RemediationPlan plan = Objects.requireNonNull(waiting.plan());
    approvedPlans.put(waiting.id(), plan.hash());
    SafetyDecision recheck = gate.decide(waiting, plan, phases.phaseFor(waiting.type(), waiting.rootService()),
        currentTopology(),
        guardHistory(null), now, true);
    audit(AuditTypes.DECISION, waiting, Map.of("outcome", recheck.outcome().name(), "reason", recheck.reason(),
        "planHash", plan.hash(), "verdicts", Json.write(recheck.verdicts()), "approvedBy", d.approver()));
    emit(IncidentEvent.Kind.APPROVED, waiting, "approved by " + d.approver() + " (" + d.role() + "); re-checked: "
        + recheck.outcome(), now);
    if (recheck.outcome() == SafetyDecision.Outcome.EXECUTE) {
      execute(move(waiting, IncidentState.REMEDIATING, now, "approved by " + d.approver()), now, true);
    } else {
      escalate(waiting, now, "approved, but the re-check says " + recheck.outcome() + ": " + recheck.reason());
    }
  }

  /**
   * Runs the plan's actions that have not completed, in order, as far as they go now.
   *
   * @param justDecided true right after the safety decision (or an approval's re-check) in this tick; otherwise
   *     every guardrail is evaluated again before the attempt: a retry, a target that was locked, a remediation
   *     resumed after a restart never runs on a decision the world has moved past (kill switch, freezes, caps,
   *     phase, topology)
   */
  private void execute(Incident inc, Instant now, boolean justDecided) {
    RemediationPlan plan = Objects.requireNonNull(inc.plan(), "plan");
    boolean decidedNow = justDecided;
    for (int i = 0; i < plan.actions().size(); i++) {
      Action action = plan.actions().get(i);
      String key = plan.idempotencyKey(i);
      if (completedKeys.contains(key)) {
        continue;
      }
      Instant retryAfter = retryAt.get(key);
      if (retryAfter != null && now.isBefore(retryAfter)) {
        return;
      }
      Optional<ActionExecutor> executor = executors.stream().filter(e -> supportsSafely(e, action)).findFirst();
      if (executor.isEmpty()) {
        escalate(inc, now, "no executor supports '" + action.kind() + "'; add an executor module (for example"
            + " sre-agent-k8s) or a custom ActionExecutor");
        return;
      }
      if (startedKeys.contains(key)) {
        // an earlier attempt may have landed (crash, timeout, or a failure report that was wrong): ask first
        Optional<ActionResult> prior = reconcileSafely(executor.get(), key);
        if (prior.isPresent() && (prior.get().succeeded() || prior.get().status() == ActionResult.Status.DRY_RUN)) {
          audit(AuditTypes.ACTION_RECONCILED, inc, Map.of("idempotencyKey", key, "status",
              prior.get().status().name(), "message", prior.get().message()));
          complete(inc, action, key, prior.get(), prior.get().at());
          actionsExecuted++;
          emit(IncidentEvent.Kind.ACTION_EXECUTED, inc, action.canonical() + ": reconciled, it had taken effect: "
              + prior.get().message(), now);
          continue;
        }
      }
      if (!decidedNow && !recheck(inc, plan, action, key, now)) {
        return;
      }
      decidedNow = false;
      Optional<Lock> lock = locks.tryAcquire(action.target(), settings.agentId(), settings.lockTtl());
      if (lock.isEmpty()) {
        Instant since = lockedSince.computeIfAbsent(key, k -> now);
        Duration waited = Duration.between(since, now);
        if (waited.compareTo(settings.lockTtl().multipliedBy(2)) > 0) {
          lockedSince.remove(key);
          escalate(inc, now, action.target() + " has been locked by another agent for " + waited.toSeconds()
              + " s (twice the lock lease of " + settings.lockTtl().toSeconds() + " s); " + action.canonical()
              + " not run");
          return;
        }
        LOG.info("{}: target {} is locked by another agent; re-checking and retrying next tick", inc.id(),
            action.target());
        return;
      }
      lockedSince.remove(key);
      ActionResult result = runAudited(inc, action, key, executor.get(), lock.get(), Map.of(), now);
      switch (result.status()) {
        case SUCCEEDED, DRY_RUN -> {
          complete(inc, action, key, result, now);
          actionsExecuted++;
          telemetry.action(action.kind(), "executed");
          emit(IncidentEvent.Kind.ACTION_EXECUTED, inc, action.canonical() + ": " + result.message(), now);
        }
        case FAILED, TIMED_OUT -> {
          ExecutorPolicy policy = policyOf(executor.get());
          int attempt = attempts.merge(key, 1, Integer::sum);
          if (attempt < policy.maxAttempts()) {
            Duration wait = policy.backoff(attempt, jitter.nextDouble());
            retryAt.put(key, now.plus(wait));
            audit(AuditTypes.ACTION_ATTEMPT_FAILED, inc, Map.of("idempotencyKey", key, "attempt",
                String.valueOf(attempt), "status", result.status().name(), "message", result.message(),
                "retryAt", now.plus(wait).toString()));
            emit(IncidentEvent.Kind.ACTION_FAILED, inc, String.format(Locale.ROOT,
                "%s attempt %d/%d %s: %s; retry in %d s after reconciling", action.canonical(), attempt,
                policy.maxAttempts(), result.status(), result.message(), wait.toSeconds()), now);
            return;
          }
          // the last attempt's answer may be wrong too (a lie, a timeout that landed): ask before giving up, so an
          // action that did take effect is counted by the caps rather than forgotten
          Optional<ActionResult> landed = reconcileSafely(executor.get(), key);
          if (landed.isPresent() && landed.get().succeeded()) {
            audit(AuditTypes.ACTION_RECONCILED, inc, Map.of("idempotencyKey", key, "status",
                landed.get().status().name(), "message", landed.get().message()));
            complete(inc, action, key, landed.get(), landed.get().at());
            actionsExecuted++;
            emit(IncidentEvent.Kind.ACTION_EXECUTED, inc, action.canonical() + ": reconciled, it had taken effect: "
                + landed.get().message(), now);
            continue;
          }
          complete(inc, action, key, result, now);
          fail(inc, now, action, new ActionResult(key, result.status(), "gave up after " + attempt + " attempts: "
              + result.message(), now));
          return;
        }
        default -> {
          complete(inc, action, key, result, now);
          fail(inc, now, action, result);
          return;
        }
      }
    }
    move(inc, IncidentState.VERIFYING, now, "all " + plan.actions().size() + " action(s) executed");
  }

  /**
   * Evaluates every guardrail again for {@code action} before an attempt that does not follow its decision directly.
   * When the answer is no longer EXECUTE, the refusal is audited as a decision and the incident escalated.
   *
   * @return whether the attempt may go ahead
   */
  private boolean recheck(Incident inc, RemediationPlan plan, Action action, String key, Instant now) {
    Phase phase = phases.phaseFor(inc.type(), inc.rootService());
    boolean approved = plan.hash().equals(approvedPlans.get(inc.id()));
    SafetyDecision d = gate.recheck(inc, action, phase, currentTopology(), guardHistory(key), now, approved);
    if (d.outcome() == SafetyDecision.Outcome.EXECUTE) {
      return true;
    }
    int attempt = attempts.getOrDefault(key, 0) + 1;
    audit(AuditTypes.DECISION, inc, Map.of("outcome", d.outcome().name(), "phase", phase.name(), "reason",
        d.reason(), "planHash", plan.hash(), "verdicts", Json.write(d.verdicts()), "recheck",
        "attempt " + attempt + " of " + action.canonical(), "idempotencyKey", key));
    emit(IncidentEvent.Kind.DECIDED, inc, d.outcome() + " [" + phase + "] re-check before attempt " + attempt + " of "
        + action.canonical() + " - " + d.reason() + " | guardrails: " + summarize(d), now);
    retryAt.remove(key);
    lockedSince.remove(key);
    escalate(inc, now, "attempt " + attempt + " of " + action.canonical() + " refused at its re-check: "
        + d.reason());
    return false;
  }

  private static ExecutorPolicy policyOf(ActionExecutor e) {
    return e instanceof ResilientActionExecutor r ? r.policy() : ExecutorPolicy.defaults();
  }

  /**
   * What the guardrails judge against: the actions executed recently and those in doubt, except the in-doubt attempt
   * {@code ownKey} itself (a retry must not be refused for its own earlier attempt).
   */
  private List<ExecutedAction> guardHistory(@Nullable String ownKey) {
    List<ExecutedAction> out = new ArrayList<>(history);
    for (ExecutedAction e : inDoubt.values()) {
      if (!e.idempotencyKey().equals(ownKey)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Records the final outcome of an action: audited, never run again, in the history when it took effect. */
  private void complete(Incident inc, Action action, String key, ActionResult result, Instant at) {
    completedKeys.add(key);
    inDoubt.remove(key);
    retryAt.remove(key);
    audit(AuditTypes.ACTION_COMPLETED, inc, Map.of("idempotencyKey", key, "action", Json.write(action),
        "status", result.status().name(), "message", result.message()));
    if (result.succeeded() || result.status() == ActionResult.Status.DRY_RUN) {
      history.addLast(new ExecutedAction(action, inc.id(), at, key));
    }
  }

  private void fail(Incident inc, Instant now, Action action, ActionResult result) {
    actionsFailed++;
    telemetry.action(action.kind(), "failed");
    emit(IncidentEvent.Kind.ACTION_FAILED, inc, action.canonical() + " failed: " + result.message(), now);
    demote(inc.type(), inc.rootService(), "action " + action.kind() + " failed for " + inc.id());
    escalate(inc, now, "action " + action.canonical() + " failed: " + result.message());
  }

  private static boolean supportsSafely(ActionExecutor e, Action a) {
    try {
      return e.supports(a);
    } catch (RuntimeException ex) {
      return false;
    }
  }

  private Optional<ActionResult> reconcileSafely(ActionExecutor e, String key) {
    try {
      return e.reconcile(key);
    } catch (RuntimeException ex) {
      contained("executor " + e.name() + " reconcile", ex);
      return Optional.empty();
    }
  }

  /** How much worse than at the start of verification the watched signal must get to trigger a rollback. */
  static final double WORSE_FACTOR = 1.25;
  /** How long it must stay that much worse. */
  static final Duration WORSE_FOR = Duration.ofSeconds(60);

  private static boolean lowerIsWorse(String metric) {
    return metric.equals(dev.sreagent.api.model.MetricNames.CERTIFICATE_TIME_TO_EXPIRY);
  }

  private static @Nullable String watchedMetric(Incident inc) {
    for (Anomaly a : inc.rootAnomalies()) {
      if (a.type().equals(inc.type()) && !a.signal().startsWith("event:")) {
        return a.signal();
      }
    }
    return null;
  }

  /** The current value of the incident's root signal: the worst series of that metric on the root service. */
  private OptionalDouble watchedSignal(Incident inc) {
    String metric = watchedMetric(inc);
    if (metric == null) {
      return OptionalDouble.empty();
    }
    List<Double> values = windows.latest(inc.rootService(), metric);
    return lowerIsWorse(metric) ? values.stream().mapToDouble(Double::doubleValue).min()
        : values.stream().mapToDouble(Double::doubleValue).max();
  }

  private void verify(Incident inc, Instant now) {
    Instant since = verifyingSince.getOrDefault(inc.id(), inc.updatedAt());
    verifyingSince.putIfAbsent(inc.id(), since);
    Double base = verifyBaseline.get(inc.id());
    OptionalDouble current = watchedSignal(inc);
    String metric = watchedMetric(inc);
    if (base != null && current.isPresent() && metric != null) {
      double cur = current.getAsDouble();
      boolean worse = lowerIsWorse(metric) ? cur * WORSE_FACTOR < base : cur > base * WORSE_FACTOR;
      if (!worse) {
        worseSince.remove(inc.id());
      } else {
        Instant from = worseSince.computeIfAbsent(inc.id(), k -> now);
        if (!now.isBefore(from.plus(WORSE_FOR))) {
          String why = String.format(Locale.ROOT, "%s of %s got worse after the action: %.4g -> %.4g for %d s",
              metric, inc.rootService(), base, cur, Duration.between(from, now).toSeconds());
          audit(AuditTypes.VERIFICATION, inc, Map.of("result", "worse", "before", String.valueOf(base), "after",
              String.valueOf(cur)));
          rollBack(inc, now, why);
          return;
        }
      }
    }
    if (now.isBefore(since.plus(settings.verificationWindow()))) {
      return;
    }
    Set<String> watched = new LinkedHashSet<>();
    watched.add(inc.rootService());
    RemediationPlan plan = Objects.requireNonNull(inc.plan());
    plan.actions().forEach(a -> watched.add(a.service()));
    List<String> stillFiring = new ArrayList<>();
    for (Detector d : detectors) {
      if (!d.type().equals(inc.type())) {
        continue;
      }
      for (String s : watched) {
        try {
          if (d.isFiring(s)) {
            stillFiring.add(d.name() + "@" + s);
          }
        } catch (RuntimeException e) {
          contained("detector " + d.name(), e);
        }
      }
    }
    if (stillFiring.isEmpty()) {
      // every other affected service too: what still fires there is not forgotten with this incident
      List<Anomaly> lingering = new ArrayList<>();
      for (Anomaly a : inc.anomalies()) {
        if (!watched.contains(a.service()) && firing(a.type(), a.service())) {
          lingering.add(a);
        }
      }
      forgetVerification(inc.id());
      String outcome = "verified: " + inc.type() + " signals of " + watched + " recovered within "
          + settings.verificationWindow().toMinutes() + " min" + (lingering.isEmpty() ? ""
          : "; still firing on " + lingering.stream().map(a -> a.type() + "@" + a.service()).distinct().toList()
              + ", raised again");
      Incident done = move(inc.withOutcome(outcome, now), IncidentState.RESOLVED, now, outcome);
      audit(AuditTypes.VERIFICATION, done, Map.of("result", "recovered", "stillFiring", lingering.stream()
          .map(a -> a.type() + "@" + a.service()).distinct().toList().toString()));
      emit(IncidentEvent.Kind.RESOLVED, done, outcome + " (time to resolve "
          + Duration.between(done.openedAt(), now).toSeconds() + " s)", now);
      learn(done, now);
      raiseAgain(lingering, now);
      return;
    }
    audit(AuditTypes.VERIFICATION, inc, Map.of("result", "not recovered", "firing", stillFiring.toString()));
    rollBack(inc, now, "not recovered after " + settings.verificationWindow().toMinutes() + " min ("
        + stillFiring + ")");
  }

  /** How many times one anomaly may be raised again after its incident ended. */
  static final int MAX_RAISES = 3;

  /**
   * Correlates anomalies that still fire after their incident resolved as if they had just been detected (their
   * detectors report once per episode, so nothing else would): they join an active incident they belong to, or open
   * a follow-up rooted where the evidence points now.
   */
  private void raiseAgain(List<Anomaly> lingering, Instant now) {
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

  private void forgetVerification(String incidentId) {
    verifyingSince.remove(incidentId);
    verifyBaseline.remove(incidentId);
    worseSince.remove(incidentId);
  }

  /** Runs the inverse of every action that has one, marks the incident ROLLED_BACK, demotes its type. */
  private void rollBack(Incident inc, Instant now, String why) {
    forgetVerification(inc.id());
    RemediationPlan plan = Objects.requireNonNull(inc.plan());
    List<String> undone = new ArrayList<>();
    for (Action a : plan.actions()) {
      Optional<Action> inverse = a.inverse();
      if (inverse.isPresent()) {
        undone.add(runInverse(inc, a, inverse.get(), now));
      }
    }
    String result = why + "; " + (undone.isEmpty() ? "no action has an inverse" : "auto-rollback: " + undone)
        + "; escalated";
    String demotion = demote(inc.type(), inc.rootService(), "remediation of " + inc.id() + " did not help: " + why);
    String outcome = demotion.isEmpty() ? result : result + "; " + demotion;
    Incident rolledBack = move(inc.withOutcome(outcome, now), IncidentState.ROLLED_BACK, now, outcome);
    emit(IncidentEvent.Kind.ROLLED_BACK, rolledBack, outcome, now);
    feedback(inc, false);
  }

  /** Tells the knowledge base whether the documents the diagnosis cited helped. */
  private void feedback(Incident inc, boolean useful) {
    Diagnosis d = inc.diagnosis();
    if (d == null) {
      return;
    }
    for (var c : d.top().citations()) {
      try {
        knowledge.feedback(c.documentId(), useful);
      } catch (RuntimeException e) {
        contained("knowledge base", e);
      }
    }
  }

  private String runInverse(Incident inc, Action original, Action inverse, Instant now) {
    RemediationPlan undo = new RemediationPlan(inc.id(), List.of(inverse), "inverse of " + original.canonical());
    SafetyDecision check = gate.decide(inc, undo, Phase.AUTONOMOUS, currentTopology(), guardHistory(null), now,
        true);
    if (check.outcome() != SafetyDecision.Outcome.EXECUTE) {
      return inverse.canonical() + " refused: " + check.reason();
    }
    String key = undo.idempotencyKey(0);
    if (completedKeys.contains(key)) {
      return inverse.canonical() + " already done";
    }
    Optional<ActionExecutor> ex = executors.stream().filter(e -> supportsSafely(e, inverse)).findFirst();
    if (ex.isEmpty()) {
      return inverse.canonical() + " not possible: no executor supports it";
    }
    Optional<Lock> lock = locks.tryAcquire(inverse.target(), settings.agentId(), settings.lockTtl());
    if (lock.isEmpty()) {
      return inverse.canonical() + " not possible: " + inverse.target() + " is locked by another agent";
    }
    ActionResult r = runAudited(inc, inverse, key, ex.get(), lock.get(), Map.of("inverseOf", original.canonical()),
        now);
    complete(inc, inverse, key, r, now);
    return inverse.canonical() + " " + r.status();
  }

  /**
   * Runs one action under its lock: audits {@code action.started} before the call and {@code action.completed}
   * after it, releases the lock, and records a success in the history. Executor exceptions become FAILED results.
   */
  private ActionResult runAudited(Incident inc, Action action, String key, ActionExecutor executor, Lock lock,
      Map<String, String> extra, Instant now) {
    startedKeys.add(key);
    inDoubt.put(key, new ExecutedAction(action, inc.id(), now, key));
    Map<String, String> started = new LinkedHashMap<>(extra);
    started.put("idempotencyKey", key);
    started.put("action", Json.write(action));
    started.put("fencingToken", String.valueOf(lock.fencingToken()));
    started.put("attempt", String.valueOf(attempts.getOrDefault(key, 0) + 1));
    audit(AuditTypes.ACTION_STARTED, inc, started);
    try {
      ActionResult r = executor.execute(action, new ExecutionContext(inc.id(), key, lock.fencingToken(),
          settings.dryRun()));
      return r != null ? r : new ActionResult(key, ActionResult.Status.FAILED, "executor returned no result", now);
    } catch (RuntimeException e) {
      contained("executor " + executor.name(), e);
      return new ActionResult(key, ActionResult.Status.FAILED, "executor threw " + e, now);
    } finally {
      locks.release(lock);
    }
  }

  private String demote(IncidentType type, String service, String why) {
    Phase old = phases.phaseFor(type, service);
    Phase next = old.demoted();
    if (next == old) {
      return "";
    }
    lowerTo(type, next);
    audit(AuditTypes.PHASE_CHANGED, null, AGENT, Map.of("type", type.name(), "from", old.name(), "to",
        next.name(), "reason", "automatic demotion: " + why, "capScopes", "true"));
    LOG.warn("phase of {} demoted from {} to {}: {}", type, old, next, why);
    return "phase of " + type + " demoted " + old + " -> " + next;
  }

  /** No scope of {@code type} stays above {@code ceiling}. */
  private void lowerTo(IncidentType type, Phase ceiling) {
    if (phases.phaseFor(type).compareTo(ceiling) > 0) {
      phases.set(type, ceiling);
    }
    phases.capScopes(type, ceiling);
  }

  private void escalate(Incident inc, Instant now, String why) {
    Incident escalated = move(inc.withOutcome(why, now), IncidentState.ESCALATED, now, why);
    emit(IncidentEvent.Kind.ESCALATED, escalated, why, now);
  }

  private void learn(Incident inc, Instant now) {
    feedback(inc, true);
    Diagnosis d = inc.diagnosis();
    RemediationPlan p = inc.plan();
    String text = "# Post-mortem " + inc.id() + ": " + inc.type() + " on " + inc.rootService() + "\n\n"
        + "## What was seen\n" + String.join("\n", inc.anomalies().stream().map(a -> "- " + a.summary()).toList())
        + "\n\n## Hypothesis\n" + (d == null ? "none" : d.top().cause() + " (confidence "
        + String.format(Locale.ROOT, "%.2f", d.confidence().score()) + ")")
        + "\n\n## Action\n" + (p == null ? "none" : describe(p))
        + "\n\n## Outcome\n" + inc.outcome() + "\n\nTime to resolve: "
        + Duration.between(inc.openedAt(), now).toSeconds() + " s\n";
    KnowledgeDocument doc = new KnowledgeDocument("postmortem-" + inc.id(), "Post-mortem " + inc.id() + ": "
        + inc.type() + " on " + inc.rootService(), text, Map.of(KnowledgeDocument.KIND, "post-mortem",
        KnowledgeDocument.INCIDENT_TYPES, inc.type().name(), KnowledgeDocument.SERVICES,
        String.join(",", inc.affectedServices())));
    try {
      knowledge.upsert(doc);
    } catch (RuntimeException e) {
      contained("knowledge base", e);
    }
    audit(AuditTypes.POSTMORTEM, inc, Map.of("documentId", doc.id()));
  }

  private void emit(IncidentEvent.Kind kind, Incident inc, String message, Instant now) {
    IncidentEvent event = new IncidentEvent(now, kind, inc, message);
    for (Notifier n : notifiers) {
      try {
        n.notify(event);
      } catch (RuntimeException e) {
        contained("notifier " + n.getClass().getName(), e);
      }
    }
  }

  // ---------------------------------------------------------------- audit and replay

  private void audit(String type, Incident inc, Map<String, String> data) {
    Map<String, String> all = new LinkedHashMap<>(data);
    all.put(AuditTypes.KEY_INCIDENT, Json.write(inc));
    audit(type, inc.id(), AGENT, all);
  }

  private void audit(String type, @Nullable String incidentId, String actor, Map<String, String> data) {
    audit.append(new AuditEntry(clock.now(), type, incidentId, actor, data));
  }

  private void replay() {
    List<AuditRecord> records = audit.records();
    if (records.isEmpty()) {
      return;
    }
    Map<String, Incident> latest = new LinkedHashMap<>();
    Map<String, ApprovalRequestStub> requested = new HashMap<>();
    for (AuditRecord r : records) {
      AuditEntry e = r.entry();
      Map<String, String> data = e.data();
      String snapshot = data.get(AuditTypes.KEY_INCIDENT);
      if (snapshot != null) {
        Incident inc = Json.read(snapshot, Incident.class);
        Incident before = latest.put(inc.id(), inc);
        if (inc.state() == IncidentState.VERIFYING && (before == null || before.state() != IncidentState.VERIFYING)) {
          verifyingSince.put(inc.id(), e.timestamp());
        }
      }
      switch (e.type()) {
        case AuditTypes.ACTION_STARTED -> {
          String key = data.get("idempotencyKey");
          startedKeys.add(key);
          String actionJson = data.get("action");
          if (actionJson != null && !completedKeys.contains(key)) {
            inDoubt.put(key, new ExecutedAction(Json.read(actionJson, Action.class), Objects.requireNonNull(
                e.incidentId()), e.timestamp(), key));
          }
        }
        case AuditTypes.ACTION_ATTEMPT_FAILED -> {
          attempts.merge(data.get("idempotencyKey"), 1, Integer::sum);
          retryAt.put(data.get("idempotencyKey"), Instant.parse(data.get("retryAt")));
        }
        case AuditTypes.ACTION_COMPLETED -> {
          String key = data.get("idempotencyKey");
          completedKeys.add(key);
          inDoubt.remove(key);
          retryAt.remove(key);
          String status = data.get("status");
          String actionJson = data.get("action");
          if (actionJson != null && ("SUCCEEDED".equals(status) || "DRY_RUN".equals(status))) {
            history.addLast(new ExecutedAction(Json.read(actionJson, Action.class), Objects.requireNonNull(
                e.incidentId()), e.timestamp(), key));
          }
        }
        case AuditTypes.PHASE_CHANGED -> {
          IncidentType t = IncidentType.of(data.get("type"));
          Phase to = Phase.valueOf(data.get("to"));
          if ("true".equals(data.get("capScopes"))) {
            lowerTo(t, to);
          } else {
            phases.set(t, data.get("service"), to);
          }
        }
        case AuditTypes.APPROVAL_GRANTED -> approvedPlans.put(Objects.requireNonNull(e.incidentId()),
            data.get("planHash"));
        case AuditTypes.FREEZE_DECLARED -> freezes.declare(data.get("name"), Instant.parse(data.get("from")),
            Instant.parse(data.get("until")));
        case AuditTypes.FREEZE_ENDED -> freezes.end(data.get("name"));
        case AuditTypes.KILL_SWITCH -> killSwitchSeen = "true".equals(data.get("engaged")) ? data.get("reason")
            : null;
        case AuditTypes.APPROVAL_REQUESTED -> requested.put(Objects.requireNonNull(e.incidentId()),
            new ApprovalRequestStub(data.get("planHash"), Instant.parse(data.get("expiresAt")), e.timestamp()));
        case AuditTypes.DIAGNOSIS_REVIEWED -> {
          boolean correct = Boolean.parseBoolean(data.get("correct"));
          accuracy.merge(IncidentType.of(data.get("type")), new DiagnosticAccuracy(1, correct ? 1 : 0),
              (a, b) -> a.plus(correct));
        }
        default -> { }
      }
    }
    for (Incident inc : latest.values()) {
      store.save(inc);
      if (inc.state() == IncidentState.AWAITING_APPROVAL && requested.containsKey(inc.id()) && inc.plan() != null) {
        ApprovalRequestStub stub = requested.get(inc.id());
        pending.put(inc.id(), new ApprovalRequest(inc, inc.plan(), stub.planHash(),
            new SafetyDecision(SafetyDecision.Outcome.NEEDS_APPROVAL, phases.phaseFor(inc.type()), List.of(),
                "restored after restart"), stub.requestedAt(), stub.expiresAt()));
      }
    }
    nextIncident = latest.size();
    latest.values().stream().filter(i -> i.state().isTerminal()).forEach(i -> approvedPlans.remove(i.id()));
    if (killSwitchSeen != null) {
      killSwitch.engage(killSwitchSeen); // an engaged kill switch survives a restart until an operator releases it
      LOG.warn("the kill switch was engaged before the restart ({}); it stays engaged", killSwitchSeen);
    }
    LOG.info("replayed {} audit records: {} incidents ({} active), {} completed actions", records.size(),
        latest.size(), store.active().size(), completedKeys.size());
  }

  private record ApprovalRequestStub(String planHash, Instant expiresAt, Instant requestedAt) {}
}
