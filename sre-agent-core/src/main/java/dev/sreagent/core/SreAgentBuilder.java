package dev.sreagent.core;

import dev.sreagent.api.Require;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.CallGraph;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.Correlator;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.port.Guardrail;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.api.port.LockService;
import dev.sreagent.api.port.Notifier;
import dev.sreagent.api.port.Reasoner;
import dev.sreagent.api.port.RemediationPlanner;
import dev.sreagent.api.port.TelemetrySource;
import dev.sreagent.api.port.TopologyProvider;
import dev.sreagent.api.spi.BuiltInComponents;
import dev.sreagent.core.audit.HashChainedAuditLog;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.guardrail.GuardrailLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Composes an {@link SreAgent}. Every collaborator has a default, so {@code SreAgent.builder().build()} works.
 *
 * <p>Resolution order for each port: the explicit setter, then a provider named in configuration
 * ({@code sre-agent.<port>=<name>}), then every provider found through {@link ServiceLoader} (sorted by
 * {@code order()}, for multi-valued ports), then the built-in default; the rules for each kind of provider are in
 * {@link dev.sreagent.api.spi.Provider}. {@link #build()} checks cross-field rules and reports every problem at once;
 * it does not change the builder, which can build again.
 *
 * <p>Calling a method twice: a {@code set…} method replaces what an earlier call set and an {@code add…} method
 * appends, with three exceptions that refuse a second value because they fix the agent's evidence trail — swapping
 * them silently could hide tampering: {@link #setAuditKey}, {@link #acceptUnverifiedAuditTail}, and combining
 * {@link #setAuditFile} or {@link #setAuditKey} with {@link #setAuditLog}. Every setter validates its argument and
 * names the bad value.
 */
public final class SreAgentBuilder {
  /** How often the detectors' snapshot is saved by default (agent clock). */
  public static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofMinutes(5);
  /** How old a detectors' snapshot may be by default for a starting agent to resume from it. */
  public static final Duration DEFAULT_SNAPSHOT_MAX_AGE = Duration.ofHours(1);
  /**
   * Configuration key naming the {@link dev.sreagent.api.spi.TelemetrySourceProvider}s to run, comma-separated
   * (for example {@code sre-agent.telemetry-sources=prometheus}); a source is never started only because its module
   * is on the class path.
   */
  public static final String TELEMETRY_SOURCES_KEY = "sre-agent.telemetry-sources";
  /**
   * Configuration key naming executor providers used only when named, comma-separated ({@code sre-agent.executors=
   * gitops}): added to those set in code or discovered, even with discovery off; an unknown name stops {@link #build()}.
   */
  public static final String EXECUTORS_KEY = "sre-agent.executors";
  /** What the setters chose; {@link #build()} turns it into the agent. */
  private final AgentAssembly assembly = new AgentAssembly();

  SreAgentBuilder() {}

  /** The clock; default the system clock. Simulations pass a virtual clock. */
  public SreAgentBuilder setClock(Clock clock) {
    assembly.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Loop timings and sizes; default {@link AgentSettings#defaults()}. */
  public SreAgentBuilder setSettings(AgentSettings settings) {
    assembly.settings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /** Adds a telemetry source, started by {@link SreAgent#start()}. Sources are never discovered implicitly. */
  public SreAgentBuilder addTelemetrySource(TelemetrySource source) {
    assembly.sources.add(Objects.requireNonNull(source, "source"));
    return this;
  }

  /**
   * Replaces the detectors (default: the built-in rule detectors of {@code sre-agent-detect}, found through
   * {@link BuiltInComponents}, plus discovered providers).
   */
  public SreAgentBuilder setDetectors(List<Detector> detectors) {
    assembly.detectors = List.copyOf(detectors);
    return this;
  }

  /**
   * Groups anomalies into incidents and sets their blast-radius severity (default: {@code sre-agent-detect}'s
   * {@code TopologyCorrelator}, found through {@link BuiltInComponents}).
   */
  public SreAgentBuilder setCorrelator(Correlator correlator) {
    assembly.correlator = Objects.requireNonNull(correlator, "correlator");
    return this;
  }

  /**
   * The call graph learned from trace spans (default: {@code sre-agent-detect}'s {@code DependencyGraph}, edges
   * expiring 10 minutes after their last call, at most 50,000; {@link CallGraph#noop()} learns nothing).
   */
  public SreAgentBuilder setCallGraph(CallGraph callGraph) {
    assembly.callGraph = Objects.requireNonNull(callGraph, "callGraph");
    return this;
  }

  /** Default: the runbooks bundled with the SDK, searched with BM25. */
  public SreAgentBuilder setKnowledgeBase(KnowledgeBase knowledge) {
    assembly.knowledge = Objects.requireNonNull(knowledge, "knowledge");
    return this;
  }

  /** Default: the offline evidence reasoner. */
  public SreAgentBuilder setReasoner(Reasoner reasoner) {
    assembly.reasoner = Objects.requireNonNull(reasoner, "reasoner");
    return this;
  }

  /** Default: the catalog planner. */
  public SreAgentBuilder setPlanner(RemediationPlanner planner) {
    assembly.planner = Objects.requireNonNull(planner, "planner");
    return this;
  }

  /** Adds a guardrail after the built-in chain (which cannot be removed). */
  public SreAgentBuilder addGuardrail(Guardrail guardrail) {
    assembly.guardrails.add(Objects.requireNonNull(guardrail, "guardrail"));
    return this;
  }

  /** Tightens the built-in guardrails; conflicts with {@link #setGuardrailPolicy(Path)}. */
  public SreAgentBuilder setGuardrailLimits(GuardrailLimits limits) {
    if (assembly.guardrailPolicy != null) {
      throw new IllegalStateException("guardrailLimits cannot be combined with guardrailPolicy "
          + assembly.guardrailPolicy);
    }
    assembly.limits = Objects.requireNonNull(limits, "limits");
    return this;
  }

  /**
   * Loads guardrail limits from a YAML policy file at {@link #build()} (see
   * {@link dev.sreagent.core.guardrail.GuardrailPolicies}); its problems are reported with the others.
   */
  public SreAgentBuilder setGuardrailPolicy(Path file) {
    if (assembly.limits != AgentAssembly.DEFAULT_LIMITS) {
      throw new IllegalStateException("guardrailPolicy cannot be combined with explicit guardrailLimits");
    }
    assembly.guardrailPolicy = Objects.requireNonNull(file, "file");
    return this;
  }

  /** Registers a custom action kind in the catalog (an executor must support it). */
  public SreAgentBuilder addCustomActionKind(String kind) {
    Objects.requireNonNull(kind, "kind");
    if (dev.sreagent.core.guardrail.ActionCatalogGuardrail.BUILT_IN_KINDS.contains(kind)) {
      throw new IllegalArgumentException("kind must not reuse a built-in action kind, but was '" + kind + "'");
    }
    assembly.customActionKinds.add(kind);
    return this;
  }

  /**
   * Adds an executor, protected by {@link ExecutorPolicy#defaults()}: bulkhead, circuit breaker, 30 s time limit,
   * 3 attempts with exponential backoff and jitter. The first executor that supports an action runs it.
   */
  public SreAgentBuilder addExecutor(ActionExecutor executor) {
    return addExecutor(executor, ExecutorPolicy.defaults());
  }

  /** Adds an executor protected by {@code policy}. */
  public SreAgentBuilder addExecutor(ActionExecutor executor, ExecutorPolicy policy) {
    assembly.executors.add(Objects.requireNonNull(executor, "executor"));
    assembly.executorPolicies.put(executor, Objects.requireNonNull(policy, "policy"));
    return this;
  }

  public SreAgentBuilder setApprovalChannel(ApprovalChannel approvals) {
    assembly.approvals = Objects.requireNonNull(approvals, "approvals");
    return this;
  }

  public SreAgentBuilder addNotifier(Notifier notifier) {
    assembly.notifiers.add(Objects.requireNonNull(notifier, "notifier"));
    return this;
  }

  public SreAgentBuilder setIncidentStore(IncidentStore store) {
    assembly.store = Objects.requireNonNull(store, "store");
    return this;
  }

  /**
   * An audit log implementation; conflicts with {@link #setAuditFile(Path)}, {@link #setAuditKey} and
   * {@link #acceptUnverifiedAuditTail} (give those to {@link HashChainedAuditLog#builder()}). Default: in memory.
   */
  public SreAgentBuilder setAuditLog(AuditLog audit) {
    if (assembly.auditFile != null) {
      throw new IllegalStateException("auditLog cannot be combined with auditFile " + assembly.auditFile);
    }
    if (assembly.auditKey != null || assembly.acceptingOperator != null) {
      throw new IllegalStateException("auditLog cannot be combined with " + (assembly.auditKey != null
          ? "auditKey " + assembly.auditKey : "acceptUnverifiedAuditTail")
          + "; pass them to HashChainedAuditLog.builder() instead");
    }
    assembly.audit = Objects.requireNonNull(audit, "audit");
    return this;
  }

  /** Keeps the hash-chained audit log in {@code file} and replays it on build (crash recovery). */
  public SreAgentBuilder setAuditFile(Path file) {
    if (assembly.audit != null) {
      throw new IllegalStateException("auditFile cannot be combined with an explicit auditLog " + assembly.audit);
    }
    assembly.auditFile = Objects.requireNonNull(file, "file");
    return this;
  }

  /**
   * Keys the audit file with {@code key} (see {@link dev.sreagent.core.audit.AuditKey}): every record and the head
   * carry an HMAC-SHA256, so someone who can write the file but does not hold the key cannot forge, edit, re-chain
   * or cut records unnoticed, and a crash between an append and the head update recovers by itself (audited). A new
   * log is keyed from record 1; an unkeyed or differently keyed log is refused. Needs {@link #setAuditFile(Path)}.
   */
  public SreAgentBuilder setAuditKey(dev.sreagent.core.audit.AuditKey key) {
    if (assembly.auditKey != null) {
      throw new IllegalStateException("auditKey was already set to " + assembly.auditKey);
    }
    if (assembly.audit != null) {
      throw new IllegalStateException("auditKey cannot be combined with an explicit auditLog " + assembly.audit
          + "; key it with HashChainedAuditLog.builder().setKey(key)");
    }
    assembly.auditKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Where the detectors' learned state is kept so that a restarted agent resumes detection without a new warm-up
   * (the JDBC store's {@code detectorStateStore()}, a {@link dev.sreagent.core.store.FileDetectorStateStore}).
   * Default: the file {@code <audit file>.detectors} when {@link #setAuditFile} is set, else none (the detectors
   * start cold after a restart).
   */
  public SreAgentBuilder setDetectorStateStore(dev.sreagent.api.port.DetectorStateStore store) {
    assembly.detectorStates = Objects.requireNonNull(store, "store");
    return this;
  }

  /**
   * How often (by the agent's clock) the detectors' snapshot is saved, besides on close, and how old a snapshot may
   * be for a starting agent to resume from it (an older one is ignored, logged, and the detectors start cold: the
   * baselines it holds may no longer describe the services). Defaults: 5 minutes and 1 hour.
   */
  public SreAgentBuilder setDetectorSnapshots(Duration interval, Duration maxAge) {
    assembly.snapshotInterval = Require.positive(interval, "interval");
    assembly.snapshotMaxAge = Require.positive(maxAge, "maxAge");
    return this;
  }

  /**
   * An operator's explicit acceptance of audit records that the head file does not cover (a missing head, or one
   * lagging behind the log, which {@link #build()} otherwise refuses): the log opens and appends an
   * {@code audit.tail-accepted} record by {@code operator} with {@code reason} and what was accepted. Check the
   * records named by the refusal first, and drop this call once the agent has started. Needs
   * {@link #setAuditFile(Path)}; never accepts a broken chain or a bad MAC.
   */
  public SreAgentBuilder acceptUnverifiedAuditTail(String operator, String reason) {
    if (assembly.acceptingOperator != null) {
      throw new IllegalStateException("acceptUnverifiedAuditTail was already called by operator '"
          + assembly.acceptingOperator + "'");
    }
    if (assembly.audit != null) {
      throw new IllegalStateException("acceptUnverifiedAuditTail cannot be combined with an explicit auditLog "
          + assembly.audit + "; use HashChainedAuditLog.builder().acceptUnverifiedTail(operator, reason)");
    }
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(reason, "reason");
    if (operator.isBlank() || reason.isBlank()) {
      throw new IllegalArgumentException((operator.isBlank() ? "operator" : "reason") + " must not be blank, but was '"
          + (operator.isBlank() ? operator : reason) + "'");
    }
    assembly.acceptingOperator = operator;
    assembly.acceptanceReason = reason;
    return this;
  }

  public SreAgentBuilder setLockService(LockService locks) {
    assembly.locks = Objects.requireNonNull(locks, "locks");
    return this;
  }

  /**
   * Shares the work with other agents: this agent acts only on the incidents whose first anomaly's service
   * {@code membership} gives to it (rendezvous hashing over the live members), observes the others without acting,
   * asking approval or notifying, and takes them over when their owner leaves. Its member id must be this agent's
   * id ({@link AgentSettings#withAgentId}), unique among them. Use a shared lock service too ({@link #setLockService}). Without it (the default) the
   * agent works alone and owns everything.
   *
   * @throws dev.sreagent.api.config.ConfigurationException at {@link #build()} when the member id is not the agent id
   */
  public SreAgentBuilder setShardMembership(dev.sreagent.api.shard.ShardMembership membership) {
    assembly.shards = Objects.requireNonNull(membership, "membership");
    return this;
  }

  public SreAgentBuilder setTopologyProvider(TopologyProvider topology) {
    assembly.topology = Objects.requireNonNull(topology, "topology");
    return this;
  }

  /** The phase for incident types without their own; default OBSERVE (nothing executes). */
  public SreAgentBuilder setDefaultPhase(Phase phase) {
    assembly.defaultPhase = Objects.requireNonNull(phase, "phase");
    return this;
  }

  /** The initial phase of one incident type (the audit log's phase changes win on restart). */
  public SreAgentBuilder setPhase(IncidentType type, Phase phase) {
    assembly.phases.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(phase, "phase"));
    return this;
  }

  /** Flat configuration handed to providers and used to pick named providers. */
  public SreAgentBuilder setConfig(Map<String, String> config) {
    assembly.config = Map.copyOf(config);
    return this;
  }

  /**
   * Where the agent reports its own metrics and incident spans (default: no-op, nothing is forced on you). Pass your
   * application's {@code OpenTelemetry} to watch the agent with the same tools it watches others with.
   */
  public SreAgentBuilder setOpenTelemetry(io.opentelemetry.api.OpenTelemetry openTelemetry) {
    assembly.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
    return this;
  }

  /**
   * Runs diagnoses on {@code executor} instead of the loop's thread (default: on the loop, which suits the offline
   * reasoner's few milliseconds). With a language model that may take seconds, pass an executor so that a slow
   * answer never stalls detection, approvals, remediation or verification of other incidents: the incident stays
   * INVESTIGATING until its diagnosis arrives. The executor belongs to the caller.
   */
  public SreAgentBuilder setDiagnosisExecutor(java.util.concurrent.Executor executor) {
    assembly.diagnosisExecutor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Maps every diagnosis's stated confidence through {@code calibration} (fitted from graded diagnoses, see
   * {@link dev.sreagent.core.reasoning.ConfidenceCalibration}); the explanation shows the mapping.
   */
  public SreAgentBuilder setConfidenceCalibration(dev.sreagent.core.reasoning.ConfidenceCalibration calibration) {
    assembly.calibration = Objects.requireNonNull(calibration, "calibration");
    return this;
  }

  /**
   * How many actions may run at once, each on a thread of a pool the agent owns (default
   * {@value ActionRunner#DEFAULT_THREADS}), so an action that takes minutes never blocks the loop: other incidents
   * are detected, decided and verified meanwhile, and the result is applied on the first tick after it lands.
   * {@code 0} runs every action on the loop's thread, its result applied in the same tick: deterministic, for
   * simulations that step a virtual clock (the testkit's harness does this unless told otherwise).
   *
   * @throws IllegalArgumentException when {@code threads} is outside [0, 256]
   */
  public SreAgentBuilder setActionThreads(int threads) {
    if (threads < 0 || threads > 256) {
      throw new IllegalArgumentException("actionThreads must be within [0, 256], but was " + threads
          + "; use 0 to run actions on the loop's thread");
    }
    assembly.actionThreads = threads;
    return this;
  }

  /** Whether ServiceLoader discovery runs (default true). Tests that want exact wiring turn it off. */
  public SreAgentBuilder setDiscovery(boolean enabled) {
    assembly.discovery = enabled;
    return this;
  }

  /**
   * Builds the agent, replaying the audit log when one is configured.
   *
   * @throws ConfigurationException listing every problem found
   * @throws IllegalStateException when the audit file is broken, keyed differently, or holds records its head does
   *     not cover that nobody accepted (see {@link #acceptUnverifiedAuditTail}); the message names the record
   */
  public SreAgent build() {
    return assembly.build();
  }
}
