package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo --gitops} (issue 15): the rollback as a pull request, merged by the emulated reviewer, then synced. */
class GitOpsDemoTest {
  @Test
  void theBadDeployIsRolledBackThroughAPullRequestAndTheScenarioPasses(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    Path report = dir.resolve("report.json");
    int status = Main.run(new String[] {"demo", "--gitops", "--phase", "assist", "--audit-dir",
        dir.resolve("audit").toString(), "--report", report.toString()}, ps, ps);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(status).as(text).isZero();
    assertThat(text).contains("platform: gitops").contains("committed to the config repository")
        .contains("opened pull request #1 (https://github.example/shop/config/pull/1)")
        .contains("merged by a reviewer").contains("auto-sync emulator of main")
        .contains("gitops: pull request #1").contains("gitops: sync of").contains("rolled cart back to r2")
        .contains("1/1 passed").contains("resolved");
    assertThat(Files.readString(report)).contains("error-rate-spike").contains("\"passed\" : true");
  }

  @Test
  void theIssuesScenarioNameRunsTheSameFlow(@TempDir Path dir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = Main.run(new String[] {"demo", "--scenario", "bad-deploy", "--gitops", "--phase", "assist",
        "--audit-dir", dir.resolve("audit").toString()}, ps, ps);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(status).as(text).isZero();
    assertThat(text).contains("bad-deploy").contains("opened pull request #1").contains("merged by a reviewer")
        .contains("gitops: pull request #1").contains("rolled cart back to r2").contains("1/1 passed")
        .doesNotContain("pull request #2");
  }

  @Test
  void aRollbackThatDoesNotHelpShowsTheRevertPullRequestAndTheEscalation(@TempDir Path dir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = Main.run(new String[] {"demo", "--scenario", "rollback-does-not-help", "--gitops", "--phase",
        "assist", "--audit-dir", dir.resolve("audit").toString()}, ps, ps);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(status).as(text).isZero();
    assertThat(text).contains("cart's database fails 15% of requests too")
        .contains("opened pull request #1 (https://github.example/shop/config/pull/1)")
        .contains("merged by a reviewer")
        .contains("opened pull request #2 (https://github.example/shop/config/pull/2)")
        .contains("revert pull request #2").contains("left open for a human to merge").contains("escalated")
        .contains("gitops: pull request #1").contains("gitops: pull request #2 sre-agent: revert")
        .contains("open, for a human to merge").contains("1/1 passed").doesNotContain("pull request #3");
  }

  @Test
  void gitopsRefusesScenariosItCannotRollBackAndTheKubernetesPlatform() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(Main.run(new String[] {"demo", "--gitops", "--scenario", "oom-kill"}, ps, ps)).isEqualTo(2);
    assertThat(Main.run(new String[] {"demo", "--gitops", "--platform", "kubernetes"}, ps, ps)).isEqualTo(2);
    assertThat(Main.run(new String[] {"demo", "--scenario", "bad-deploy"}, ps, ps)).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--gitops runs the scenarios whose remediation is a"
        + " rollback of cart").contains("error-rate-spike").contains("--gitops and --platform kubernetes exclude")
        .contains("(with --gitops also bad-deploy and rollback-does-not-help), but was 'bad-deploy'");
  }
}
