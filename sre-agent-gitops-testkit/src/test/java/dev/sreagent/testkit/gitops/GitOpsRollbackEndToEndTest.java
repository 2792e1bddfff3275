package dev.sreagent.testkit.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.testkit.SimulationHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 15 end to end: a whole agent on the simulated shop, whose cart is declared in a config repository that an
 * auto-sync emulator applies to the cluster. A bad deploy (a commit) raises cart's error rate; the agent rolls back
 * through one pull request; the merge (by the emulated reviewer in ASSIST, by the agent in AUTONOMOUS once the checks
 * pass) is synced; the error rate falls and the incident resolves.
 */
class GitOpsRollbackEndToEndTest {
  static final Duration WARM_UP = Duration.ofMinutes(40);

  @TempDir
  Path tmp;

  @ParameterizedTest
  @EnumSource(value = ConfigRepos.Layout.class, names = {"KUSTOMIZE", "HELM"})
  void inAssistOnePullRequestRestoresTheHealthyImageAndNothingMergesUntilTheReviewerDoes(ConfigRepos.Layout layout)
      throws Exception {
    SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.ASSIST)
        .setOnCallResponse(Duration.ofMinutes(3));
    try (GitOpsPlatform gitops = GitOpsPlatform.builder(tmp).setLayout(layout).install(b);
        SimulationHarness h = b.build()) {
      h.runFor(WARM_UP);
      String healthyText = gitops.remote().file("main", layout.declaringFile()).orElseThrow();
      gitops.deployBad(0.3);
      String badCommit = gitops.remote().head("main").name();
      h.runFor(Duration.ofMinutes(1));
      assertThat(h.cluster().currentRevision("cart")).as("the sync rolled the bad image out").isEqualTo("r3");
      double errorsWhileBad = h.cluster().errorRatio("cart");
      assertThat(errorsWhileBad).isGreaterThan(0.2);

      assertThat(h.runUntil(x -> !gitops.host().pullRequests().isEmpty(), Duration.ofMinutes(30)))
          .as("a pull request opened").isTrue();
      h.runFor(Duration.ofMinutes(20));  // nobody merges

      assertThat(gitops.remote().head("main").name()).as("nothing merged into main").isEqualTo(badCommit);
      assertThat(h.cluster().currentRevision("cart")).isEqualTo("r3");
      Incident waiting = cartIncident(h);
      assertThat(waiting.state()).isEqualTo(IncidentState.REMEDIATING);
      assertThat(gitops.host().pullRequests()).singleElement().satisfies(pr -> assertThat(pr.isOpen()).isTrue());
      assertThat(gitops.host().calls()).noneMatch(c -> c.startsWith("PUT"));

      GitHostEmulator.Pr pr = gitops.host().pullRequests().get(0);
      assertThat(gitops.remote().changedPaths("main", pr.head())).containsExactly(layout.declaringFile());
      assertThat(gitops.remote().file(pr.head(), layout.declaringFile())).contains(healthyText);
      assertThat(pr.body()).contains("Plan hash: " + waiting.plan().hash()).contains("Diagnosis: ");

      gitops.host().reviewerMerges(pr.number());
      assertThat(h.runUntil(x -> cartIncident(x).state().isTerminal(), Duration.ofMinutes(30))).isTrue();

      Incident done = cartIncident(h);
      assertThat(done.state()).as(done.toString()).isEqualTo(IncidentState.RESOLVED);
      assertThat(h.cluster().currentRevision("cart")).isEqualTo("r2");
      assertThat(h.cluster().errorRatio("cart")).isLessThan(errorsWhileBad / 5);
      assertThat(gitops.host().pullRequests()).hasSize(1);
      assertThat(gitops.sync().applied()).extracting(AutoSyncEmulator.Applied::revision).containsExactly("r3", "r2");
      String agentCommit = gitops.remote().head(pr.head()).name();
      List<AuditEvent.ActionCompleted> completed = h.events(AuditEvent.ActionCompleted.class);
      assertThat(completed).singleElement().satisfies(c -> {
        assertThat(c.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
        assertThat(c.action()).isInstanceOf(Action.RollBack.class);
        assertThat(c.message()).contains("https://github.example/shop/config/pull/1", agentCommit,
            "merged by a reviewer", "runs " + ConfigRepos.HEALTHY);
      });
      assertThat(h.oracle().violations()).isEmpty();
    }
  }

  @Test
  void inAutonomousTheAgentMergesOnlyOnceTheChecksPass() throws Exception {
    SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.AUTONOMOUS)
        .setOnCallResponse(Duration.ofMinutes(3));
    try (GitOpsPlatform gitops = GitOpsPlatform.builder(tmp).setAutoMerge(true).install(b);
        SimulationHarness h = b.build()) {
      h.runFor(WARM_UP);
      gitops.deployBad(0.3);
      String badCommit = gitops.remote().head("main").name();
      assertThat(h.runUntil(x -> !gitops.host().pullRequests().isEmpty(), Duration.ofMinutes(30))).isTrue();
      h.runFor(Duration.ofMinutes(5));
      assertThat(gitops.remote().head("main").name()).as("checks pending: not merged").isEqualTo(badCommit);
      assertThat(gitops.host().calls()).anyMatch(c -> c.contains("/status")).noneMatch(c -> c.startsWith("PUT"));

      GitHostEmulator.Pr pr = gitops.host().pullRequests().get(0);
      gitops.host().setStatus(gitops.remote().head(pr.head()).name(), "success");
      assertThat(h.runUntil(x -> cartIncident(x).state().isTerminal(), Duration.ofMinutes(30))).isTrue();

      assertThat(cartIncident(h).state()).isEqualTo(IncidentState.RESOLVED);
      assertThat(gitops.host().calls()).contains("PUT /repos/shop/config/pulls/1/merge");
      assertThat(h.cluster().currentRevision("cart")).isEqualTo("r2");
      assertThat(h.events(AuditEvent.ActionCompleted.class)).singleElement()
          .satisfies(c -> assertThat(c.message()).contains("merged by the agent (phase AUTONOMOUS"));
      assertThat(h.oracle().violations()).isEmpty();
    }
  }

  /**
   * The bad deploy comes with a second, independent fault on cart (its database fails a share of requests: no deploy
   * to blame, {@code injectFailure}), which the rollback cannot fix. The rollback's pull request is merged and synced,
   * the error rate stays up, the verification fails, and the inverse opens a second pull request reverting the agent's
   * own commit; the inverse does not wait for its merge (it runs on the agent's loop thread), the incident ends
   * ROLLED_BACK and escalated with both URLs in the audit. Merging the revert then brings the bad revision back.
   */
  @Test
  void aRollbackThatDoesNotHelpIsRevertedBySecondPullRequestAndTheIncidentEscalates() throws Exception {
    SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.ASSIST)
        .setOnCallResponse(Duration.ofMinutes(3));
    ConfigRepos.Layout layout = ConfigRepos.Layout.KUSTOMIZE;
    try (GitOpsPlatform gitops = GitOpsPlatform.builder(tmp).setLayout(layout).install(b);
        SimulationHarness h = b.build()) {
      h.runFor(WARM_UP);
      String healthyText = gitops.remote().file("main", layout.declaringFile()).orElseThrow();
      gitops.deployBad(0.3);
      h.cluster().injectFailure("cart", 0.3);
      String badText = gitops.remote().file("main", layout.declaringFile()).orElseThrow();
      assertThat(h.runUntil(x -> !gitops.host().pullRequests().isEmpty(), Duration.ofMinutes(30))).isTrue();
      GitHostEmulator.Pr rollbackPr = gitops.host().pullRequests().get(0);
      String agentCommit = gitops.remote().head(rollbackPr.head()).name();
      gitops.host().reviewerMerges(rollbackPr.number());

      assertThat(h.runUntil(x -> cartIncident(x).state().isTerminal(), Duration.ofMinutes(60))).isTrue();
      Incident done = cartIncident(h);
      assertThat(done.state()).as(done.toString()).isEqualTo(IncidentState.ROLLED_BACK);
      assertThat(h.cluster().currentRevision("cart")).as("the rollback was synced").isEqualTo("r2");
      assertThat(h.cluster().errorRatio("cart")).as("the second fault remains").isGreaterThan(0.2);
      assertThat(gitops.remote().file("main", layout.declaringFile())).contains(healthyText);

      List<GitHostEmulator.Pr> prs = gitops.host().pullRequests();
      assertThat(prs).as("exactly two pull requests").hasSize(2);
      GitHostEmulator.Pr revertPr = prs.get(1);
      assertThat(revertPr.isOpen()).as("a human merges the revert; the agent did not wait").isTrue();
      assertThat(revertPr.head()).contains("-revert-").isNotEqualTo(rollbackPr.head());
      assertThat(gitops.remote().changedPaths("main", revertPr.head())).containsExactly(layout.declaringFile());
      assertThat(gitops.remote().file(revertPr.head(), layout.declaringFile()))
          .as("the revert restores the bad image line exactly").contains(badText);
      String revertCommit = gitops.remote().head(revertPr.head()).name();
      assertThat(gitops.remote().head(revertPr.head()).getParent(0).name()).isEqualTo(gitops.remote().head("main")
          .name());
      assertThat(gitops.remote().head(revertPr.head()).getFullMessage())
          .contains("Sre-Agent-Reverts: " + agentCommit, "did not recover", "Incident: " + done.id());
      assertThat(revertPr.body()).contains("Reverts commit " + agentCommit,
          "Reverted pull request: https://github.example/shop/config/pull/1");
      assertThat(gitops.remote().branches("sre-agent/")).as("one branch each, no more").hasSize(2);

      String url1 = "https://github.example/shop/config/pull/1";
      String url2 = "https://github.example/shop/config/pull/2";
      List<AuditEvent.ActionCompleted> completed = h.events(AuditEvent.ActionCompleted.class);
      assertThat(completed).hasSize(2);
      assertThat(completed.get(0).message()).contains(url1, agentCommit, "merged by a reviewer");
      assertThat(completed.get(1).status()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(completed.get(1).action()).isEqualTo(new Action.RollBack("cart", "r2", "r3"));
      assertThat(completed.get(1).message()).contains(url2, revertCommit, "left open for a human to merge",
          "not waited for");
      assertThat(h.events(AuditEvent.ActionStarted.class)).filteredOn(s -> s.inverseOf() != null).singleElement()
          .satisfies(s -> assertThat(s.action()).isEqualTo(new Action.RollBack("cart", "r2", "r3")));
      assertThat(done.outcomeReason()).contains("not recovered", url2, "escalated");
      assertThat(h.oracle().violations()).isEmpty();

      gitops.host().reviewerMerges(revertPr.number());
      h.runFor(Duration.ofMinutes(1));
      assertThat(h.cluster().currentRevision("cart")).as("the merged revert is synced").isEqualTo("r3");
    }
  }

  @Test
  void observePushesNothing() throws Exception {
    SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.OBSERVE);
    try (GitOpsPlatform gitops = GitOpsPlatform.builder(tmp).install(b); SimulationHarness h = b.build()) {
      h.runFor(WARM_UP);
      gitops.deployBad(0.3);
      h.runFor(Duration.ofMinutes(1));
      Map<String, String> refs = gitops.remote().refs();
      h.runFor(Duration.ofMinutes(40));

      assertThat(cartIncident(h).state()).isEqualTo(IncidentState.ESCALATED);
      assertThat(gitops.remote().refs()).as("the bare repository's refs").isEqualTo(refs);
      assertThat(gitops.host().calls()).isEmpty();
      assertThat(h.cluster().currentRevision("cart")).isEqualTo("r3");
    }
  }

  static Incident cartIncident(SimulationHarness h) {
    Optional<Incident> inc = h.agent().incidents().stream().filter(i -> i.rootService().equals("cart")).findFirst();
    return inc.orElseThrow(() -> new AssertionError("no incident on cart: " + h.agent().incidents()));
  }
}
