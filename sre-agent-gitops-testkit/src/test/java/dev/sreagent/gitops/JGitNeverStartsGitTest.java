package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.testkit.gitops.BareRemote;
import dev.sreagent.testkit.gitops.ConfigRepos;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JGit looks for the system git configuration by running {@code git} unless told not to. The build puts a {@code git}
 * first on the tests' PATH that logs each start ({@code src/test/fake-git}); a full rollback (fetch, history walk,
 * commit, push) and a reconcile must leave that log empty.
 */
class JGitNeverStartsGitTest {
  @TempDir
  Path tmp;

  @Test
  void aRollbackAndAReconcileStartNoGitProgram() throws Exception {
    String log = System.getenv("SRE_AGENT_FAKE_GIT_LOG");
    Assumptions.assumeTrue(log != null, "run through Maven, which puts the logging git on the PATH");
    Files.deleteIfExists(Path.of(log));
    try (BareRemote remote = BareRemote.create(tmp.resolve("config.git"))) {
      ConfigRepos.kustomize(remote);
      GitRollbackExecutor executor = GitRollbackExecutor.builder().setRemote(remote.uri())
          .setWorkDirectory(tmp.resolve("work")).setImages(RollbackImages.fixed(ConfigRepos.CART)).build();
      ActionResult r = executor.execute(GitRollbackExecutorTest.ROLLBACK, new ExecutionContext("inc-1", "key-nogit",
          1, false));
      assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(executor.reconcile("key-nogit")).isPresent();
    }
    assertThat(Path.of(log)).as("JGit started git: " + (Files.exists(Path.of(log)) ? Files.readString(Path.of(log))
        : "")).doesNotExist();
  }
}
