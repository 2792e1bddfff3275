package dev.sreagent.core;

import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ApprovalChannel;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.CallGraph;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.Correlator;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.api.port.KnowledgeBase;
import dev.sreagent.api.port.LockService;
import dev.sreagent.api.port.Notifier;
import dev.sreagent.api.port.Reasoner;
import dev.sreagent.api.port.RemediationPlanner;
import dev.sreagent.api.port.TelemetrySource;
import dev.sreagent.api.port.TopologyProvider;
import dev.sreagent.core.audit.HashChainedAuditLog;
import dev.sreagent.core.execution.ResilientActionExecutor;
import dev.sreagent.core.guardrail.ChangeFreezes;
import dev.sreagent.core.guardrail.KillSwitch;
import dev.sreagent.core.guardrail.SafetyGate;
import dev.sreagent.core.lock.InMemoryLockService;
import dev.sreagent.core.phase.PhaseRegistry;
import dev.sreagent.core.reasoning.CatalogPlanner;
import dev.sreagent.core.reasoning.EvidenceReasoner;
import dev.sreagent.core.store.InMemoryIncidentStore;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The collaborators {@link SreAgentBuilder#build()} resolved, handed to the agent and its loop context. */
final class AgentParts {
  Clock clock = Clock.system();
  AgentSettings settings = AgentSettings.defaults();
  List<TelemetrySource> sources = List.of();
  List<Detector> detectors = List.of();
  Correlator correlator = Correlator.noop();
  CallGraph callGraph = CallGraph.noop();
  KnowledgeBase knowledge = KnowledgeBase.noop();
  Reasoner reasoner = new EvidenceReasoner();
  RemediationPlanner planner = new CatalogPlanner();
  SafetyGate gate = new SafetyGate(List.of());
  KillSwitch killSwitch = new KillSwitch();
  ChangeFreezes freezes = new ChangeFreezes(List.of());
  List<ResilientActionExecutor> executors = List.of();
  int actionThreads = ActionRunner.DEFAULT_THREADS;
  ApprovalChannel approvals = ApprovalChannel.noop();
  List<Notifier> notifiers = List.of();
  IncidentStore store = new InMemoryIncidentStore();
  AuditLog audit = HashChainedAuditLog.inMemory();
  LockService locks = new InMemoryLockService(Clock.system());
  TopologyProvider topology = TopologyProvider.noop();
  io.opentelemetry.api.OpenTelemetry openTelemetry = io.opentelemetry.api.OpenTelemetry.noop();
  PhaseRegistry phases = new PhaseRegistry(Phase.OBSERVE, Map.of());
  java.util.concurrent.@Nullable Executor diagnosisExecutor;
  dev.sreagent.core.reasoning.@Nullable ConfidenceCalibration calibration;
  dev.sreagent.api.shard.@Nullable ShardMembership shards;
}
