package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.gitops.BareRemote;
import dev.sreagent.testkit.gitops.ConfigRepos;
import dev.sreagent.testkit.gitops.GitHostEmulator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor waiting on the real sync status adapters: {@link ArgoCdSyncStatus} and {@link FluxSyncStatus} reading
 * objects on fabric8's mock API server (which the test updates as Argo CD or Flux would), with {@link GitLabHost} as
 * the host — done only when the tool reports the agent's commit applied, and a sync that does not land named with
 * what the tool said.
 */
class SyncAdaptersThroughTheExecutorTest {
  static final String TOKEN = "t0ken";

  @TempDir
  Path tmp;
  BareRemote remote;
  ConfigRepos.History commits;
  GitHostEmulator host;
  MergeAndSyncTest.SteppingClock clock = new MergeAndSyncTest.SteppingClock();
  KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void setUp() throws Exception {
    remote = BareRemote.create(tmp.resolve("config.git"));
    commits = ConfigRepos.kustomize(remote);
    host = GitHostEmulator.forRemote(remote, TOKEN);
    for (ResourceDefinitionContext t : List.of(ArgoCdSyncStatus.APPLICATIONS, FluxSyncStatus.KUSTOMIZATIONS)) {
      crud.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup(t.getGroup())
          .withVersion(t.getVersion()).withKind(t.getKind()).withPlural(t.getPlural()).withScope("Namespaced")
          .build());
    }
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), crud, false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.destroy();
    host.close();
    remote.close();
  }

  GitRollbackExecutor executor(SyncStatus sync, boolean autoMerge, Phase phase) {
    return GitRollbackExecutor.builder().setRemote(remote.uri()).setWorkDirectory(tmp.resolve("work"))
        .setImages(RollbackImages.fixed(ConfigRepos.CART)).setClock(clock)
        .setGitHost(GitLabHost.builder().setUrl(host.gitLabUrl()).setProject(GitHostEmulator.PROJECT)
            .setTokenVariable("T").setEnvironment(v -> TOKEN).build())
        .setSyncStatus(sync).setAutoMerge(autoMerge).setPhases(id -> Optional.of(phase))
        .setMergeTimeout(Duration.ofMinutes(10)).setSyncTimeout(Duration.ofMinutes(5))
        .setPollInterval(Duration.ofSeconds(30)).build();
  }

  void put(ResourceDefinitionContext type, String namespace, String name, Map<String, Object> status) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(type.getGroup() + "/" + type.getVersion());
    r.setKind(type.getKind());
    r.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    r.setAdditionalProperty("spec", Map.of());
    r.setAdditionalProperty("status", status);
    client.genericKubernetesResources(type).inNamespace(namespace).resource(r).createOr(u -> u.update());
  }

  void application(String sync, String revision, String health) {
    put(ArgoCdSyncStatus.APPLICATIONS, "argocd", "shop-cart", Map.of("sync", Map.of("status", sync, "revision",
        revision), "health", Map.of("status", health)));
  }

  boolean merged() {
    return host.pullRequests().stream().anyMatch(GitHostEmulator.Pr::isMerged);
  }

  @Test
  void argoCdReportingTheMergeSyncedAndHealthyCompletesTheAutoMergedGitLabRollback() throws Exception {
    String bad = remote.head("main").name();
    application("Synced", bad, "Healthy");
    int[] mergedAt = {-1};
    clock.onSleep = () -> {
      try {
        String agents = remote.branches(GitRollbackExecutor.DEFAULT_BRANCH_PREFIX).values().iterator().next();
        host.setStatus(agents, "success");
        if (merged() && mergedAt[0] < 0) {
          mergedAt[0] = clock.sleeps;
          application("OutOfSync", remote.head("main").name(), "Healthy");  // Argo CD saw the new commit
        } else if (merged() && clock.sleeps == mergedAt[0] + 2) {
          application("Synced", remote.head("main").name(), "Progressing");  // applied, rolling out
        } else if (merged() && clock.sleeps == mergedAt[0] + 4) {
          application("Synced", remote.head("main").name(), "Healthy");
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    ArgoCdSyncStatus argo = ArgoCdSyncStatus.builder().setClient(client).setApplication("shop-cart").build();

    ActionResult r = executor(argo, true, Phase.AUTONOMOUS).execute(MergeAndSyncTest.ROLLBACK,
        MergeAndSyncTest.context());

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(clock.sleeps).as("it waited through OutOfSync and Progressing").isEqualTo(mergedAt[0] + 4);
    assertThat(r.message()).contains("merged by the agent (phase AUTONOMOUS",
        "https://gitlab.example/shop/config/-/merge_requests/1",
        "Argo CD application argocd/shop-cart: sync Synced (revision " + remote.head("main").name()
            + "), health Healthy");
    assertThat(host.calls()).containsOnlyOnce("PUT /api/v4/projects/shop%2Fconfig/merge_requests/1/merge");
    assertThat(remote.head("main").getParentCount()).as("a merge commit on main").isEqualTo(2);
  }

  @Test
  void aFluxKustomizationThatNeverGetsReadyFailsTheWaitNamingWhatFluxSaid() throws Exception {
    String bad = remote.head("main").name();
    Map<String, Object> status = new HashMap<>(Map.of("lastAppliedRevision", "main@sha1:" + bad,
        "conditions", List.of(Map.of("type", "Ready", "status", "True", "reason", "ReconciliationSucceeded"))));
    put(FluxSyncStatus.KUSTOMIZATIONS, "flux-system", "apps", status);
    clock.onSleep = () -> {
      try {
        if (!merged()) {
          host.reviewerMerges(1);
          String merge = remote.head("main").name();
          put(FluxSyncStatus.KUSTOMIZATIONS, "flux-system", "apps", Map.of("lastAppliedRevision", "main@sha1:" + bad,
              "lastAttemptedRevision", "main@sha1:" + merge, "conditions", List.of(Map.of("type", "Ready",
                  "status", "False", "reason", "HealthCheckFailed", "message",
                  "timeout waiting for: [Deployment/shop/cart status: 'InProgress']"))));
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    FluxSyncStatus flux = FluxSyncStatus.builder().setClient(client).setKustomization("apps").build();

    ActionResult r = executor(flux, false, Phase.ASSIST).execute(MergeAndSyncTest.ROLLBACK,
        MergeAndSyncTest.context());

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("merged by a reviewer", "did not run " + ConfigRepos.HEALTHY, "within 5 min",
        "Flux Kustomization flux-system/apps: Ready False (HealthCheckFailed: timeout waiting for",
        "last applied revision main@sha1:" + bad, "last attempted main@sha1:" + remote.head("main").name());
    assertThat(host.calls()).noneMatch(c -> c.startsWith("PUT"));
  }

  GitRollbackExecutor withArgoHistory(List<Map<String, Object>> history) throws java.io.IOException {
    put(ArgoCdSyncStatus.APPLICATIONS, "argocd", "shop-cart", Map.of("sync", Map.of("status", "Synced", "revision",
        remote.head("main").name()), "health", Map.of("status", "Degraded"), "history", history));
    ArgoCdSyncStatus argo = ArgoCdSyncStatus.builder().setClient(client).setApplication("shop-cart").build();
    return GitRollbackExecutor.builder().setRemote(remote.uri()).setWorkDirectory(tmp.resolve("work"))
        .setImages(RollbackImages.fixed(ConfigRepos.CART)).setClock(clock).setDeployedRevisions(argo).build();
  }

  static Map<String, Object> deployment(long id, String revision, String at) {
    return Map.of("id", id, "revision", revision, "deployedAt", at);
  }

  @Test
  void argoCdsHistoryNamesTheHealthyCommitItDeployedNotJustTheNewestThatHeldTheImage() throws Exception {
    // ConfigRepos.kustomize: c1 deploys cart 1.2.0, c2 bumps web in the same file (never synced here), c3 deploys
    // cart 1.3.0. The file's history alone restores "as at c2" (asserted last); Argo CD deployed c1, then c3.
    String c3 = commits.bad().name();
    String c2 = commits.unrelated().name();
    String c1 = commits.healthy().name();
    GitRollbackExecutor executor = withArgoHistory(List.of(deployment(1, c1, "2026-12-01T10:00:00Z"),
        deployment(2, c3, "2026-12-02T10:00:00Z")));

    ActionResult r = executor.execute(GitRollbackExecutorTest.ROLLBACK, new dev.sreagent.api.model.ExecutionContext(
        "inc-7", "key-argo", 1, false));

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).contains("as at commit " + c1.substring(0, 10), "undoing " + c3.substring(0, 10));
    String branch = remote.branches(GitRollbackExecutor.DEFAULT_BRANCH_PREFIX).keySet().iterator().next();
    assertThat(remote.head(branch).getFullMessage()).contains("to its value at commit " + c1 + ", the last commit at"
        + " which the workload was healthy (deployed by Argo CD application argocd/shop-cart", c1.substring(0, 10)
        + " (deployed 2026-12-01T10:00:00Z))");
    assertThat(remote.changedPaths("main", branch)).containsExactly(ConfigRepos.Layout.KUSTOMIZE.declaringFile());
    ActionResult withoutHistory = GitRollbackExecutor.builder().setRemote(remote.uri())
        .setWorkDirectory(tmp.resolve("work2")).setImages(RollbackImages.fixed(ConfigRepos.CART)).setClock(clock)
        .build().execute(GitRollbackExecutorTest.ROLLBACK, new dev.sreagent.api.model.ExecutionContext("inc-77",
            "key-no-argo", 1, true));
    assertThat(withoutHistory.message()).contains("as at commit " + c2.substring(0, 10));
  }

  @Test
  void anArgoCdHistoryThatNeverDeployedTheHealthyImageIsARefusalNamingItsRevisions() throws Exception {
    String c3 = commits.bad().name();
    String foreign = "0123456789abcdef0123456789abcdef01234567";
    GitRollbackExecutor executor = withArgoHistory(List.of(deployment(7, foreign, "2026-11-30T08:00:00Z"),
        deployment(8, c3, "2026-12-02T10:00:00Z")));
    Map<String, String> refs = remote.refs();

    ActionResult r = executor.execute(GitRollbackExecutorTest.ROLLBACK, new dev.sreagent.api.model.ExecutionContext(
        "inc-8", "key-argo-none", 1, false));

    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("no healthy commit: none of the 2 revisions Argo CD application", "deployed"
        + " (newest first: [" + c3.substring(0, 10) + " (deployed 2026-12-02T10:00:00Z), 0123456789 (deployed",
        "not in the repository: [0123456789", "the agent does not guess");
    assertThat(remote.refs()).isEqualTo(refs);
  }

  @Test
  void gitopsSyncArgocdReadsTheHealthyCommitFromArgoCdsHistoryUnlessTurnedOff() throws Exception {
    String c1 = commits.healthy().name();
    String c2 = commits.unrelated().name();
    withArgoHistory(List.of(deployment(1, c1, "2026-12-01T10:00:00Z"),
        deployment(2, commits.bad().name(), "2026-12-02T10:00:00Z")));
    Map<String, String> config = new HashMap<>(Map.of("gitops.repository", remote.uri(), "gitops.work-dir",
        tmp.resolve("work-config").toString(), "gitops.token-env", "T", "gitops.host", "gitlab", "gitops.host.url",
        host.gitLabUrl(), "gitops.host.project", GitHostEmulator.PROJECT, "gitops.sync", "argocd",
        "gitops.sync.name", "shop-cart", "gitops.images", "kubernetes", "gitops.namespace", "shop"));
    GitOpsExecutorProvider provider = new GitOpsExecutorProvider(v -> TOKEN, () -> client);
    ActionResult dryRun = provider.configure(dev.sreagent.api.config.ConfigView.of(config))
        .setImages(RollbackImages.fixed(ConfigRepos.CART)).setClock(clock).build()
        .execute(GitRollbackExecutorTest.ROLLBACK, new dev.sreagent.api.model.ExecutionContext("inc-9", "k", 1, true));
    assertThat(dryRun.status()).as(dryRun.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(dryRun.message()).contains("as at commit " + c1.substring(0, 10));

    config.put("gitops.sync.history", "false");
    config.put("gitops.work-dir", tmp.resolve("work-config-2").toString());
    ActionResult fileHistory = provider.configure(dev.sreagent.api.config.ConfigView.of(config))
        .setImages(RollbackImages.fixed(ConfigRepos.CART)).setClock(clock).build()
        .execute(GitRollbackExecutorTest.ROLLBACK, new dev.sreagent.api.model.ExecutionContext("inc-9", "k", 1, true));
    assertThat(fileHistory.message()).contains("as at commit " + c2.substring(0, 10));
  }
}
