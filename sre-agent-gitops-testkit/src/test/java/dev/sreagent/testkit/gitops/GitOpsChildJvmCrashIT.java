package dev.sreagent.testkit.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.AuditEvent;
import dev.sreagent.core.audit.AuditEvents;
import dev.sreagent.core.audit.HashChainedAuditLog;
import dev.sreagent.testkit.remote.ClusterServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, "the agent is killed between push and PR; after restart exactly one PR exists", with a real process: the
 * agent runs in a child JVM ({@link GitOpsAgentMain}) over a {@link ClusterServer} in this JVM, a bare config
 * repository on disk, the {@link GitHostEmulator} and an {@link AutoSyncEmulator} that applies the repository's head
 * to the cluster after every step. A bad deploy is committed; the agent pushes its rollback branch and asks the host
 * for the pull request; the host's interceptor SIGKILLs the child at that request (dropped: no pull request) — the
 * process dies with its JGit clone on disk mid-operation and no result recorded. A second child JVM starts over the
 * same audit file and clone directory, replays, reconciles the action by its key and opens the pull request; the
 * emulated reviewer merges it, the sync rolls cart back and the incident resolves.
 */
class GitOpsChildJvmCrashIT {
  private static final Duration STEP = Duration.ofSeconds(15);
  private static final Duration LENGTH = Duration.ofHours(2);
  private static final int BAD_DEPLOY_STEP = (int) Duration.ofMinutes(40).dividedBy(STEP);
  private static final Duration REVIEW_DELAY = Duration.ofMinutes(3);
  private static final String CREATE_PR = "POST /repos/" + GitHostEmulator.PROJECT + "/pulls";

  @TempDir
  Path dir;

  @Test
  void killedAtThePullRequestCallTheRestartedProcessOpensExactlyOne() throws Exception {
    BareRemote remote = BareRemote.create(dir.resolve("config.git"));
    ConfigRepos.Layout.KUSTOMIZE.writeHealthy(remote);
    try (remote; GitHostEmulator host = GitHostEmulator.forRemote(remote, GitOpsPlatform.TOKEN);
        ClusterServer server = new ClusterServer(11, STEP, LENGTH, Map.of())) {
      AutoSyncEmulator sync = AutoSyncEmulator.builder(remote, server.cluster())
          .addWorkload("cart", Map.of("r1", GitOpsPlatform.OLDER, "r2", ConfigRepos.HEALTHY)).build();
      sync.sync();
      int[] prSeenAt = {-1};
      server.setAfterStep(() -> {
        try {
          if (server.steps() == BAD_DEPLOY_STEP) {
            sync.expectRollout(ConfigRepos.BAD, 0.3, Duration.ZERO);
            ConfigRepos.Layout.KUSTOMIZE.deployBad(remote);
          }
          List<GitHostEmulator.Pr> open = host.pullRequests().stream().filter(GitHostEmulator.Pr::isOpen).toList();
          if (!open.isEmpty() && prSeenAt[0] < 0) {
            prSeenAt[0] = server.steps();
          } else if (!open.isEmpty() && server.steps() - prSeenAt[0] >= REVIEW_DELAY.dividedBy(STEP)) {
            host.reviewerMerges(open.get(0).number());  // the emulated human reviewer, three minutes later
          }
          sync.sync();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      AtomicReference<@Nullable Process> child = new AtomicReference<>();
      AtomicBoolean killed = new AtomicBoolean();
      AtomicReference<Map<String, String>> branchesAtKill = new AtomicReference<>();
      int[] killedAt = {-1};
      host.setInterceptor(call -> {
        if (!call.equals(CREATE_PR) || killed.get()) {
          return false;
        }
        try {
          branchesAtKill.set(remote.branches("sre-agent/"));
          Process p = child.get();
          if (p != null) {
            p.destroyForcibly().waitFor();  // SIGKILL while it waits for this very answer
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        killedAt[0] = server.steps();
        killed.set(true);
        return true;
      });
      Path audit = dir.resolve("audit.jsonl");

      int firstExit = run(1, server, audit, remote, host, child);
      assertThat(killed).as("the first agent was killed at its pull request call").isTrue();
      assertThat(firstExit).isNotZero();
      assertThat(branchesAtKill.get()).as("pushed before the kill").hasSize(1);
      assertThat(host.pullRequests()).as("no pull request before the restart").isEmpty();
      assertThat(server.finished()).isFalse();

      int secondExit = run(2, server, audit, remote, host, child);
      assertThat(secondExit).isZero();
      assertThat(server.finished()).isTrue();

      List<GitHostEmulator.Pr> prs = host.pullRequests();
      assertThat(prs).as("exactly one pull request").hasSize(1);
      assertThat(prs.get(0).head()).isEqualTo(branchesAtKill.get().keySet().iterator().next());
      assertThat(prs.get(0).isMerged()).isTrue();
      assertThat(remote.branches("sre-agent/")).as("no second branch, no second commit")
          .isEqualTo(branchesAtKill.get());
      assertThat(host.calls().stream().filter(CREATE_PR::equals)).as("one dropped call, one that opened it")
          .hasSize(2);
      assertThat(server.cluster().currentRevision("cart")).isEqualTo("r2");
      try (HashChainedAuditLog log = HashChainedAuditLog.builder().setFile(audit).build()) {
        assertThat(log.verify().intact()).isTrue();
        List<AuditEvent> events = log.records().stream().map(AuditEvents::fromRecord).toList();
        List<String> keys = events.stream().filter(AuditEvent.ActionStarted.class::isInstance)
            .map(e -> ((AuditEvent.ActionStarted) e).idempotencyKey()).distinct().toList();
        assertThat(keys).as("one action key, started again by the restarted agent").singleElement().asString()
            .isNotBlank();
        // the executor's reconcile(key) answers "half done" (pushed, not merged); executing the key again pushes
        // nothing and resumes at the pull request
        assertThat(events).filteredOn(AuditEvent.ActionCompleted.class::isInstance)
            .map(e -> (AuditEvent.ActionCompleted) e).singleElement().satisfies(c -> {
              assertThat(c.status()).isEqualTo(dev.sreagent.api.model.ActionResult.Status.SUCCEEDED);
              assertThat(c.idempotencyKey()).isEqualTo(keys.get(0));
              assertThat(c.message()).contains("already pushed under key " + keys.get(0), "nothing pushed again",
                  "/pull/" + prs.get(0).number());
            });
      }
      try (SreAgent replayed = SreAgent.builder().setAuditFile(audit).setDiscovery(false).build()) {
        Incident cart = replayed.incidents().stream().filter(i -> i.rootService().equals("cart")).findFirst()
            .orElseThrow();
        assertThat(cart.state()).as(cart.outcome() + ": " + cart.outcomeReason()).isEqualTo(IncidentState.RESOLVED);
        System.out.printf("gitops child-JVM crash test: bad deploy at step %d, first agent SIGKILLed at its pull"
            + " request call at step %d, pull request #%d opened by the restarted process at step %d, merged 3 min"
            + " later, %s resolved; %d steps%n", BAD_DEPLOY_STEP, killedAt[0], prs.get(0).number(), prSeenAt[0],
            cart.id(), server.steps());
      }
    }
  }

  private int run(int n, ClusterServer server, Path audit, BareRemote remote, GitHostEmulator host,
      AtomicReference<@Nullable Process> child) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        GitOpsAgentMain.class.getName(), server.baseUrl(), audit.toString(), remote.uri(), host.apiUrl(),
        dir.resolve("agent-clone").toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("agent-" + n + ".log").toFile())
        .start();
    child.set(p);
    return p.waitFor();
  }
}
