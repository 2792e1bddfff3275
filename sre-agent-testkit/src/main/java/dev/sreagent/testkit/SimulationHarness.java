package dev.sreagent.testkit;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.LockService;
import dev.sreagent.api.port.Notifier;
import dev.sreagent.core.AgentStats;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.SreAgentBuilder;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.lock.InMemoryLockService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A simulated cluster wired to an agent on one virtual clock: the unit that tests and the demo drive.
 *
 * <pre>{@code
 * try (SimulationHarness h = SimulationHarness.builder().setSeed(7).setPhase(Phase.AUTONOMOUS).build()) {
 *   h.runFor(Duration.ofMinutes(40));                 // warm-up
 *   h.inject(new Fault.MemoryLeak("cart", 0.02));
 *   h.schedule(Duration.ofMinutes(5), ClusterEvent.freeze("release", Duration.ofHours(1)));
 *   h.runUntil(x -> !x.records(AuditTypes.ACTION_STARTED).isEmpty(), Duration.ofMinutes(60));
 *   assertThat(h.cluster().oracle().violations()).isEmpty();
 * }
 * }</pre>
 *
 * <p>Every harness binds its cluster's {@link GuardrailOracle} to its agent (again after
 * {@link #crashAndRestartAgent()}), so the oracle checks each action that takes effect against the agent's kill
 * switch, freezes, incidents and approvals.
 */
public final class SimulationHarness implements AutoCloseable {
  /** Simulated time per step: every signal is sampled this often. */
  public static final Duration DEFAULT_STEP = Duration.ofSeconds(15);
  /**
   * With action threads, the real time a step waits at most for running actions to land or park on the virtual
   * clock; an executor that does real work for longer simply lands in a later step.
   */
  public static final Duration SETTLE_LIMIT = Duration.ofSeconds(10);

  /**
   * A fault injected, and when.
   *
   * @param fault the fault
   * @param at when it was injected (virtual time)
   */
  public record InjectedFault(Fault fault, Instant at) {}

  /**
   * An event applied, and when.
   *
   * @param event the event
   * @param at when it happened (virtual time)
   */
  public record AppliedEvent(ClusterEvent event, Instant at) {}

  private record Scheduled(Instant at, long order, @Nullable Fault fault, @Nullable ClusterEvent event) {}

  private final VirtualClock clock;
  private final SimulatedCluster cluster;
  private final SimulatedOnCall onCall;
  private final InMemoryLockService locks;
  private final Function<@Nullable ActionExecutor, SreAgent> agentFactory;
  private SreAgent agent;
  private final Duration step;
  private final int actionThreads;
  private final Instant start;
  private final List<InjectedFault> faults = new ArrayList<>();
  private final List<AppliedEvent> events = new ArrayList<>();
  private final List<Scheduled> scheduled = new ArrayList<>();
  private long scheduleOrder;
  private final Consumer<SimulationHarness> stepListener;
  private final Consumer<SimulatedCluster> advanceListener;

  private SimulationHarness(Builder b) {
    this.clock = new VirtualClock(b.start);
    this.start = b.start;
    this.step = b.step;
    this.stepListener = b.stepListener;
    this.advanceListener = b.advanceListener;
    this.cluster = b.cluster.setSeed(b.seed).setClock(clock).build();
    this.locks = new InMemoryLockService(clock);
    this.onCall = b.onCallResponse == null ? SimulatedOnCall.absent(clock)
        : SimulatedOnCall.approvingAfter(clock, b.onCallResponse);
    Function<SimulatedExecutor, ActionExecutor> wrapper = b.executorWrapper;
    ExecutorPolicy policy = b.executorPolicy;
    Phase phase = b.phase;
    Path auditFile = b.auditFile;
    dev.sreagent.core.audit.AuditKey auditKey = b.auditKey;
    Notifier notifier = b.notifier;
    Consumer<SreAgentBuilder> customizer = b.customizer;
    this.actionThreads = b.actionThreads;
    int actionThreads = b.actionThreads;
    LockService agentLocks = b.lockWrapper.apply(locks);
    this.agentFactory = first -> {
      SreAgentBuilder ab = SreAgent.builder()
          .setClock(clock)
          .addTelemetrySource(cluster)
          .setTopologyProvider(cluster);
      if (first != null) {
        ab.addExecutor(first, policy);
      }
      ab.addExecutor(wrapper.apply(cluster.executor()), policy)
          .setApprovalChannel(onCall)
          .setLockService(agentLocks)
          .setDefaultPhase(phase)
          .setActionThreads(actionThreads)
          .setDiscovery(false);
      if (auditFile != null) {
        ab.setAuditFile(auditFile);
      }
      if (auditKey != null) {
        ab.setAuditKey(auditKey);
      }
      if (notifier != null) {
        ab.addNotifier(notifier);
      }
      if (customizer != null) {
        customizer.accept(ab);
      }
      return ab.build();
    };
    this.agent = startAgent(null);
  }

  /**
   * Simulates a crash: the running agent is dropped without any shutdown (nothing flushed, nothing closed) and a
   * new one is built from the same configuration, replaying the audit log. Needs an audit file.
   *
   * @return the new agent
   */
  public SreAgent crashAndRestartAgent() {
    return startAgent(null);
  }

  /**
   * Like {@link #crashAndRestartAgent()}, with {@code executor} tried before the cluster's own (to inject executor
   * faults).
   */
  public SreAgent crashAndRestartAgentWith(ActionExecutor executor) {
    return startAgent(Objects.requireNonNull(executor, "executor"));
  }

  private SreAgent startAgent(@Nullable ActionExecutor first) {
    this.agent = agentFactory.apply(first);
    cluster.oracle().watch(agent, cluster::topology);
    agent.start();
    return agent;
  }

  /** A builder: seed 42, the default shop, phase AUTONOMOUS, on-call approving after 3 minutes, in-memory audit. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder of {@link SimulationHarness}. */
  public static final class Builder {
    private long seed = 42;
    private Phase phase = Phase.AUTONOMOUS;
    private @Nullable Duration onCallResponse = Duration.ofMinutes(3);
    private @Nullable Path auditFile;
    private dev.sreagent.core.audit.@Nullable AuditKey auditKey;
    private @Nullable Notifier notifier;
    private @Nullable Consumer<SreAgentBuilder> customizer;
    private Duration step = DEFAULT_STEP;
    private int actionThreads;
    private UnaryOperator<LockService> lockWrapper = l -> l;
    private Instant start = VirtualClock.DEFAULT_START;
    private Consumer<SimulationHarness> stepListener = h -> { };
    private Consumer<SimulatedCluster> advanceListener = c -> { };
    private ExecutorPolicy executorPolicy = ExecutorPolicy.defaults();
    private Function<SimulatedExecutor, ActionExecutor> executorWrapper = e -> e;
    private final SimulatedCluster.Builder cluster = SimulatedCluster.builder();

    private Builder() {}

    /** The resilience policy of the cluster's executor (default {@code ExecutorPolicy.defaults()}). */
    public Builder setExecutorPolicy(ExecutorPolicy policy) {
      this.executorPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Wraps the cluster's executor, for example to inject failures, hangs or lies. */
    public Builder setExecutorWrapper(Function<SimulatedExecutor, ActionExecutor> wrapper) {
      this.executorWrapper = Objects.requireNonNull(wrapper, "wrapper");
      return this;
    }

    public Builder setSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder setPhase(Phase phase) {
      this.phase = Objects.requireNonNull(phase, "phase");
      return this;
    }

    /** How long the simulated on-call takes to approve; null means nobody answers. */
    public Builder setOnCallResponse(@Nullable Duration response) {
      this.onCallResponse = response;
      return this;
    }

    /** Keep the audit log in a file (needed to restart the agent). */
    public Builder setAuditFile(@Nullable Path file) {
      this.auditFile = file;
      return this;
    }

    /** Keys the audit file (needs {@link #setAuditFile}); see {@code SreAgentBuilder.setAuditKey}. */
    public Builder setAuditKey(dev.sreagent.core.audit.@Nullable AuditKey key) {
      this.auditKey = key;
      return this;
    }

    public Builder setNotifier(@Nullable Notifier notifier) {
      this.notifier = notifier;
      return this;
    }

    /**
     * Threads the agent runs actions on (default 0: on the loop's thread, each result applied in the tick that
     * started it, so runs repeat exactly). With threads, an action's result is applied on the first tick after it
     * lands, as in production: use it with an executor that takes simulated time (see {@link SlowExecutor}) to test
     * what happens while an action runs. Runs are then no longer exactly repeatable.
     */
    public Builder setActionThreads(int threads) {
      this.actionThreads = Require.within(threads, 0, 256, "actionThreads");
      return this;
    }

    /**
     * Wraps the lock service the agent uses (the harness's {@link #locks()} stays the real one): to inject lock
     * faults — a lease that cannot be renewed, a refusal, a takeover.
     */
    public Builder setLockWrapper(UnaryOperator<LockService> wrapper) {
      this.lockWrapper = Objects.requireNonNull(wrapper, "wrapper");
      return this;
    }

    /** Last say on the agent's wiring (guardrail limits, planner, reasoner, settings, ...). */
    public Builder setAgentCustomizer(@Nullable Consumer<SreAgentBuilder> customizer) {
      this.customizer = customizer;
      return this;
    }

    /** Adds {@code customizer} after the one set so far (both run, in order). */
    public Builder addAgentCustomizer(Consumer<SreAgentBuilder> customizer) {
      Objects.requireNonNull(customizer, "customizer");
      Consumer<SreAgentBuilder> before = this.customizer;
      this.customizer = before == null ? customizer : before.andThen(customizer);
      return this;
    }

    /**
     * The services of the simulated cluster: names, replicas, HPA bounds, PodDisruptionBudgets, capacities and call
     * edges (default {@link ShopTopology#services()}, the ten-service shop).
     */
    public Builder setServices(List<ServiceSpec> services) {
      cluster.setServices(services);
      return this;
    }

    /** Nodes the pods are spread over (default 3). */
    public Builder setNodes(int nodes) {
      cluster.setNodes(nodes);
      return this;
    }

    public Builder setStep(Duration step) {
      this.step = Require.positive(step, "step");
      return this;
    }

    /** Called after every step (dashboards, pacing to wall-clock time). */
    public Builder setStepListener(Consumer<SimulationHarness> listener) {
      this.stepListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Called right after the cluster advanced each step, before the agent's tick: where a platform emulation that
     * mirrors the cluster (a Kubernetes API, say) catches up, so the tick sees the step's state.
     */
    public Builder setAdvanceListener(Consumer<SimulatedCluster> listener) {
      this.advanceListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Whether callers report the latency of their calls to each callee (default false; see
     * {@link SimulatedCluster.Builder#setEmitCallEdges}).
     */
    public Builder setEmitCallEdges(boolean emit) {
      cluster.setEmitCallEdges(emit);
      return this;
    }

    /** Whether the cluster's pods report CPU utilisation (default true; see SimulatedCluster.Builder). */
    public Builder setEmitUtilisation(boolean emit) {
      cluster.setEmitUtilisation(emit);
      return this;
    }

    /** When the simulation starts (default {@link VirtualClock#DEFAULT_START}, a Monday 08:00 UTC). */
    public Builder setStart(Instant start) {
      this.start = Objects.requireNonNull(start, "start");
      return this;
    }

    Instant start() {
      return start;
    }

    @Nullable Notifier notifier() {
      return notifier;
    }

    public SimulationHarness build() {
      return new SimulationHarness(this);
    }
  }

  /**
   * Advances cluster and agent together for {@code d} of simulated time, one step at a time, applying scheduled
   * faults and events when they fall due (before the step that reaches their time).
   */
  public void runFor(Duration d) {
    Instant until = clock.now().plus(d);
    while (clock.now().isBefore(until)) {
      stepOnce();
    }
  }

  /**
   * Runs step by step until {@code condition} holds (checked before each step) or {@code limit} of simulated time has
   * passed.
   *
   * @return whether the condition was met
   */
  public boolean runUntil(Predicate<SimulationHarness> condition, Duration limit) {
    Instant until = clock.now().plus(limit);
    while (!condition.test(this)) {
      if (!clock.now().isBefore(until)) {
        return false;
      }
      stepOnce();
    }
    return true;
  }

  private void stepOnce() {
    applyDue(clock.now());
    cluster.advance(step);
    advanceListener.accept(cluster);
    settle();
    agent.tick();
    settle();
    stepListener.accept(this);
  }

  /**
   * With action threads, waits (up to {@link #SETTLE_LIMIT} of real time) until every running action has landed or
   * is parked on the virtual clock until a later time, and every cancelled one has returned: an action started in a tick begins its wait at that tick's
   * time, and one released by the clock lands before the next tick reads it. Without this, how far the clock ran
   * ahead of a pool thread would depend on the machine's scheduling.
   */
  private void settle() {
    if (actionThreads == 0) {
      return;
    }
    settle(agent, clock, SETTLE_LIMIT);
  }

  /**
   * Waits up to {@code limit} of real time until every action {@code agent} runs on its threads has landed or is
   * parked on {@code clock} until a later time, and none that was cancelled (or outlived its time limit) is still on
   * its way back: what a harness of your own that steps a {@link VirtualClock} with action threads needs between
   * steps to repeat its runs.
   */
  public static void settle(SreAgent agent, VirtualClock clock, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      AgentStats s = agent.stats();
      int parked = clock.parked();
      if (s.actionsCancelling() == 0 && s.actionsRunning() <= parked && s.executorCalls() <= parked) {
        return;
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  private void applyDue(Instant now) {
    while (!scheduled.isEmpty() && !scheduled.get(0).at().isAfter(now)) {
      Scheduled s = scheduled.remove(0);
      if (s.fault() != null) {
        inject(s.fault());
      } else if (s.event() != null) {
        apply(s.event());
      }
    }
  }

  /** Injects {@code f} now. Several faults may be live at once. */
  public void inject(Fault f) {
    f.apply(cluster);
    faults.add(new InjectedFault(f, clock.now()));
  }

  /** Makes {@code e} happen now. */
  public void apply(ClusterEvent e) {
    e.apply(this);
    events.add(new AppliedEvent(e, clock.now()));
  }

  /** Injects {@code f} once {@code fromNow} of simulated time has passed (during a later run). */
  public void schedule(Duration fromNow, Fault f) {
    addScheduled(fromNow, Objects.requireNonNull(f, "f"), null);
  }

  /** Makes {@code e} happen once {@code fromNow} of simulated time has passed (during a later run). */
  public void schedule(Duration fromNow, ClusterEvent e) {
    addScheduled(fromNow, null, Objects.requireNonNull(e, "e"));
  }

  private void addScheduled(Duration fromNow, @Nullable Fault f, @Nullable ClusterEvent e) {
    Require.notNegative(fromNow, "fromNow");
    scheduled.add(new Scheduled(clock.now().plus(fromNow), scheduleOrder++, f, e));
    scheduled.sort(Comparator.comparing(Scheduled::at).thenComparingLong(Scheduled::order));
  }

  /** The audit records of {@code type} written so far, in order. */
  public List<AuditRecord> records(String type) {
    return agent.auditLog().records().stream().filter(r -> r.entry().type().equals(type)).toList();
  }

  /**
   * The audit events of {@code type} written so far, in order, for example
   * {@code h.events(AuditEvent.ActionStarted.class)}.
   */
  public <T extends dev.sreagent.core.audit.AuditEvent> List<T> events(Class<T> type) {
    return dev.sreagent.core.audit.AuditEvents.of(agent.auditLog(), type);
  }

  public VirtualClock clock() {
    return clock;
  }

  public SimulatedCluster cluster() {
    return cluster;
  }

  public SreAgent agent() {
    return agent;
  }

  public SimulatedOnCall onCall() {
    return onCall;
  }

  /**
   * The lock service the agent takes its target locks from (unless the customizer set another). It outlives
   * {@link #crashAndRestartAgent()}, as a shared lock service would; a test takes a lock here as another agent
   * ({@code h.locks().tryAcquire("scale:checkout", "other-agent", ttl)}) to make a target busy.
   */
  public InMemoryLockService locks() {
    return locks;
  }

  /** The independent safety checker of the cluster, watching the current agent. */
  public GuardrailOracle oracle() {
    return cluster.oracle();
  }

  /** When the harness started. */
  public Instant start() {
    return start;
  }

  /** Every fault injected so far, in order. */
  public List<InjectedFault> faults() {
    return List.copyOf(faults);
  }

  /** Every event applied so far, in order. */
  public List<AppliedEvent> events() {
    return List.copyOf(events);
  }

  /** When the last fault was injected, or null. */
  public @Nullable Instant faultAt() {
    return faults.isEmpty() ? null : faults.get(faults.size() - 1).at();
  }

  /** The last fault injected, or null. */
  public @Nullable Fault fault() {
    return faults.isEmpty() ? null : faults.get(faults.size() - 1).fault();
  }

  @Override
  public void close() {
    agent.close();
  }
}
