package dev.sreagent.standalone;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.SimulationHarness;
import dev.sreagent.testkit.gitops.AutoSyncEmulator;
import dev.sreagent.testkit.gitops.GitHostEmulator;
import dev.sreagent.testkit.gitops.GitOpsPlatform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * {@code demo --gitops}: one scenario on {@link GitOpsPlatform} (issue 15). The scenario's bad deploy of cart becomes
 * a commit to the config repository (rolled out by the auto-sync emulator at the next step); the agent's rollback is a
 * pull request on the GitHub API emulator, merged by the emulated reviewer {@link #REVIEWER_DELAY} after it opens,
 * then synced. These are emulators (a bare repository in a temporary directory, a loopback HTTP host), as the
 * platform's Javadoc says. Auto-merge stays off in every phase: the emulator runs no required checks.
 *
 * <p>Two scenarios exist only here: {@value #BAD_DEPLOY} (error-rate-spike's bad cart deploy, the issue's name for it)
 * and {@value #ROLLBACK_DOES_NOT_HELP}: the same bad deploy while cart's database also fails 15% of requests (no
 * deploy to blame), so the rollback's pull request is merged and synced but the error rate stays up; the verification
 * fails and the agent opens a second pull request reverting its own commit, and escalates. The emulated reviewer
 * leaves that revert open (a human decides; the agent does not wait for it).
 */
final class GitOpsDemo implements AutoCloseable {
  /** How long (simulated) the emulated reviewer takes to merge a pull request. */
  static final Duration REVIEWER_DELAY = Duration.ofMinutes(4);

  /** The issue's name for error-rate-spike's bad deploy of cart, run through Git. */
  static final String BAD_DEPLOY = "bad-deploy";
  /** A bad deploy of cart together with a failure the rollback cannot fix: the rollback is reverted by a second PR. */
  static final String ROLLBACK_DOES_NOT_HELP = "rollback-does-not-help";
  /** The share of cart's requests its database fails in {@value #ROLLBACK_DOES_NOT_HELP}. */
  static final double SECOND_FAULT_RATIO = 0.15;

  private final Scenario original;
  private final Path directory;
  private @Nullable GitOpsPlatform platform;

  private GitOpsDemo(Scenario original, Path directory) {
    this.original = original;
    this.directory = directory;
  }

  /** Whether {@code s} is a bad deploy of cart, the workload the config repository declares. */
  static boolean rollsBackThroughGit(Scenario s) {
    return s.faults().size() == 1 && s.fault() instanceof Fault.BadDeploy d && d.service().equals("cart")
        && d.addedLatency().isZero();
  }

  /** The scenarios only the GitOps demo runs ({@value #BAD_DEPLOY}, {@value #ROLLBACK_DOES_NOT_HELP}). */
  static java.util.Optional<Scenario> named(String name) {
    Scenario spike = dev.sreagent.testkit.Scenarios.named("error-rate-spike").orElseThrow();
    if (name.equals(BAD_DEPLOY)) {
      return java.util.Optional.of(new Scenario(BAD_DEPLOY, spike.description(), spike.fault(),
          spike.faults().get(0).at(), spike.duration()));
    }
    if (name.equals(ROLLBACK_DOES_NOT_HELP)) {
      return java.util.Optional.of(new Scenario(ROLLBACK_DOES_NOT_HELP, spike.description() + ", while cart's"
          + " database fails " + Math.round(SECOND_FAULT_RATIO * 100) + "% of requests (a rollback cannot fix that)",
          spike.fault(), spike.faults().get(0).at(), spike.duration()));
    }
    return java.util.Optional.empty();
  }

  static GitOpsDemo create(Scenario s) {
    try {
      return new GitOpsDemo(s, Files.createTempDirectory("sre-agent-gitops-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the config repository", e);
    }
  }

  void install(SimulationHarness.Builder b) {
    platform = GitOpsPlatform.builder(directory).setReviewerDelay(REVIEWER_DELAY)
        .setReviewerMergesReverts(!original.name().equals(ROLLBACK_DOES_NOT_HELP)).install(b);
  }

  /** The scenario with its bad deploy committed to the config repository instead of rolled out directly. */
  Scenario scenario() {
    Fault.BadDeploy bad = (Fault.BadDeploy) Objects.requireNonNull(original.fault());
    return new Scenario(original.name(), original.description() + " (committed to the config repository)",
        new CommittedBadDeploy(bad, this), original.injectAfter(), original.duration());
  }

  /** The pull requests and the syncs, for the timeline's end. */
  List<String> summary() {
    GitOpsPlatform p = Objects.requireNonNull(platform);
    List<String> lines = new ArrayList<>();
    for (GitHostEmulator.Pr pr : p.host().pullRequests()) {
      lines.add("   gitops: pull request #" + pr.number() + " " + pr.title() + " (" + pr.head() + " -> " + pr.base()
          + ", " + (pr.isMerged() ? "merged by the reviewer" : pr.isOpen() ? "open, for a human to merge"
          : "closed unmerged") + ")");
    }
    for (AutoSyncEmulator.Applied a : p.sync().applied()) {
      lines.add("   gitops: sync of " + a.commit().substring(0, 7) + " " + a.what() + " (" + a.image() + ")");
    }
    return lines;
  }

  @Override
  public void close() {
    if (platform != null) {
      platform.close();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  /** The scenario's bad deploy as a commit: expected and scored as the original fault. */
  private record CommittedBadDeploy(Fault.BadDeploy bad, GitOpsDemo demo) implements Fault {
    @Override
    public String describe() {
      return bad.describe() + ", committed to the config repository" + (demo.original.name()
          .equals(ROLLBACK_DOES_NOT_HELP) ? "; cart's database fails " + Math.round(SECOND_FAULT_RATIO * 100)
          + "% of requests too" : "");
    }

    @Override
    public IncidentType expectedType() {
      return bad.expectedType();
    }

    @Override
    public @Nullable String expectedRoot() {
      return bad.expectedRoot();
    }

    @Override
    public void apply(SimulatedCluster cluster) {
      Objects.requireNonNull(demo.platform).deployBad(bad.errorRatio());
      if (demo.original.name().equals(ROLLBACK_DOES_NOT_HELP)) {
        cluster.injectFailure(bad.service(), SECOND_FAULT_RATIO);
      }
    }
  }
}
