package dev.sreagent.core;

import dev.sreagent.api.config.ConfigView;
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
import dev.sreagent.api.spi.ActionExecutorProvider;
import dev.sreagent.api.spi.BuiltInComponents;
import dev.sreagent.api.spi.DetectorProvider;
import dev.sreagent.api.spi.GuardrailProvider;
import dev.sreagent.api.spi.KnowledgeBaseProvider;
import dev.sreagent.api.spi.NotifierProvider;
import dev.sreagent.api.spi.ReasonerProvider;
import dev.sreagent.api.spi.TelemetrySourceProvider;
import dev.sreagent.core.audit.HashChainedAuditLog;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.execution.ResilientActionExecutor;
import dev.sreagent.core.guardrail.ChangeFreezes;
import dev.sreagent.core.guardrail.GuardrailLimits;
import dev.sreagent.core.guardrail.KillSwitch;
import dev.sreagent.core.guardrail.SafetyGate;
import dev.sreagent.core.knowledge.LexicalKnowledgeBase;
import dev.sreagent.core.lock.InMemoryLockService;
import dev.sreagent.core.phase.PhaseRegistry;
import dev.sreagent.core.reasoning.CatalogPlanner;
import dev.sreagent.core.reasoning.EvidenceReasoner;
import dev.sreagent.core.store.InMemoryIncidentStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link SreAgentBuilder} has been told, and how {@link #build()} turns it into an {@link SreAgent}. The
 * builder validates each argument and writes these fields; nothing else does.
 *
 * <p>{@link #build()} checks the cross-field rules, then resolves each port in the builder's documented order: the
 * explicit setter (a field here), then a provider named in configuration, then the providers {@link ProviderDiscovery}
 * finds, then the built-in default ({@code sre-agent-detect}'s {@link BuiltInComponents} for detectors, correlator and
 * call graph). It loads the guardrail policy, wraps every executor in its {@link ExecutorPolicy} and opens the audit
 * file with its key and accepted tail. Every configuration problem is collected and thrown at once as a
 * {@link ConfigurationException} before anything is built. It only reads these fields, so the builder can build
 * again.
 */
final class AgentAssembly {
  /** The limits nobody set: {@link SreAgentBuilder#setGuardrailPolicy} may only replace these. */
  static final GuardrailLimits DEFAULT_LIMITS = GuardrailLimits.defaults();
  /** Logged under the public builder's name, the one applications configure. */
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SreAgentBuilder.class);
  Clock clock = Clock.system();
  AgentSettings settings = AgentSettings.defaults();
  final List<TelemetrySource> sources = new ArrayList<>();
  @Nullable List<Detector> detectors;
  @Nullable Correlator correlator;
  @Nullable CallGraph callGraph;
  @Nullable KnowledgeBase knowledge;
  @Nullable Reasoner reasoner;
  @Nullable RemediationPlanner planner;
  final List<Guardrail> guardrails = new ArrayList<>();
  final List<ActionExecutor> executors = new ArrayList<>();
  final Map<ActionExecutor, ExecutorPolicy> executorPolicies = new java.util.IdentityHashMap<>();
  @Nullable ApprovalChannel approvals;
  final List<Notifier> notifiers = new ArrayList<>();
  @Nullable IncidentStore store;
  @Nullable AuditLog audit;
  @Nullable Path auditFile;
  dev.sreagent.core.audit.@Nullable AuditKey auditKey;
  @Nullable String acceptingOperator;
  @Nullable String acceptanceReason;
  @Nullable LockService locks;
  dev.sreagent.api.shard.@Nullable ShardMembership shards;
  @Nullable TopologyProvider topology;
  Phase defaultPhase = Phase.OBSERVE;
  final Map<IncidentType, Phase> phases = new LinkedHashMap<>();
  GuardrailLimits limits = DEFAULT_LIMITS;
  @Nullable Path guardrailPolicy;
  final Set<String> customActionKinds = new LinkedHashSet<>();
  Map<String, String> config = Map.of();
  boolean discovery = true;
  io.opentelemetry.api.OpenTelemetry openTelemetry = io.opentelemetry.api.OpenTelemetry.noop();
  java.util.concurrent.@Nullable Executor diagnosisExecutor;
  int actionThreads = ActionRunner.DEFAULT_THREADS;
  dev.sreagent.core.reasoning.@Nullable ConfidenceCalibration calibration;
  dev.sreagent.api.port.@Nullable DetectorStateStore detectorStates;
  java.time.Duration snapshotInterval = SreAgentBuilder.DEFAULT_SNAPSHOT_INTERVAL;
  java.time.Duration snapshotMaxAge = SreAgentBuilder.DEFAULT_SNAPSHOT_MAX_AGE;

  /** The prefix of the built-in detectors' keys ({@code DetectorSettings} in {@code sre-agent-detect}). */
  static final String DETECT_PREFIX = "detect.";
  /** The prefix of the built-in root-cause ranking's keys, which {@code setDetectors} does not replace. */
  static final String RANKING_PREFIX = "detect.ranking.";

  /** See {@link SreAgentBuilder#build()}. */
  SreAgent build() {
    List<String> problems = new ArrayList<>();
    ConfigView view = ConfigView.of(config);
    boolean anyAssist = defaultPhase == Phase.ASSIST || phases.containsValue(Phase.ASSIST)
        || defaultPhase == Phase.AUTONOMOUS || phases.containsValue(Phase.AUTONOMOUS);
    if (anyAssist && settings.approverRoles().isEmpty()) {
      problems.add("approverRoles is empty but a phase above OBSERVE is configured: nobody could approve SEV1/SEV2"
          + " plans; set AgentSettings.withApproverRoles(Set.of(\"sre\"))");
    }
    ProviderDiscovery found = new ProviderDiscovery(discovery, view, problems);
    BuiltInComponents builtIns = detectors == null || correlator == null || callGraph == null ? builtIns() : null;
    List<Detector> ds;
    if (detectors != null) {
      ds = detectors;
      List<String> ignored = config.keySet().stream().filter(k -> k.startsWith(DETECT_PREFIX)
          && !k.startsWith(RANKING_PREFIX)).sorted().toList();
      if (!ignored.isEmpty()) {
        problems.add(String.join(", ", ignored) + " configure the built-in detectors, which setDetectors(...) replaced;"
            + " remove the keys or configure the detectors you pass");
      }
    } else if (builtIns == null) {
      problems.add("no detectors: sre-agent-detect, which provides the built-in ones, is not on the class path; add"
          + " the dependency dev.sreagent:sre-agent-detect or call setDetectors(...)");
      ds = List.of();
    } else {
      List<Detector> builtIn = List.of();
      try {
        builtIn = builtIns.detectors(view);
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
      }
      ds = concat(builtIn, found.all(DetectorProvider.class));
    }
    List<ActionExecutor> exs = new ArrayList<>(executors);
    if (exs.isEmpty()) {
      exs.addAll(found.all(ActionExecutorProvider.class));
    }
    exs.addAll(found.named(ActionExecutorProvider.class, SreAgentBuilder.EXECUTORS_KEY));
    List<Guardrail> extra = concat(guardrails, found.all(GuardrailProvider.class));
    List<Notifier> ns = concat(notifiers, found.all(NotifierProvider.class));
    List<TelemetrySource> srcs = concat(sources, found.named(TelemetrySourceProvider.class,
        SreAgentBuilder.TELEMETRY_SOURCES_KEY));
    KnowledgeBase kb = knowledge != null ? knowledge : found.single(KnowledgeBaseProvider.class, "knowledge-base",
        LexicalKnowledgeBase::withBundledRunbooks);
    Reasoner rs = reasoner != null ? reasoner : found.single(ReasonerProvider.class, "reasoner",
        EvidenceReasoner::new);
    GuardrailLimits effectiveLimits = limits;
    if (guardrailPolicy != null) {
      try {
        effectiveLimits = dev.sreagent.core.guardrail.GuardrailPolicies.load(guardrailPolicy);
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
      }
    }
    if (auditFile == null && audit == null && (auditKey != null || acceptingOperator != null)) {
      problems.add((auditKey != null ? "auditKey " + auditKey : "acceptUnverifiedAuditTail") + " is set, but there"
          + " is no auditFile: the audit log would stay in memory; call setAuditFile(path) too");
    }
    if (shards != null && !shards.self().equals(settings.agentId())) {
      problems.add("the shard membership's member id '" + shards.self() + "' is not the agent id '"
          + settings.agentId() + "': register the agent under its own id, or set it with"
          + " setSettings(AgentSettings.defaults().withAgentId(\"" + shards.self() + "\"))");
    }
    BuiltInComponents ranking = builtIns != null ? builtIns : builtIns();
    dev.sreagent.api.port.RootCauseRanking rootCauseRanking = dev.sreagent.api.port.RootCauseRanking.noop();
    try {
      rootCauseRanking = ranking != null ? ranking.rootCauseRanking(view) : rootCauseRanking;
    } catch (ConfigurationException e) {
      e.problems().stream().filter(x -> !problems.contains(x)).forEach(problems::add);  // a key read by both
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    AgentParts p = new AgentParts();
    p.clock = clock;
    p.settings = settings;
    p.sources = srcs;
    p.detectors = ds;
    p.correlator = correlator != null ? correlator : builtIns != null ? builtIns.correlator()
        : withoutBuiltIn("correlator", Correlator.noop(), "one incident per anomaly", "setCorrelator");
    p.callGraph = callGraph != null ? callGraph : builtIns != null ? builtIns.callGraph()
        : withoutBuiltIn("call graph", CallGraph.noop(), "no call edges learned from spans", "setCallGraph");
    p.rootCauseRanking = rootCauseRanking;
    p.knowledge = kb;
    p.reasoner = rs;
    p.planner = planner != null ? planner : new CatalogPlanner();
    p.killSwitch = new KillSwitch();
    p.freezes = new ChangeFreezes(effectiveLimits.freezeWindows());
    p.gate = SafetyGate.builtIn(effectiveLimits, p.killSwitch, p.freezes, customActionKinds, extra);
    List<ResilientActionExecutor> wrapped = new ArrayList<>();
    for (ActionExecutor e : exs) {
      wrapped.add(e instanceof ResilientActionExecutor r ? r : new ResilientActionExecutor(e, policyFor(e,
          executorPolicies.get(e)), clock));
    }
    p.executors = wrapped;
    p.approvals = approvals != null ? approvals : ApprovalChannel.noop();
    p.notifiers = ns;
    p.store = store != null ? store : new InMemoryIncidentStore();
    p.audit = audit != null ? audit : auditFile != null ? openAuditFile(auditFile) : HashChainedAuditLog.inMemory();
    p.locks = locks != null ? locks : new InMemoryLockService(clock);
    p.topology = topology != null ? topology : TopologyProvider.noop();
    p.openTelemetry = openTelemetry;
    p.diagnosisExecutor = diagnosisExecutor;
    p.actionThreads = actionThreads;
    p.calibration = calibration;
    p.detectorStates = detectorStates != null ? detectorStates : auditFile != null
        ? dev.sreagent.core.store.FileDetectorStateStore.nextTo(auditFile) : null;
    p.snapshotInterval = snapshotInterval;
    p.snapshotMaxAge = snapshotMaxAge;
    p.shards = shards;
    Map<IncidentType, Phase> initial = new LinkedHashMap<>(phases);
    p.phases = new PhaseRegistry(defaultPhase, initial);
    return new SreAgent(p);
  }

  private HashChainedAuditLog openAuditFile(Path file) {
    HashChainedAuditLog.Builder b = HashChainedAuditLog.builder().setFile(file).setClock(clock);
    if (auditKey != null) {
      b.setKey(auditKey);
    }
    if (acceptingOperator != null && acceptanceReason != null) {
      b.acceptUnverifiedTail(acceptingOperator, acceptanceReason);
    }
    return b.build();
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** The defaults of {@code sre-agent-detect}, when it is on the class path. */
  private static @Nullable BuiltInComponents builtIns() {
    return ServiceLoader.load(BuiltInComponents.class, SreAgentBuilder.class.getClassLoader()).findFirst()
        .orElse(null);
  }

  private static <T> T withoutBuiltIn(String what, T fallback, String meaning, String setter) {
    LOG.warn("no {} given and sre-agent-detect is not on the class path: using a no-op one ({}); add"
        + " dev.sreagent:sre-agent-detect or call {}(...)", what, meaning, setter);
    return fallback;
  }

  /** The policy set in code, else the default raised to the executor's own {@link ActionExecutor#longestCall()}. */
  static ExecutorPolicy policyFor(ActionExecutor e, @Nullable ExecutorPolicy set) {
    if (set != null) {
      return set;
    }
    ExecutorPolicy policy = ExecutorPolicy.defaults();
    java.util.Optional<java.time.Duration> longest = e.longestCall();
    return longest.isPresent() && longest.get().compareTo(policy.timeout()) > 0 ? policy.withTimeout(longest.get())
        : policy;
  }
}
