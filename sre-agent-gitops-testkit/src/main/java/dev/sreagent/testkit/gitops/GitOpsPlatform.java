package dev.sreagent.testkit.gitops;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.core.guardrail.GuardrailLimits;
import dev.sreagent.core.store.InMemoryIncidentStore;
import dev.sreagent.gitops.CommitAuthor;
import dev.sreagent.gitops.GitHubHost;
import dev.sreagent.gitops.GitRollbackExecutor;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.SimulatedExecutor;
import dev.sreagent.testkit.SimulationHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link SimulationHarness} as a GitOps-managed cluster: the simulated shop's {@code cart} is declared in a
 * config repository ({@link BareRemote}, in one of the {@link ConfigRepos.Layout layouts}) whose host is a
 * {@link GitHostEmulator} and which an {@link AutoSyncEmulator} applies to the simulated cluster after every step. The
 * agent rolls back through {@link GitRollbackExecutor} (a pull request; the other actions still go to the simulation's
 * own executor), which waits for the merge and the sync before its action completes.
 *
 * <pre>{@code
 * SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.ASSIST);
 * try (GitOpsPlatform gitops = GitOpsPlatform.builder(tmp).install(b); SimulationHarness h = b.build()) {
 *   h.runFor(Duration.ofMinutes(40));
 *   gitops.deployBad(0.3);                        // a commit that bumps cart to the bad image; synced next step
 *   h.runUntil(x -> !gitops.host().pullRequests().isEmpty(), Duration.ofMinutes(30));
 *   gitops.host().reviewerMerges(1);              // the emulated human reviewer
 * }
 * }</pre>
 *
 * <p>Revisions: the cluster's {@code r1} and {@code r2} run {@code cart:1.1.0} and {@link ConfigRepos#HEALTHY}; the
 * bad deploy rolls out {@link ConfigRepos#BAD} as {@code r3}. The executor's images come from these revisions
 * ({@link AutoSyncEmulator#rollbackImages()}), and its phase lookup reads the harness's current agent. {@link #install}
 * sets the guardrail limits to the defaults with {@code withRevertOfOwnRollbacks(true)} (a rollback that did not help
 * is reverted by a pull request), the harness's action threads ({@value #ACTION_THREADS}: the executor waits on the
 * virtual clock), executor
 * wrapper, executor policy (a time limit of {@link #TIME_LIMIT} of real time), advance listener and step listener, and
 * adds an agent customizer that gives the agent an incident store the executor reads (for the diagnosis and plan hash
 * it quotes).
 */
public final class GitOpsPlatform implements AutoCloseable {
  /** The threads {@link #install} gives the agent's actions. */
  public static final int ACTION_THREADS = 2;
  /** The token the host emulator accepts, given to the executor's host adapter. */
  public static final String TOKEN = "emulated-gitops-token";
  /** The real-time limit of one execution (the executor waits on the virtual clock, which the harness moves fast). */
  public static final Duration TIME_LIMIT = Duration.ofMinutes(5);
  /** The image of revision {@code r1}. */
  public static final String OLDER = ConfigRepos.REPO + ":1.1.0";

  private final BareRemote remote;
  private final GitHostEmulator host;
  private final ConfigRepos.Layout layout;
  private final Path workDirectory;
  private final boolean autoMerge;
  private final @Nullable Duration reviewerDelay;
  private final boolean reviewerMergesReverts;
  private final Duration syncInterval;
  private final InMemoryIncidentStore incidents = new InMemoryIncidentStore();
  private final Map<Long, Instant> prSeen = new HashMap<>();
  private volatile @Nullable AutoSyncEmulator sync;
  private volatile @Nullable GitRollbackExecutor executor;
  private volatile @Nullable SimulationHarness harness;
  private final java.util.concurrent.atomic.AtomicReference<@Nullable HaltedCall> haltNext =
      new java.util.concurrent.atomic.AtomicReference<>();

  private GitOpsPlatform(Builder b) throws IOException {
    this.layout = b.layout;
    this.autoMerge = b.autoMerge;
    this.reviewerDelay = b.reviewerDelay;
    this.reviewerMergesReverts = b.reviewerMergesReverts;
    this.syncInterval = b.syncInterval;
    this.workDirectory = b.directory.resolve("agent-clone");
    try {
      this.remote = BareRemote.create(b.directory.resolve("config.git"));
    } catch (org.eclipse.jgit.api.errors.GitAPIException e) {
      throw new IOException("cannot create the config repository in " + b.directory, e);
    }
    layout.writeHealthy(remote);
    this.host = GitHostEmulator.forRemote(remote, TOKEN);
  }

  /** A builder; the config repository, the agent's clone and the host's state live under {@code directory}. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** Builder of {@link GitOpsPlatform}. */
  public static final class Builder {
    private final Path directory;
    private ConfigRepos.Layout layout = ConfigRepos.Layout.KUSTOMIZE;
    private boolean autoMerge;
    private @Nullable Duration reviewerDelay;
    private boolean reviewerMergesReverts = true;
    private Duration syncInterval = Duration.ZERO;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** How the config repository declares cart's image (default Kustomize). */
    public Builder setLayout(ConfigRepos.Layout layout) {
      this.layout = Objects.requireNonNull(layout, "layout");
      return this;
    }

    /** Whether the executor may merge its own pull request in AUTONOMOUS (default false). */
    public Builder setAutoMerge(boolean autoMerge) {
      this.autoMerge = autoMerge;
      return this;
    }

    /**
     * The emulated human reviewer merges every open pull request this long (virtual time) after it was first seen
     * (default never: the test merges with {@code host().reviewerMerges(n)}). For demos.
     */
    public Builder setReviewerDelay(@Nullable Duration delay) {
      this.reviewerDelay = delay == null ? null : Require.notNegative(delay, "delay");
      return this;
    }

    /**
     * Whether the reviewer of {@link #setReviewerDelay} also merges the agent's revert pull requests (branches with
     * {@code -revert-}; default true). False leaves them open, as a human who wants to look first would.
     */
    public Builder setReviewerMergesReverts(boolean merges) {
      this.reviewerMergesReverts = merges;
      return this;
    }

    /** How often the sync emulator polls the branch (default at every step). */
    public Builder setSyncInterval(Duration interval) {
      this.syncInterval = Require.notNegative(interval, "interval");
      return this;
    }

    /** Writes the config repository's healthy history, starts the host emulator and configures {@code harness}. */
    public GitOpsPlatform install(SimulationHarness.Builder harness) {
      GitOpsPlatform p;
      try {
        p = new GitOpsPlatform(this);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      harness.setActionThreads(ACTION_THREADS)
          .setExecutorPolicy(ExecutorPolicy.defaults().withTimeout(TIME_LIMIT))
          .setExecutorWrapper(p::executors)
          .setAdvanceListener(cluster -> p.step())
          .setStepListener(h -> p.harness = h)
          .addAgentCustomizer(agent -> agent.setIncidentStore(p.incidents)
              // a rollback that did not help is reverted by a pull request a human merges (off by default)
              .setGuardrailLimits(GuardrailLimits.defaults().withRevertOfOwnRollbacks(true)));
      return p;
    }
  }

  private synchronized ActionExecutor executors(SimulatedExecutor simulated) {
    SimulatedCluster cluster = simulated.cluster();
    if (sync == null) {
      sync = AutoSyncEmulator.builder(remote, cluster).setInterval(syncInterval)
          .addWorkload("cart", Map.of("r1", OLDER, "r2", ConfigRepos.HEALTHY)).build();
      sync.sync();
    }
    AutoSyncEmulator s = Objects.requireNonNull(sync);
    GitRollbackExecutor git = GitRollbackExecutor.builder()
        .setRemote(remote.uri())
        .setWorkDirectory(workDirectory)
        .setAuthor(new CommitAuthor("sre-agent", "sre-agent@shop.example"))
        .setImages(s.rollbackImages())
        .setIncidents(incidents)
        .setClock(cluster.clock())
        .setGitHost(new HaltingHost(GitHubHost.builder().setApiUrl(host.apiUrl()).setRepository(
            GitHostEmulator.OWNER + "/" + GitHostEmulator.REPO).setTokenVariable("GITOPS_TOKEN")
            .setEnvironment(v -> TOKEN).build(), haltNext))
        .setSyncStatus(s)
        .setAutoMerge(autoMerge)
        .setPhases(this::phaseOf)
        .build();
    this.executor = git;
    // a rollback that completed (merged and synced) is the agent's effect for the guardrail oracle, as the
    // simulation's executor reports its own
    return new RollbackThroughGit("gitops+simulated", git, simulated,
        (r, action, context) -> simulated.cluster().oracle().onEffect(r.at(), action, context));
  }

  private Optional<dev.sreagent.api.model.Phase> phaseOf(String incidentId) {
    SimulationHarness h = harness;
    if (h == null) {
      return Optional.empty();
    }
    SreAgent agent = h.agent();
    return agent.incident(incidentId).map(i -> agent.phase(i.type(), i.rootService()));
  }

  private void step() {
    AutoSyncEmulator s = sync;
    if (s == null) {
      return;
    }
    if (reviewerDelay != null) {
      Instant now = harness == null ? null : Objects.requireNonNull(harness).clock().now();
      for (GitHostEmulator.Pr pr : host.pullRequests()) {
        if (now != null && pr.isOpen() && (reviewerMergesReverts || !pr.head().contains("-revert-"))) {
          Instant seen = prSeen.computeIfAbsent(pr.number(), n -> now);
          if (!now.isBefore(seen.plus(reviewerDelay))) {
            host.reviewerMerges(pr.number());
          }
        }
      }
    }
    s.sync();
  }

  /**
   * The bad deploy, the GitOps way: announces {@link ConfigRepos#BAD} as a rollout failing {@code errorRatio} of
   * requests and commits it to the config repository; the sync emulator rolls it out at the next step.
   */
  public void deployBad(double errorRatio) {
    sync().expectRollout(ConfigRepos.BAD, errorRatio, Duration.ZERO);
    try {
      layout.deployBad(remote);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Emulates the agent being killed at the moment it asks the host to open a pull request (after the push): the next
   * {@code open} call of the agent's executor halts its thread before anything is sent to the host, and stays halted
   * until {@link HaltedCall#release()}, which makes it throw (so the halted, abandoned execution never opens the pull
   * request). Used with {@code SimulationHarness.crashAndRestartAgent()}: an in-JVM crash, not a killed process.
   */
  public HaltedCall haltAtNextPullRequest() {
    HaltedCall call = new HaltedCall();
    haltNext.set(call);
    return call;
  }

  /** A pull-request call halted by {@link #haltAtNextPullRequest()}. */
  public static final class HaltedCall {
    private final java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    private volatile @Nullable String branch;

    private HaltedCall() {}

    /** Whether an execution has reached the call and is halted in it. */
    public boolean halted() {
      return reached.getCount() == 0;
    }

    /** The head branch of the pull request the halted call was to open, once {@link #halted()}. */
    public @Nullable String branch() {
      return branch;
    }

    /** Lets the halted thread go on: its call throws, as the call of a killed process never returns. */
    public void release() {
      released.countDown();
    }

    void halt(String headBranch) {
      branch = headBranch;
      reached.countDown();
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("emulated crash: this agent was killed while opening the pull request of "
          + headBranch + "; the call was never sent");
    }
  }

  /** The executor's host, which halts one {@code open} call when {@link #haltAtNextPullRequest()} asked for it. */
  private static final class HaltingHost implements dev.sreagent.gitops.GitHost {
    private final dev.sreagent.gitops.GitHost host;
    private final java.util.concurrent.atomic.AtomicReference<@Nullable HaltedCall> haltNext;

    HaltingHost(dev.sreagent.gitops.GitHost host,
        java.util.concurrent.atomic.AtomicReference<@Nullable HaltedCall> haltNext) {
      this.host = host;
      this.haltNext = haltNext;
    }

    @Override
    public String describe() {
      return host.describe();
    }

    @Override
    public PullRequest open(PullRequestRequest request) {
      HaltedCall halt = haltNext.getAndSet(null);
      if (halt != null) {
        halt.halt(request.headBranch());
      }
      return host.open(request);
    }

    @Override
    public Optional<PullRequest> findByHead(String headBranch) {
      return host.findByHead(headBranch);
    }

    @Override
    public ChecksState checks(String sha) {
      return host.checks(sha);
    }

    @Override
    public PullRequest merge(long number, String expectedHeadSha) {
      return host.merge(number, expectedHeadSha);
    }
  }

  /** The config repository. */
  public BareRemote remote() {
    return remote;
  }

  /** The Git host (its pull requests, and the emulated reviewer). */
  public GitHostEmulator host() {
    return host;
  }

  /** The sync emulator (after the harness was built). */
  public AutoSyncEmulator sync() {
    return Objects.requireNonNull(sync, "the harness has not been built yet");
  }

  /** The agent's rollback executor (after the harness was built). */
  public GitRollbackExecutor executor() {
    return Objects.requireNonNull(executor, "the harness has not been built yet");
  }

  /** How the config repository declares cart's image. */
  public ConfigRepos.Layout layout() {
    return layout;
  }

  @Override
  public void close() {
    host.close();
    remote.close();
  }
}
