package dev.sreagent.core;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.ApprovalDecision;
import dev.sreagent.api.model.ApprovalRequest;
import dev.sreagent.api.model.CallEdge;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.execution.ResilientActionExecutor;
import dev.sreagent.core.guardrail.ChangeFreezes;
import dev.sreagent.core.guardrail.KillSwitch;
import dev.sreagent.core.phase.DiagnosticAccuracy;
import dev.sreagent.core.runtime.BackgroundRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
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

  private final LoopContext ctx;
  private final List<TelemetrySource> sources;
  private final List<ResilientActionExecutor> executors;
  private final ActionRunner runner;
  private final KnowledgeBase knowledge;
  private final KillSwitch killSwitch;
  private final ChangeFreezes freezes;
  private final IncidentBook book;
  private final ActionLedger ledger;
  private final IncidentIntake intake;
  private final Decider decider;
  private final Remediator remediator;
  private final Diagnoser diagnoser;
  private final Verifier verifier;
  private final Learner learner;
  private final DetectorSnapshots snapshots;
  private final ShardGate shards;
  private final ArrayBlockingQueue<Signal> inbox;
  private final dev.sreagent.core.internal.CapacityReport capacity = new dev.sreagent.core.internal.CapacityReport();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final KillSwitchWatch killSwitchWatch;
  /** Published after every tick for readers on other threads, which never take the loop's lock. */
  private volatile List<ApprovalRequest> pendingSnapshot = List.of();
  private volatile List<CallEdge> edgesSnapshot = List.of();

  SreAgent(AgentParts p) {
    this.ctx = new LoopContext(p);
    this.sources = List.copyOf(p.sources);
    this.executors = List.copyOf(p.executors);
    this.knowledge = p.knowledge;
    this.killSwitch = p.killSwitch;
    this.freezes = p.freezes;
    this.book = new IncidentBook(ctx);
    this.ledger = new ActionLedger(p.settings.agentId().hashCode());
    this.learner = new Learner(ctx, p.knowledge);
    this.runner = ActionRunner.stoppedBy(p.killSwitch, p.actionThreads);
    this.remediator = new Remediator(ctx, book, ledger, p.gate, p.executors, p.locks, learner, runner,
        p.freezes);
    this.decider = new Decider(ctx, book, ledger, p.planner, p.gate, p.approvals, remediator);
    this.intake = new IncidentIntake(ctx, book, p.correlator);
    Investigator investigator = new Investigator(ctx, book, intake);
    this.diagnoser = new Diagnoser(ctx, book, investigator, decider, p.knowledge, p.reasoner, p.diagnosisExecutor,
        p.calibration);
    this.verifier = new Verifier(ctx, book, remediator, learner, intake);
    this.shards = new ShardGate(ctx, book, p.shards);
    this.inbox = new ArrayBlockingQueue<>(p.settings.inboxCapacity());
    killSwitchWatch = new KillSwitchWatch(killSwitch, AuditReplay.replay(ctx, book, ledger, freezes));
    pendingSnapshot = List.copyOf(book.pendingApprovals());
    this.snapshots = new DetectorSnapshots(p.detectorStates, p.settings.agentId(), p.clock, p.detectors,
        p.snapshotInterval, p.snapshotMaxAge, p.shards != null);
    snapshots.restore();
    ctx.audit(new AuditEvent.AgentStarted(p.settings.agentId(), ctx.store.all().size()));
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
      ctx.counters.signalsDropped.incrementAndGet();
      ctx.telemetry.dropped();
      return false;
    }
    ctx.counters.signalsAccepted.incrementAndGet();
    ctx.telemetry.accepted();
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
    return BackgroundRunner.start(this::tick, interval, ctx.settings.agentId());
  }

  /** The settings the agent runs with. */
  public AgentSettings settings() {
    return ctx.settings;
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
    Instant now = ctx.clock.now();
    freezes.declare(name, now, now.plus(duration));
    ctx.audit(new AuditEvent.FreezeDeclared(operator, name, now, now.plus(duration), reason));
  }

  /** An operator ends the declared freeze {@code name}; returns whether there was one. Audited. */
  public boolean endFreeze(String name, String operator) {
    boolean ended = freezes.end(name);
    if (ended) {
      ctx.audit(new AuditEvent.FreezeEnded(operator, name));
    }
    return ended;
  }

  /** The audit log. */
  public AuditLog auditLog() {
    return ctx.audit;
  }

  /** The knowledge base (runbooks and the post-mortems the agent wrote). */
  public KnowledgeBase knowledgeBase() {
    return knowledge;
  }

  /** All incidents, oldest first. */
  public List<Incident> incidents() {
    return ctx.store.all();
  }

  /** The incident with {@code id}. */
  public Optional<Incident> incident(String id) {
    return ctx.store.find(id);
  }

  /** The phase in force for {@code type}. */
  public Phase phase(IncidentType type) {
    return ctx.phases.phaseFor(type);
  }

  /** The phase in force for {@code type} on {@code service}. */
  public Phase phase(IncidentType type, String service) {
    return ctx.phases.phaseFor(type, service);
  }

  /** Human-verified diagnostic accuracy for {@code type}. */
  public DiagnosticAccuracy accuracy(IncidentType type) {
    return ctx.accuracy(type);
  }

  /** Counters since start. Never waits for the loop. */
  public AgentStats stats() {
    return ctx.counters.stats(capacity, runner.running(), runner.cancelling(),
        executors.stream().mapToLong(ResilientActionExecutor::callsUnderWay).sum());
  }

  /**
   * What changed around {@code at}: the services ranked as where a problem seen then may start, from the series the
   * agent holds (about the last 120 points of each) and the call graph, as an incident's {@link Incident#candidates()}
   * are ranked: for an operator asking without an incident (a customer complaint, an alert the agent never got).
   * Opens, changes and audits nothing; empty when nothing could be ranked or the ranking port ranks nothing.
   *
   * @param entries the services where the problem was seen (an alert's service, an SLO's target), or none
   * @param symptom {@link IncidentType#HIGH_LATENCY} or {@link IncidentType#ERROR_RATE_SPIKE} to count only latency or
   *     errors among the symptoms (CPU and memory always count), or null for every signal
   * @throws IllegalArgumentException for a null or blank entry, or an {@code at} beyond epoch milliseconds
   */
  public synchronized List<dev.sreagent.api.model.RootCandidate> rankCandidates(Instant at, Set<String> entries,
      @Nullable IncidentType symptom) {
    return intake.rankAt(at, entries, symptom);
  }

  /** Submits a human's answer to an approval request; it is applied at the next tick. Thread-safe. */
  public void submitApproval(ApprovalDecision decision) {
    decider.submit(decision);
  }

  /**
   * The approval requests waiting for a human, as of the last tick. Never waits for the loop: dashboards and chat
   * integrations may call it from any thread, also from a notifier.
   */
  public List<ApprovalRequest> pendingApprovals() {
    return pendingSnapshot;
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
    learner.override(type, service, phase, operator, reason);
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
    learner.promote(type, service, to, operator, minVerified, minLowerBound);
  }

  /**
   * A human records whether the diagnosis of {@code incidentId} was right; feeds the accuracy used for promotion.
   */
  public synchronized void reviewDiagnosis(String incidentId, boolean correct, String reviewer) {
    learner.review(incidentId, correct, reviewer);
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
      runner.close();
      executors.forEach(ResilientActionExecutor::close);
      synchronized (this) {
        snapshots.save(ctx.clock.now()); // a clean stop: the next start resumes from here
        try {
          ctx.audit.close();
        } catch (Exception e) {
          LOG.warn("closing the audit log failed", e);
        }
      }
    }
  }

  /**
   * The call edges learned from trace spans and from client-side metrics naming their callee, with per-edge call and
   * error counts and latency (spans only), as of the last tick.
   */
  public List<CallEdge> dependencyGraph() {
    return edgesSnapshot;
  }

  // ---------------------------------------------------------------- the loop

  /**
   * One turn of the loop: drain the inbox through the detectors, correlate new anomalies into incidents, apply
   * approvals, and move every active incident as far as it can go now; then publish what readers see.
   */
  public synchronized void tick() {
    if (closed.get()) {
      return;
    }
    Instant now = ctx.clock.now();
    killSwitchWatch.notice(ctx);
    List<Anomaly> found = new ArrayList<>();
    ctx.windows.advanceTo(now);
    boolean spans = false;
    Signal s;
    while ((s = inbox.poll()) != null) {
      spans |= s instanceof dev.sreagent.api.model.Span || s instanceof dev.sreagent.api.model.MetricSample m
          && m.attribute(dev.sreagent.api.model.Attributes.PEER_SERVICE) != null; // edges learned from either
      intake.ingest(s, found);
    }
    capacity.update(ctx.windows, ctx.graph.evictedEdges(), ctx.detectors);
    for (Anomaly a : found) {
      ctx.counters.anomalies.incrementAndGet();
      ctx.telemetry.anomaly(a.type().name());
      intake.onAnomaly(a, now);
    }
    decider.applyApprovals(now);
    intake.rerankYoung(now, shards::owns); // the owner ranks (ShardGate.owns has no side effects; acts may end one)
    List<Incident> active = ctx.store.active();
    ctx.counters.countActive(active);
    for (Incident inc : active) {
      MDC.put("incident", inc.id());
      try {
        if (shards.acts(inc, now)) {
          advance(inc, now); // another agent's incident is only observed (ShardGate)
        }
      } finally {
        MDC.remove("incident");
      }
    }
    remediator.sweep(now);
    ledger.purge(now);
    pendingSnapshot = List.copyOf(book.pendingApprovals());
    if (spans) {
      edgesSnapshot = ctx.graph.edges();
    }
    snapshots.maybeSave(now);
  }

  /** Moves one active incident as far as its state allows now. */
  private void advance(Incident inc, Instant now) {
    switch (inc.state()) {
      case OPEN -> book.move(inc, IncidentState.INVESTIGATING, now, "investigating");
      case INVESTIGATING -> {
        if (!now.isBefore(inc.openedAt().plus(ctx.settings.investigationDelay()))) {
          diagnoser.diagnose(inc, now);
        }
      }
      case DIAGNOSED -> decider.decide(inc, now);
      case AWAITING_APPROVAL -> decider.expireApproval(inc, now);
      case REMEDIATING -> remediator.execute(inc, now, false);
      case VERIFYING -> verifier.verify(inc, now);
      default -> { }
    }
  }
}
