package dev.sreagent.testkit.gitops;

import static dev.sreagent.testkit.gitops.GitOpsRollbackEndToEndTest.WARM_UP;
import static dev.sreagent.testkit.gitops.GitOpsRollbackEndToEndTest.cartIncident;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.testkit.SimulationHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, "the agent is killed between push and PR; after restart exactly one PR exists", through a whole agent.
 *
 * <p>What this is, honestly: an <b>in-JVM crash</b>, not a killed process. The agent's action thread halts inside the
 * pull-request call (after the branch was pushed, before anything is sent to the host:
 * {@link GitOpsPlatform#haltAtNextPullRequest()}), and the agent is abandoned without any shutdown
 * ({@link SimulationHarness#crashAndRestartAgent()}): nothing flushed or closed, no result recorded. A new agent is
 * built over the same audit file and incident store and replays them, as after a {@code kill -9}. The old agent's
 * halted thread lives on until the end of the test (a child JVM would have taken it down); when released, its call
 * throws and it never opens a pull request, and nothing ticks the old agent again.
 */
class GitOpsCrashRecoveryTest {
  @TempDir
  Path tmp;

  @Test
  void killedBetweenPushAndPullRequestTheRestartedAgentOpensExactlyOne() throws Exception {
    SimulationHarness.Builder b = SimulationHarness.builder().setPhase(Phase.ASSIST)
        .setOnCallResponse(Duration.ofMinutes(3)).setAuditFile(tmp.resolve("audit.jsonl"));
    try (GitOpsPlatform gitops = GitOpsPlatform.builder(tmp.resolve("gitops")).install(b);
        SimulationHarness h = b.build()) {
      h.runFor(WARM_UP);
      GitOpsPlatform.HaltedCall crash = gitops.haltAtNextPullRequest();
      gitops.deployBad(0.3);
      try {
        assertThat(h.runUntil(x -> crash.halted(), Duration.ofMinutes(30))).as("the agent reached the PR call")
            .isTrue();
        Map<String, String> pushed = gitops.remote().branches("sre-agent/");
        assertThat(pushed).as("pushed before the crash").hasSize(1).containsKey(crash.branch());
        assertThat(gitops.host().pullRequests()).as("no pull request before the crash").isEmpty();
        assertThat(h.events(AuditEvent.ActionStarted.class)).hasSize(1);
        assertThat(h.events(AuditEvent.ActionCompleted.class)).as("no result recorded").isEmpty();
        String key = h.events(AuditEvent.ActionStarted.class).get(0).idempotencyKey();

        SreAgent restarted = h.crashAndRestartAgent();
        assertThat(restarted.incidents()).singleElement()
            .satisfies(i -> assertThat(i.state()).isEqualTo(IncidentState.REMEDIATING));
        assertThat(h.runUntil(x -> !gitops.host().pullRequests().isEmpty(), Duration.ofMinutes(30)))
            .as("the restarted agent opens the pull request").isTrue();
        h.runFor(Duration.ofMinutes(5));

        List<GitHostEmulator.Pr> prs = gitops.host().pullRequests();
        assertThat(prs).as("exactly one pull request").hasSize(1);
        assertThat(prs.get(0).head()).isEqualTo(crash.branch());
        assertThat(gitops.remote().branches("sre-agent/")).as("no second branch, no second commit")
            .isEqualTo(pushed);
        assertThat(h.events(AuditEvent.ActionStarted.class)).allSatisfy(s -> {
          assertThat(s.idempotencyKey()).isEqualTo(key);
          assertThat(s.action()).isInstanceOf(Action.RollBack.class);
        });

        gitops.host().reviewerMerges(prs.get(0).number());
        assertThat(h.runUntil(x -> cartIncident(x).state().isTerminal(), Duration.ofMinutes(30))).isTrue();
        assertThat(cartIncident(h).state()).isEqualTo(IncidentState.RESOLVED);
        assertThat(h.cluster().currentRevision("cart")).isEqualTo("r2");
        assertThat(h.events(AuditEvent.ActionCompleted.class)).filteredOn(c -> c.status()
            == ActionResult.Status.SUCCEEDED).singleElement()
            .satisfies(c -> assertThat(c.message()).contains("https://github.example/shop/config/pull/1",
                pushed.get(crash.branch())));
        assertThat(h.agent().auditLog().verify().intact()).isTrue();
      } finally {
        crash.release();
      }
    }
  }
}
