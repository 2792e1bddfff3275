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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.RefUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pull request on the Git host: {@link GitHubHost} and {@link GitLabHost}, each against the loopback
 * {@link GitHostEmulator} speaking its API, the executor opening exactly one pull request per key, resuming at it after
 * a crash, and refusing a head that is not its commit.
 */
class PullRequestTest {
  static final String TOKEN = "t0ken";
  static final String PREFIX = GitRollbackExecutor.DEFAULT_BRANCH_PREFIX;

  /** The two adapters, with what differs between their APIs as the tests see it. */
  enum Host {
    GITHUB("POST /repos/shop/config/pulls", "https://github.example/shop/config/pull/",
        "PUT /repos/shop/config/pulls/1/merge", "Resource not accessible", "HTTP 409 Head branch was modified",
        "HTTP 401 Bad credentials"),
    GITLAB("POST /api/v4/projects/shop%2Fconfig/merge_requests",
        "https://gitlab.example/shop/config/-/merge_requests/", "PUT /api/v4/projects/shop%2Fconfig/merge_requests/1/merge",
        "403 Forbidden", "HTTP 409 SHA does not match HEAD of source branch", "HTTP 401 401 Unauthorized");

    final String create;
    final String url;
    final String merge;
    final String forbidden;
    final String moved;
    final String unauthorized;

    Host(String create, String url, String merge, String forbidden, String moved, String unauthorized) {
      this.create = create;
      this.url = url;
      this.merge = merge;
      this.forbidden = forbidden;
      this.moved = moved;
      this.unauthorized = unauthorized;
    }

    GitHost adapter(GitHostEmulator emulator, String token) {
      Map<String, String> env = Map.of("GITOPS_TOKEN", token);
      return this == GITHUB
          ? GitHubHost.builder().setApiUrl(emulator.apiUrl()).setRepository("shop/config")
              .setTokenVariable("GITOPS_TOKEN").setEnvironment(env::get).build()
          : GitLabHost.builder().setUrl(emulator.gitLabUrl()).setProject("shop/config")
              .setTokenVariable("GITOPS_TOKEN").setEnvironment(env::get).build();
    }
  }

  @TempDir
  Path tmp;
  BareRemote remote;
  GitHostEmulator emulator;
  GitHost host;

  @BeforeEach
  void start() throws Exception {
    remote = BareRemote.create(tmp.resolve("config.git"));
    emulator = new GitHostEmulator(TOKEN, this::branchHead, pr -> fastForwardMain(pr.head()));
    ConfigRepos.kustomize(remote);
  }

  private void use(Host kind) {
    host = kind.adapter(emulator, TOKEN);
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

  @ParameterizedTest
  @EnumSource(Host.class)
  void theRollbackOpensOnePullRequestOfItsBranch(Host kind) throws Exception {
    use(kind);
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
    assertThat(r.message()).contains("opened pull request #1 (" + kind.url + "1)");

    ActionResult again = executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-pr"));
    assertThat(again.message()).contains("pull request #1", "already exists; none opened again");
    assertThat(emulator.pullRequests()).hasSize(1);
    assertThat(executor("other").reconcile("key-pr")).hasValueSatisfying(x -> {
      assertThat(x.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(x.message()).contains("pull request #1");
    });
  }

  @ParameterizedTest
  @EnumSource(Host.class)
  void aCrashBetweenPushAndPullRequestResumesAtThePullRequest(Host kind) throws Exception {
    use(kind);
    emulator.refuse(kind.create, 502);  // the agent dies (or the host fails) after the push
    ActionResult first = executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-crash"));
    assertThat(first.status()).as(first.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(first.message()).contains("pushed branch", "the pull request is not open yet", "HTTP 502");
    assertThat(remote.branches(PREFIX)).hasSize(1);
    Map<String, String> refs = remote.refs();
    assertThat(executor("work").reconcile("key-crash")).hasValueSatisfying(x -> {
      assertThat(x.status()).isEqualTo(ActionResult.Status.FAILED);
      assertThat(x.message()).contains("half done", "executing the key again opens it");
    });

    emulator.refuse(kind.create, 0);
    ActionResult resumed = executor("after-restart").execute(GitRollbackExecutorTest.ROLLBACK, context("key-crash"));

    assertThat(resumed.status()).as(resumed.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(resumed.message()).contains("already pushed", "opened pull request #1");
    assertThat(remote.refs()).isEqualTo(refs);  // nothing pushed again
    assertThat(emulator.pullRequests()).hasSize(1);
    assertThat(executor("after-restart").execute(GitRollbackExecutorTest.ROLLBACK, context("key-crash")).message())
        .contains("already exists; none opened again");
    assertThat(emulator.pullRequests()).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Host.class)
  void aPullRequestWhoseHeadIsNotTheAgentsCommitIsRefused(Host kind) throws Exception {
    use(kind);
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

  @ParameterizedTest
  @EnumSource(Host.class)
  void aTokenWithoutRightsIsNamedWith403(Host kind) throws Exception {
    use(kind);
    emulator.refuse(kind.create, 403);
    ActionResult r = executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-403"));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("refused the pull request with HTTP 403", kind.forbidden,
        "the token lacks the rights");
    assertThat(emulator.pullRequests()).isEmpty();

    // and a push (here: the fetch before it) over HTTPS that the host refuses
    ActionResult push = GitRollbackExecutor.builder().setRemote(emulator.gitUrl()).setWorkDirectory(tmp.resolve("w2"))
        .setImages(RollbackImages.fixed(ConfigRepos.CART)).setTokenVariable("GITOPS_TOKEN")
        .setEnvironment(Map.of("GITOPS_TOKEN", TOKEN)::get).build()
        .execute(GitRollbackExecutorTest.ROLLBACK, context("key-403"));
    assertThat(push.status()).as(push.message()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(push.message()).contains(emulator.gitUrl(), "refused by the remote", "lack the rights");
  }

  @ParameterizedTest
  @EnumSource(Host.class)
  void theAdapterReadsChecksAndMergesOnlyTheExpectedHead(Host kind) throws Exception {
    use(kind);
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
        .hasMessageContaining(kind.moved);
    assertThat(host.findByHead(branch).orElseThrow().state()).isEqualTo(GitHost.PullRequest.State.OPEN);
    assertThat(remote.head("main").name()).isNotEqualTo(pr.headSha());
    GitHost.PullRequest merged = host.merge(pr.number(), pr.headSha());
    assertThat(merged.state()).isEqualTo(GitHost.PullRequest.State.MERGED);
    assertThat(remote.head("main").name()).isEqualTo(pr.headSha());
    assertThat(host.findByHead("no-such-branch")).isEmpty();
    assertThat(emulator.calls()).contains(kind.merge);
    assertThat(host.findByHead(branch).orElseThrow().state()).isEqualTo(GitHost.PullRequest.State.MERGED);
  }

  @ParameterizedTest
  @EnumSource(Host.class)
  void theAdapterNeedsAToken(Host kind) {
    assertThatThrownBy(() -> GitHubHost.builder().setRepository("shop/config").setTokenVariable("NOPE")
        .setEnvironment(k -> null).build()).hasMessageContaining("environment variable NOPE");
    assertThatThrownBy(() -> GitLabHost.builder().setProject("shop/config").setTokenVariable("NOPE")
        .setEnvironment(k -> " ").build()).hasMessageContaining("environment variable NOPE");
    assertThatThrownBy(() -> GitHubHost.builder().setRepository("shop")).hasMessageContaining("but was 'shop'");
    assertThatThrownBy(() -> GitLabHost.builder().setProject("shop")).hasMessageContaining("but was 'shop'");
    assertThatThrownBy(() -> GitLabHost.builder().setUrl("https://gitlab.example/api/v4"))
        .hasMessageContaining("without /api/v4");
    GitHost wrongToken = kind.adapter(emulator, "wrong-secret");
    assertThatThrownBy(() -> wrongToken.findByHead("x")).isInstanceOfSatisfying(GitHostException.class,
        e -> assertThat(e.forbidden()).isTrue()).hasMessageContaining(kind.unauthorized)
        .hasMessageNotContaining("wrong-secret");
  }

  @Test
  void gitLabNamesAMissingProjectAndAConflictWithTheFix() throws Exception {
    GitHost elsewhere = GitLabHost.builder().setUrl(emulator.gitLabUrl()).setProject("shop/other")
        .setTokenVariable("T").setEnvironment(k -> TOKEN).build();
    assertThatThrownBy(() -> elsewhere.findByHead("x")).isInstanceOfSatisfying(GitHostException.class,
        e -> assertThat(e.status()).isEqualTo(404)).hasMessageContaining("HTTP 404")
        .hasMessageContaining("check that the project path shop/other");
    assertThat(emulator.calls()).contains("GET /api/v4/projects/shop%2Fother/merge_requests?state=all"
        + "&order_by=created_at&sort=desc&source_branch=x");

    use(Host.GITLAB);
    executor("work").execute(GitRollbackExecutorTest.ROLLBACK, context("key-409"));
    String branch = remote.branches(PREFIX).keySet().iterator().next();
    assertThatThrownBy(() -> host.open(new GitHost.PullRequestRequest("again", "", branch, "main", List.of())))
        .isInstanceOfSatisfying(GitHostException.class, e -> assertThat(e.status()).isEqualTo(409))
        .hasMessageContaining("Another open merge request already exists for this source branch: !1")
        .hasMessageContaining("an open merge request of the branch already exists");
    assertThat(emulator.pullRequests()).singleElement().satisfies(pr ->
        assertThat(pr.labels()).containsExactly("sre-agent", "rollback"));
    emulator.setStatus(remote.head(branch).name(), "canceled");
    assertThat(host.checks(remote.head(branch).name())).isEqualTo(GitHost.ChecksState.FAILURE);
    emulator.setStatus(remote.head(branch).name(), "manual");
    assertThat(host.checks(remote.head(branch).name())).isEqualTo(GitHost.ChecksState.PENDING);
  }
}
