package dev.sreagent.testkit;

import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.Notifier;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.SreAgentBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A simulated cluster wired to an agent on one virtual clock: the unit that tests and the demo drive.
 *
 * <pre>{@code
 * try (SimulationHarness h = SimulationHarness.builder().setSeed(7).setPhase(Phase.AUTONOMOUS).build()) {
 *   h.runFor(Duration.ofMinutes(40));                 // warm-up
 *   h.inject(new Fault.MemoryLeak("cart", 0.02));
 *   h.runFor(Duration.ofMinutes(60));
 *   assertThat(h.agent().incidents()).isNotEmpty();
 * }
 * }</pre>
 */
public final class SimulationHarness implements AutoCloseable {
  /** Simulated time per step: every signal is sampled this often. */
  public static final Duration DEFAULT_STEP = Duration.ofSeconds(15);

  private final VirtualClock clock;
  private final SimulatedCluster cluster;
  private final SimulatedOnCall onCall;
  private final java.util.function.Function<dev.sreagent.api.port.@Nullable ActionExecutor, SreAgent> agentFactory;
  private SreAgent agent;
  private final Duration step;
  private final Instant start;
  private @Nullable Instant faultAt;
  private @Nullable Fault fault;
  private final Consumer<SimulationHarness> stepListener;

  private SimulationHarness(Builder b) {
    this.clock = new VirtualClock(b.start);
    this.start = b.start;
    this.step = b.step;
    this.stepListener = b.stepListener;
    this.cluster = SimulatedCluster.builder().setSeed(b.seed).setClock(clock)
        .setEmitUtilisation(b.emitUtilisation).build();
    this.onCall = b.onCallResponse == null ? SimulatedOnCall.absent(clock)
        : SimulatedOnCall.approvingAfter(clock, b.onCallResponse);
    this.agentFactory = first -> {
      SreAgentBuilder ab = SreAgent.builder()
          .setClock(clock)
          .addTelemetrySource(cluster)
          .setTopologyProvider(cluster);
      if (first != null) {
        ab.addExecutor(first, b.executorPolicy);
      }
      ab.addExecutor(b.executorWrapper.apply(cluster.executor()), b.executorPolicy)
          .setApprovalChannel(onCall)
          .setDefaultPhase(b.phase)
          .setDiscovery(false);
      if (b.auditFile != null) {
        ab.setAuditFile(b.auditFile);
      }
      if (b.notifier != null) {
        ab.addNotifier(b.notifier);
      }
      if (b.customizer != null) {
        b.customizer.accept(ab);
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
  public SreAgent crashAndRestartAgentWith(dev.sreagent.api.port.ActionExecutor executor) {
    return startAgent(Objects.requireNonNull(executor, "executor"));
  }

  private SreAgent startAgent(dev.sreagent.api.port.@Nullable ActionExecutor first) {
    this.agent = agentFactory.apply(first);
    agent.start();
    return agent;
  }

  /** A builder: seed 42, phase AUTONOMOUS, on-call approving after 3 minutes, in-memory audit. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder of {@link SimulationHarness}. */
  public static final class Builder {
    private long seed = 42;
    private Phase phase = Phase.AUTONOMOUS;
    private @Nullable Duration onCallResponse = Duration.ofMinutes(3);
    private @Nullable Path auditFile;
    private @Nullable Notifier notifier;
    private @Nullable Consumer<SreAgentBuilder> customizer;
    private Duration step = DEFAULT_STEP;
    private Instant start = VirtualClock.DEFAULT_START;
    private boolean emitUtilisation = true;
    private Consumer<SimulationHarness> stepListener = h -> { };
    private dev.sreagent.core.execution.ExecutorPolicy executorPolicy =
        dev.sreagent.core.execution.ExecutorPolicy.defaults();
    private java.util.function.Function<SimulatedExecutor, dev.sreagent.api.port.ActionExecutor> executorWrapper =
        e -> e;

    private Builder() {}

    /** The resilience policy of the cluster's executor (default {@code ExecutorPolicy.defaults()}). */
    public Builder setExecutorPolicy(dev.sreagent.core.execution.ExecutorPolicy policy) {
      this.executorPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Wraps the cluster's executor, for example to inject failures, hangs or lies. */
    public Builder setExecutorWrapper(
        java.util.function.Function<SimulatedExecutor, dev.sreagent.api.port.ActionExecutor> wrapper) {
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

    public Builder setNotifier(@Nullable Notifier notifier) {
      this.notifier = notifier;
      return this;
    }

    /** Last say on the agent's wiring. */
    public Builder setAgentCustomizer(@Nullable Consumer<SreAgentBuilder> customizer) {
      this.customizer = customizer;
      return this;
    }

    public Builder setStep(Duration step) {
      if (step.isNegative() || step.isZero()) {
        throw new IllegalArgumentException("step must be positive, but was " + step);
      }
      this.step = step;
      return this;
    }

    /** Called after every step (dashboards, pacing to wall-clock time). */
    public Builder setStepListener(Consumer<SimulationHarness> listener) {
      this.stepListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Whether the cluster's pods report CPU utilisation (default true; see SimulatedCluster.Builder). */
    public Builder setEmitUtilisation(boolean emit) {
      this.emitUtilisation = emit;
      return this;
    }

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

  /** Advances cluster and agent together for {@code d} of simulated time, one step at a time. */
  public void runFor(Duration d) {
    Instant until = clock.now().plus(d);
    while (clock.now().isBefore(until)) {
      cluster.advance(step);
      agent.tick();
      stepListener.accept(this);
    }
  }

  /** Injects {@code f} now. */
  public void inject(Fault f) {
    f.apply(cluster);
    this.fault = f;
    this.faultAt = clock.now();
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

  /** When the harness started. */
  public Instant start() {
    return start;
  }

  /** When the last fault was injected, or null. */
  public @Nullable Instant faultAt() {
    return faultAt;
  }

  /** The last fault injected, or null. */
  public @Nullable Fault fault() {
    return fault;
  }

  @Override
  public void close() {
    agent.close();
  }
}
