package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.Clock;
import dev.sreagent.testkit.gitops.BareRemote;
import dev.sreagent.testkit.gitops.ConfigRepos;
import dev.sreagent.testkit.gitops.GitHostEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.RefUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pull request on the Git host: {@link GitHubHost} against the loopback {@link GitHostEmulator}, the executor
 * opening exactly one pull request per key, resuming at it after a crash, and refusing a head that is not its commit.
 */
class PullRequestTest {
  static final String TOKEN = "t0ken";
  static final String PREFIX = GitRollbackExecutor.DEFAULT_BRANCH_PREFIX;

  @TempDir
  Path tmp;
  BareRemote remote;
  GitHostEmulator emulator;
  GitHubHost host;

  @BeforeEach
  void start() throws Exception {
    remote = BareRemote.create(tmp.resolve("config.git"));
    emulator = new GitHostEmulator(TOKEN, this::branchHead, pr -> fastForwardMain(pr.head()));
    host = GitHubHost.builder().setApiUrl(emulator.apiUrl()).setRepository("shop/config")
        .setTokenVariable("GITOPS_TOKEN").setEnvironment(Map.of("GITOPS_TOKEN", TOKEN)::get).build();
    ConfigRepos.kustomize(remote);
  }

  @AfterEach
  void stop() {
    emulator.close();
    remote.close();
  }

  private Optional<String> branchHead(String branch) {
    try {
      var ref = remote.repository().exactRef("refs/heads/" + branch);
      return ref == null ? Optional.empty() : Optional.of(ref.getObjectId().name());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void fastForwardMain(String branch) {
    try {
      RefUpdate u = remote.repository().updateRef("refs/heads/main");
      u.setNewObjectId(remote.head(branch));
      u.update();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  GitRollbackExecutor executor(String workDir) {
    return GitRollbackExecutor.builder().setRemote(remote.uri()).setWorkDirectory(tmp.resolve(workDir))
        .setImages(RollbackImages.fixed(ConfigRepos.CART)).setClock(Clock.fixed(GitRollbackExecutorTest.NOW))
        .setGitHost(host).build();
  }

  static ExecutionContext context(String key) {
    return new ExecutionContext("inc-7", key, 1, false);
  }

  @Test
  void theRollbackOpensOnePullRequestOfItsBranch() throws Exception {
    ActionResult r = executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-pr"));

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    String branch = remote.branches(PREFIX).keySet().iterator().next();
    assertThat(emulator.pullRequests()).singleElement().satisfies(pr -> {
      assertThat(pr.head()).isEqualTo(branch);
      assertThat(pr.base()).isEqualTo("main");
      assertThat(pr.title()).isEqualTo("sre-agent: roll back cart to " + ConfigRepos.HEALTHY + " (incident inc-7)");
      assertThat(pr.body()).contains("newTag on line 11", "Sre-Agent-Idempotency-Key: key-pr",
          "Commit: " + remote.head(branch).name());
      assertThat(pr.labels()).containsExactly("sre-agent", "rollback");
    });
    assertThat(r.message()).contains("opened pull request #1 (https://github.example/shop/config/pull/1)");

    ActionResult again = executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-pr"));
    assertThat(again.message()).contains("pull request #1", "already exists; none opened again");
    assertThat(emulator.pullRequests()).hasSize(1);
    assertThat(executor("other").reconcile("key-pr")).hasValueSatisfying(x -> {
      assertThat(x.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(x.message()).contains("pull request #1");
    });
  }

  @Test
  void aCrashBetweenPushAndPullRequestResumesAtThePullRequest() throws Exception {
    emulator.refuse("POST /repos/shop/config/pulls", 502);  // the agent dies (or the host fails) after the push
    ActionResult first = executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-crash"));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(first.message()).contains("pushed branch", "the pull request is not open yet", "HTTP 502");
    assertThat(remote.branches(PREFIX)).hasSize(1);
    Map<String, String> refs = remote.refs();
    assertThat(executor("work").reconcile("key-crash")).hasValueSatisfying(x -> {
      assertThat(x.status()).isEqualTo(ActionResult.Status.FAILED);
      assertThat(x.message()).contains("half done", "executing the key again opens it");
    });

    emulator.refuse("POST /repos/shop/config/pulls", 0);
    ActionResult resumed = executor("after-restart").execute(GitRollbackExecutorTest.ROLLBACK, context("key-crash"));

    assertThat(resumed.status()).as(resumed.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(resumed.message()).contains("already pushed", "opened pull request #1");
    assertThat(remote.refs()).isEqualTo(refs);  // nothing pushed again
    assertThat(emulator.pullRequests()).hasSize(1);
    assertThat(executor("after-restart").execute(GitRollbackExecutorTest.ROLLBACK, context("key-crash")).message())
        .contains("already exists; none opened again");
    assertThat(emulator.pullRequests()).hasSize(1);
  }

  @Test
  void aPullRequestWhoseHeadIsNotTheAgentsCommitIsRefused() throws Exception {
    executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-head"));
    String branch = remote.branches(PREFIX).keySet().iterator().next();
    String agents = remote.head(branch).name();
    remote.commitOn(branch, "someone else's change", Map.of("overlays/prod/extra.yaml", "a: 1\n"));

    ActionResult again = executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-head"));

    assertThat(again.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(again.message()).contains("is " + remote.head(branch).name() + ", not the agent's commit " + agents);
    assertThat(executor("work").reconcile("key-head")).hasValueSatisfying(x ->
        assertThat(x.status()).isEqualTo(ActionResult.Status.REJECTED));
    assertThat(emulator.pullRequests()).hasSize(1);
  }

  @Test
  void aTokenWithoutRightsIsNamedWith403() throws Exception {
    emulator.refuse("POST /repos/shop/config/pulls", 403);
    ActionResult r = executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-403"));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("refused the pull request with HTTP 403", "Resource not accessible",
        "the token lacks the rights");

    // and a push (here: the fetch before it) over HTTPS that the host refuses
    ActionResult push = GitRollbackExecutor.builder().setRemote(emulator.gitUrl()).setWorkDirectory(tmp.resolve("w2"))
        .setImages(RollbackImages.fixed(ConfigRepos.CART)).setTokenVariable("GITOPS_TOKEN")
        .setEnvironment(Map.of("GITOPS_TOKEN", TOKEN)::get).build()
        .execute(GitRollbackExecutorTest.ROLLBACK, context("key-403"));
    assertThat(push.status()).as(push.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(push.message()).contains(emulator.gitUrl(), "refused by the remote", "lack the rights");
  }

  @Test
  void theAdapterReadsChecksAndMergesOnlyTheExpectedHead() throws Exception {
    executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-merge"));
    String branch = remote.branches(PREFIX).keySet().iterator().next();
    GitHost.PullRequest pr = host.findByHead(branch).orElseThrow();
    assertThat(pr.state()).isEqualTo(GitHost.PullRequest.State.OPEN);
    assertThat(host.checks(pr.headSha())).isEqualTo(GitHost.ChecksState.PENDING);
    emulator.setStatus(pr.headSha(), "success");
    assertThat(host.checks(pr.headSha())).isEqualTo(GitHost.ChecksState.SUCCESS);
    emulator.setStatus(pr.headSha(), "error");
    assertThat(host.checks(pr.headSha())).isEqualTo(GitHost.ChecksState.FAILURE);

    assertThatThrownBy(() -> host.merge(pr.number(), "0123456789012345678901234567890123456789"))
        .isInstanceOfSatisfying(GitHostException.class, e -> assertThat(e.status()).isEqualTo(409))
        .hasMessageContaining("HTTP 409 Head branch was modified");
    GitHost.PullRequest merged = host.merge(pr.number(), pr.headSha());
    assertThat(merged.state()).isEqualTo(GitHost.PullRequest.State.MERGED);
    assertThat(remote.head("main").name()).isEqualTo(pr.headSha());
    assertThat(host.findByHead("no-such-branch")).isEmpty();
    assertThat(emulator.calls()).contains("PUT /repos/shop/config/pulls/1/merge");
  }

  @Test
  void theAdapterNeedsAToken() {
    assertThatThrownBy(() -> GitHubHost.builder().setRepository("shop/config").setTokenVariable("NOPE")
        .setEnvironment(k -> null).build()).hasMessageContaining("environment variable NOPE");
    assertThatThrownBy(() -> GitHubHost.builder().setRepository("shop")).hasMessageContaining("but was 'shop'");
    GitHubHost wrongToken = GitHubHost.builder().setApiUrl(emulator.apiUrl()).setRepository("shop/config")
        .setTokenVariable("T").setEnvironment(k -> "wrong").build();
    assertThatThrownBy(() -> wrongToken.findByHead("x")).isInstanceOfSatisfying(GitHostException.class,
        e -> assertThat(e.forbidden()).isTrue()).hasMessageContaining("HTTP 401 Bad credentials");
  }
}
