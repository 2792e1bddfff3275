package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.gitops.BareRemote;
import dev.sreagent.testkit.gitops.ConfigRepos;
import dev.sreagent.testkit.gitops.GitHostEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wait after the pull request (with a {@link SyncStatus}): merge by a human or by the agent (AUTONOMOUS, checks
 * passed), then the sync; each refusal and each bound. The clock moves by itself whenever the executor sleeps, and
 * runs the test's reviewer at each poll.
 */
class MergeAndSyncTest {
  static final Action.RollBack ROLLBACK = new Action.RollBack("cart", "r3", "r2");
  static final String TOKEN = "t0ken";

  @TempDir
  Path tmp;
  BareRemote remote;
  GitHostEmulator host;
  SteppingClock clock = new SteppingClock();
  AtomicReference<Phase> phase = new AtomicReference<>(Phase.ASSIST);
  /** What the cluster runs: the sync status the executor polls. */
  AtomicReference<SyncStatus.Observation> cluster = new AtomicReference<>(
      new SyncStatus.Observation(null, List.of(ConfigRepos.BAD)));

  static final class SteppingClock implements Clock {
    Instant now = Instant.parse("2026-03-02T09:00:00Z");
    Runnable onSleep = () -> { };
    int sleeps;

    @Override
    public synchronized Instant now() {
      return now;
    }

    @Override
    public void sleep(Duration d) {
      synchronized (this) {
        now = now.plus(d);
        sleeps++;
      }
      onSleep.run();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    remote = BareRemote.create(tmp.resolve("config.git"));
    ConfigRepos.kustomize(remote);
    host = GitHostEmulator.forRemote(remote, TOKEN);
  }

  @AfterEach
  void tearDown() {
    host.close();
    remote.close();
  }

  GitRollbackExecutor executor(boolean autoMerge) {
    return GitRollbackExecutor.builder().setRemote(remote.uri()).setWorkDirectory(tmp.resolve("work"))
        .setImages(RollbackImages.fixed(ConfigRepos.CART)).setClock(clock)
        .setGitHost(GitHubHost.builder().setApiUrl(host.apiUrl()).setRepository("shop/config")
            .setTokenVariable("T").setEnvironment(v -> TOKEN).build())
        .setSyncStatus(rollback -> cluster.get()).setAutoMerge(autoMerge)
        .setPhases(id -> Optional.ofNullable(phase.get()))
        .setMergeTimeout(Duration.ofMinutes(10)).setSyncTimeout(Duration.ofMinutes(5))
        .setPollInterval(Duration.ofSeconds(30)).build();
  }

  static ExecutionContext context() {
    return new ExecutionContext("inc-7", "key-7", 3, false);
  }

  String agentCommit() throws Exception {
    return remote.branches(GitRollbackExecutor.DEFAULT_BRANCH_PREFIX).values().iterator().next();
  }

  /** After the merge the cluster runs what main declares (the healthy image once the rollback is merged). */
  void syncAfterMerge() {
    if (host.pullRequests().stream().anyMatch(GitHostEmulator.Pr::isMerged)) {
      cluster.set(new SyncStatus.Observation(null, List.of(ConfigRepos.HEALTHY)));
    }
  }

  @Test
  void inAssistTheAgentNeverMergesEvenWithAutoMergeAllowedAndPassingChecks() throws Exception {
    clock.onSleep = () -> {
      try {
        host.setStatus(agentCommit(), "success");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    ActionResult r = executor(true).execute(ROLLBACK, context());

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("not merged within 10 min", "a human to merge it", "phase ASSIST",
        "executing the key again resumes the wait");
    assertThat(host.calls()).noneMatch(c -> c.startsWith("PUT"));
    assertThat(remote.head("main").getShortMessage()).isEqualTo("deploy cart 1.3.0");

    // the reviewer merges; executing the key again pushes nothing, opens nothing, and completes after the sync
    host.reviewerMerges(1);
    clock.onSleep = this::syncAfterMerge;
    ActionResult again = executor(true).execute(ROLLBACK, context());
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("nothing pushed again", "merged by a reviewer", agentCommit(),
        "https://github.example/shop/config/pull/1", "runs " + ConfigRepos.HEALTHY);
    assertThat(host.pullRequests()).hasSize(1);
    assertThat(remote.branches(GitRollbackExecutor.DEFAULT_BRANCH_PREFIX)).hasSize(1);
  }

  @Test
  void inAutonomousTheAgentMergesOnceTheChecksPassAndCompletesWhenTheClusterRunsTheHealthyImage() throws Exception {
    phase.set(Phase.AUTONOMOUS);
    clock.onSleep = () -> {
      try {
        if (clock.sleeps == 3) {
          host.setStatus(agentCommit(), "success");
        }
        if (clock.sleeps == 6) {  // the sync lands three polls after the merge
          cluster.set(new SyncStatus.Observation(remote.head("main").name(), List.of(ConfigRepos.HEALTHY)));
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    ActionResult r = executor(true).execute(ROLLBACK, context());

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).contains("merged by the agent (phase AUTONOMOUS", "synced revision");
    assertThat(host.calls()).containsOnlyOnce("PUT /repos/shop/config/pulls/1/merge");
    assertThat(remote.head("main").getParentCount()).as("a merge commit on main").isEqualTo(2);
    assertThat(remote.file("main", "overlays/prod/kustomization.yaml").orElseThrow())
        .isEqualTo(ConfigRepos.prodOverlay("\"1.2.0\"", "4.2.0"));
  }

  @Test
  void failedChecksAreARefusalAndNothingIsMerged() throws Exception {
    phase.set(Phase.AUTONOMOUS);
    clock.onSleep = () -> {
      try {
        host.setStatus(agentCommit(), "failure");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    ActionResult r = executor(true).execute(ROLLBACK, context());

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("checks of commit " + agentCommit() + " failed", "left open and unmerged");
    assertThat(host.calls()).noneMatch(c -> c.startsWith("PUT"));
  }

  @Test
  void aPullRequestClosedUnmergedIsTheReviewerDecliningTheRollback() throws Exception {
    clock.onSleep = () -> host.reviewerCloses(1);
    ActionResult r = executor(false).execute(ROLLBACK, context());

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("closed without a merge", "declined", "still runs " + ConfigRepos.BAD);
    assertThat(remote.head("main").getShortMessage()).isEqualTo("deploy cart 1.3.0");
  }

  @Test
  void aMergeTheClusterDoesNotApplyInTimeIsFailedNamingWhatItSaw() throws Exception {
    clock.onSleep = () -> {
      if (host.pullRequests().stream().noneMatch(GitHostEmulator.Pr::isMerged)) {
        host.reviewerMerges(1);
      }
    };
    ActionResult r = executor(false).execute(ROLLBACK, context());

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("merged by a reviewer", "did not run " + ConfigRepos.HEALTHY, "within 5 min",
        "images [" + ConfigRepos.BAD + "]");
    assertThat(executor(false).reconcile("key-7")).hasValueSatisfying(x -> {
      assertThat(x.status()).isEqualTo(ActionResult.Status.FAILED);
      assertThat(x.message()).contains("half done");
    });
  }

  @Test
  void aSyncedRevisionCountsOnlyWhenItContainsTheAgentsCommit() throws Exception {
    String before = remote.head("main").name();
    clock.onSleep = () -> {
      try {
        if (host.pullRequests().stream().noneMatch(GitHostEmulator.Pr::isMerged)) {
          host.reviewerMerges(1);
          cluster.set(new SyncStatus.Observation(before, List.of()));  // still the bad deploy's commit
        } else if (clock.sleeps == 4) {
          cluster.set(new SyncStatus.Observation(remote.head("main").name(), List.of()));
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    ActionResult r = executor(false).execute(ROLLBACK, context());

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(clock.sleeps).as("it waited for the sync past the old revision").isEqualTo(4);
    assertThat(r.message()).contains("synced revision " + remote.head("main").name());
  }

  /**
   * The inverse of the agent's merged rollback (the verification found it did not help) is a revert pull request that
   * never waits: not for checks, a merge or the sync (the core runs inverses on its loop's thread). With auto-merge in
   * AUTONOMOUS it merges once the checks passed, when executed again.
   */
  @Test
  void theInverseOfAMergedRollbackIsARevertPullRequestThatNeverWaits() throws Exception {
    String overlay = "overlays/prod/kustomization.yaml";
    String badText = remote.file("main", overlay).orElseThrow();
    Action.RollBack inverse = new Action.RollBack("cart", "r2", "r3");
    ImageRollback back = new ImageRollback("shop", "cart", null, ConfigRepos.HEALTHY, ConfigRepos.BAD);
    clock.onSleep = () -> {
      if (host.pullRequests().stream().noneMatch(GitHostEmulator.Pr::isMerged)) {
        host.reviewerMerges(1);
      }
      syncAfterMerge();
    };
    phase.set(Phase.AUTONOMOUS);
    GitRollbackExecutor executor = GitRollbackExecutor.builder().setRemote(remote.uri())
        .setWorkDirectory(tmp.resolve("work")).setImages(r -> Optional.of(r.equals(ROLLBACK) ? ConfigRepos.CART : back))
        .setClock(clock).setGitHost(GitHubHost.builder().setApiUrl(host.apiUrl()).setRepository("shop/config")
            .setTokenVariable("T").setEnvironment(v -> TOKEN).build())
        .setSyncStatus(rollback -> cluster.get()).setAutoMerge(true).setPhases(id -> Optional.ofNullable(phase.get()))
        .setMergeTimeout(Duration.ofMinutes(10)).setSyncTimeout(Duration.ofMinutes(5))
        .setPollInterval(Duration.ofSeconds(30)).build();
    // in AUTONOMOUS with checks pending the agent does not merge its rollback: the reviewer does, at the first poll
    ActionResult rolledBack = executor.execute(ROLLBACK, context());
    assertThat(rolledBack.status()).as(rolledBack.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    String agentCommit = agentCommit();
    String healthyMain = remote.head("main").name();
    int sleeps = clock.sleeps;

    ExecutionContext undo = new ExecutionContext("inc-7", "key-8", 4, false);
    ActionResult opened = executor.execute(inverse, undo);
    assertThat(opened.status()).as(opened.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(clock.sleeps).as("the inverse never waits").isEqualTo(sleeps);
    assertThat(opened.message()).contains("revert the agent's rollback commit " + agentCommit.substring(0, 10),
        "revert pull request #2 (https://github.example/shop/config/pull/2)", "left open for a human to merge",
        "checks", "pending", "not waited for");
    GitHostEmulator.Pr revert = host.pullRequests().get(1);
    assertThat(revert.isOpen()).isTrue();
    assertThat(revert.head()).startsWith("sre-agent/rollback/inc-7-revert-");
    assertThat(remote.file(revert.head(), overlay)).as("exactly what the agent's commit replaced").contains(badText);
    assertThat(remote.changedPaths("main", revert.head())).containsExactly(overlay);
    assertThat(remote.head(revert.head()).getFullMessage()).contains("Sre-Agent-Reverts: " + agentCommit,
        "Sre-Agent-Idempotency-Key: key-8", "Sre-Agent-Action: rollback(cart;r2->r3)");
    assertThat(host.calls()).noneMatch(c -> c.startsWith("PUT /repos/shop/config/pulls/2"));
    assertThat(remote.head("main").name()).isEqualTo(healthyMain);
    assertThat(executor.reconcile("key-8")).as("a revert is done once its PR is open, not half done")
        .hasValueSatisfying(x -> assertThat(x.status()).isEqualTo(ActionResult.Status.SUCCEEDED));

    // the checks pass; executing the key again pushes and opens nothing, merges, and does not wait for the sync
    host.setStatus(remote.head(revert.head()).name(), "success");
    ActionResult merged = executor.execute(inverse, undo);
    assertThat(merged.status()).as(merged.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(merged.message()).contains("already pushed under key key-8", "merged by the agent (phase AUTONOMOUS");
    assertThat(clock.sleeps).isEqualTo(sleeps);
    assertThat(host.pullRequests()).hasSize(2);
    assertThat(host.calls()).contains("PUT /repos/shop/config/pulls/2/merge");
    assertThat(remote.file("main", overlay)).contains(badText);
  }
}
