package dev.sreagent.testkit.gitops;

import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import dev.sreagent.core.ModelJson;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.execution.ExecutorPolicy;
import dev.sreagent.gitops.CommitAuthor;
import dev.sreagent.gitops.GitHubHost;
import dev.sreagent.gitops.GitRollbackExecutor;
import dev.sreagent.gitops.RollbackImages;
import dev.sreagent.gitops.SyncStatus;
import dev.sreagent.testkit.SimulatedOnCall;
import dev.sreagent.testkit.remote.RemoteAgentMain;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An agent process for {@link GitOpsChildJvmCrashIT}: {@code java ... GitOpsAgentMain <clusterUrl> <auditFile>
 * <configRepoUri> <hostApiUrl> <workDir>}. Rollbacks go through {@link GitRollbackExecutor} (the config repository on
 * disk, the parent's {@link GitHostEmulator} as GitHub, the cluster's current revision as the sync status), every other
 * action to the parent's {@code ClusterServer}. It replays its audit log on start, then steps the cluster and ticks
 * until the server says done; the executor runs on an action thread and waits on the stepped clock.
 */
public final class GitOpsAgentMain {
  /** The images of the cluster's revisions of cart, as {@link GitOpsPlatform} lays them out. */
  static final Map<String, String> CART_IMAGES = Map.of("r1", GitOpsPlatform.OLDER, "r2", ConfigRepos.HEALTHY,
      "r3", ConfigRepos.BAD);

  private GitOpsAgentMain() {}

  public static void main(String[] args) throws Exception {
    String base = args[0];
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T08:00:00Z"));
    Clock clock = new Clock() {
      @Override
      public Instant now() {
        return now.get();
      }

      @Override
      public void sleep(Duration d) throws InterruptedException {
        Instant until = now.get().plus(d);
        while (now.get().isBefore(until)) {
          Thread.sleep(1);  // the main loop moves the clock one step per round trip to the cluster
        }
      }
    };
    GitRollbackExecutor git = GitRollbackExecutor.builder()
        .setRemote(args[2])
        .setWorkDirectory(Path.of(args[4]))
        .setAuthor(new CommitAuthor("sre-agent", "sre-agent@shop.example"))
        .setImages(RollbackImages.fromRevisionImages(service -> "shop",
            (service, revision) -> service.equals("cart") && CART_IMAGES.containsKey(revision)
                ? List.of(CART_IMAGES.get(revision)) : List.of()))
        .setClock(clock)
        .setGitHost(GitHubHost.builder().setApiUrl(args[3]).setRepository(GitHostEmulator.PROJECT)
            .setTokenVariable("GITOPS_TOKEN").setEnvironment(v -> GitOpsPlatform.TOKEN).build())
        .setSyncStatus(SyncStatus.workloadImages("the cluster's current revision", r -> {
          ServiceInfo s = topology(base).services().get(r.workload());
          return s == null || !CART_IMAGES.containsKey(s.currentRevision()) ? List.of()
              : List.of(CART_IMAGES.get(s.currentRevision()));
        }))
        .setPhases(id -> Optional.of(Phase.AUTONOMOUS))
        .build();
    ActionExecutor cluster = new RemoteAgentMain.RemoteExecutor(base, null);
    SreAgent agent = SreAgent.builder()
        .setClock(clock)
        .setActionThreads(1)
        .setTopologyProvider(() -> topology(base))
        .addExecutor(new RollbackThroughGit("gitops+remote-cluster", git, cluster, (r, action, context) -> { }),
            ExecutorPolicy.defaults().withTimeout(GitOpsPlatform.TIME_LIMIT))
        .setApprovalChannel(SimulatedOnCall.approvingAfter(now::get, Duration.ZERO))
        .setDefaultPhase(Phase.AUTONOMOUS)
        .setDiscovery(false)
        .setAuditFile(Path.of(args[1]))
        .build();
    RemoteAgentMain.drive(base, agent, now);
    System.exit(0);
  }

  private static Topology topology(String base) {
    return ModelJson.read(RemoteAgentMain.call(base + "/topology", null).body(), Topology.class);
  }
}
