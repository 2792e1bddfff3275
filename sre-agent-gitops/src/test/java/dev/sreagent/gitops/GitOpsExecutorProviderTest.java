package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.spi.ActionExecutorProvider;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GitOpsExecutorProvider}: configuration keys, every problem at once, and a working executor. */
class GitOpsExecutorProviderTest {
  static final Map<String, String> ENV = Map.of("GITOPS_TOKEN", "glpat-s3cret");

  @TempDir
  Path tmp;

  static ConfigurationException problems(Map<String, String> config) {
    GitOpsExecutorProvider p = new GitOpsExecutorProvider(ENV::get, () -> {
      throw new AssertionError("no cluster client expected");
    });
    try {
      p.create(ConfigView.of(config));
    } catch (ConfigurationException e) {
      return e;
    }
    throw new AssertionError("no ConfigurationException for " + config);
  }

  @Test
  void everyBadValueIsReportedAtOnceNamingItsKeyAndTheFix() {
    ConfigurationException e = problems(Map.of(
        "gitops.repository", "ftp://example.com/config",
        "gitops.token-env", "glpat-pasted-token-itself",
        "gitops.author.name", "sre-agent",
        "gitops.host", "bitbucket",
        "gitops.sync", "spinnaker",
        "gitops.auto-merge", "yes",
        "gitops.merge-timeout", "soon",
        "gitops.paths", "../outside"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("gitops.repository must be a Git URL"))
        .anySatisfy(p -> assertThat(p).startsWith("gitops.work-dir is required"))
        .anySatisfy(p -> assertThat(p).startsWith("gitops.token-env must name an environment variable"))
        .anySatisfy(p -> assertThat(p).startsWith("gitops.author.name and gitops.author.email go together"))
        .anySatisfy(p -> assertThat(p).isEqualTo("gitops.host must be none, github or gitlab, but was 'bitbucket'"))
        .anySatisfy(p -> assertThat(p).isEqualTo("gitops.sync must be none, argocd or flux, but was 'spinnaker'"))
        .anySatisfy(p -> assertThat(p).isEqualTo("gitops.auto-merge must be true or false, but was 'yes'"))
        .anySatisfy(p -> assertThat(p).startsWith("gitops.merge-timeout must be a positive duration"))
        .anySatisfy(p -> assertThat(p).startsWith("gitops.paths: searchPaths must be relative paths"))
        .anySatisfy(p -> assertThat(p).startsWith("gitops.images must be kubernetes"));
    assertThat(e.problems()).hasSize(10);
    assertThat(String.join("\n", e.problems())).doesNotContain("pasted-token-itself");
  }

  @Test
  void dependentKeysAreCheckedTogether() {
    Map<String, String> base = Map.of("gitops.repository", "https://gitlab.example.com/shop/config.git",
        "gitops.work-dir", tmp.toString(), "gitops.images", "kubernetes");
    Map<String, String> c = new HashMap<>(base);
    c.put("gitops.sync", "argocd");
    c.put("gitops.auto-merge", "true");
    assertThat(problems(c).problems()).containsExactlyInAnyOrder(
        "gitops.sync=argocd needs gitops.host (github or gitlab): the executor waits for the merge of its pull"
            + " request before it waits for the sync",
        "gitops.namespace is required with gitops.images=kubernetes: the namespace of the workloads to roll back,"
            + " such as shop",
        "gitops.auto-merge=true cannot work from configuration alone: the agent merges only in phase AUTONOMOUS,"
            + " which the executor reads from the agent; build it with new GitOpsExecutorProvider().configure(config)"
            + ".setPhases(...).build(), or set gitops.auto-merge=false");
    Map<String, String> d = new HashMap<>(base);
    d.put("gitops.host", "gitlab");
    d.put("gitops.namespace", "shop");
    assertThat(problems(d).problems()).singleElement().asString().startsWith("gitops.host=gitlab needs"
        + " gitops.token-env");
    d.put("gitops.token-env", "UNSET_VARIABLE");
    assertThat(problems(d).problems()).singleElement().asString().isEqualTo("gitops.token-env names UNSET_VARIABLE,"
        + " but that environment variable is empty; export the Git host token there");
    d.put("gitops.token-env", "GITOPS_TOKEN");
    d.put("gitops.repository", "file:///srv/config.git");
    assertThat(problems(d).problems()).singleElement().asString().startsWith("gitops.host.project is required");
    Map<String, String> h = new HashMap<>(base);
    h.put("gitops.namespace", "shop");
    h.put("gitops.sync.history", "true");
    assertThat(problems(h).problems()).singleElement().asString().startsWith("gitops.sync.history=true needs"
        + " gitops.sync=argocd");
    h.put("gitops.sync.history", "maybe");
    assertThat(problems(h).problems()).containsExactly("gitops.sync.history must be true or false, but was 'maybe'");
  }

  @Test
  void theHostProjectIsReadFromTheRepositoryUrl() {
    assertThat(GitOpsExecutorProvider.projectOf("https://github.com/shop/config.git")).isEqualTo("shop/config");
    assertThat(GitOpsExecutorProvider.projectOf("https://gitlab.com/group/sub/config")).isEqualTo("group/sub/config");
    assertThat(GitOpsExecutorProvider.projectOf("git@github.com:shop/config.git")).isEqualTo("shop/config");
    assertThat(GitOpsExecutorProvider.projectOf("ssh://git@host:2222/shop/config.git")).isEqualTo("shop/config");
    assertThat(GitOpsExecutorProvider.projectOf("file:///srv/config.git")).isNull();
    assertThat(GitOpsExecutorProvider.projectOf("https://github.com/config.git")).isNull();
  }

  @Test
  void isFoundByServiceLoaderAndUsedOnlyWhenNamed() {
    assertThat(ServiceLoader.load(ActionExecutorProvider.class).stream().map(ServiceLoader.Provider::get))
        .anySatisfy(p -> {
          assertThat(p.name()).isEqualTo("gitops");
          assertThat(p.onlyWhenNamed()).isTrue();
        });
  }

  static ReplicaSet replicaSet(String name, String revision, String image) {
    return new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace("shop")
        .addToAnnotations(ReplicaSetImages.REVISION, revision)
        .addNewOwnerReference().withKind("Deployment").withName("cart").withApiVersion("apps/v1").withUid("u1")
        .endOwnerReference().endMetadata()
        .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("cart").withImage(image)
        .endContainer().addNewContainer().withName("envoy").withImage("envoyproxy/envoy:v1.31.0").endContainer()
        .endSpec().endTemplate().endSpec().build();
  }

  @Test
  void aCompleteConfigurationMakesAnExecutorWhoseImagesComeFromTheReplicaSets() {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      client.apps().replicaSets().inNamespace("shop").resource(replicaSet("cart-6", "6", CartImages.HEALTHY))
          .create();
      client.apps().replicaSets().inNamespace("shop").resource(replicaSet("cart-7", "7", CartImages.BAD)).create();
      Map<String, String> config = Map.of("gitops.repository", "https://gitlab.example.com/shop/config.git",
          "gitops.work-dir", tmp.toString(), "gitops.token-env", "GITOPS_TOKEN", "gitops.host", "gitlab",
          "gitops.host.url", "https://gitlab.example.com", "gitops.sync", "flux", "gitops.sync.name", "apps",
          "gitops.images", "kubernetes", "gitops.namespace", "shop", "gitops.sync-timeout", "5m");
      GitOpsExecutorProvider provider = new GitOpsExecutorProvider(ENV::get, () -> client);

      ActionExecutor executor = provider.create(ConfigView.of(config));

      assertThat(executor.name()).isEqualTo("gitops-rollback");
      assertThat(executor.supports(new Action.RollBack("cart", "7", "6"))).isTrue();
      assertThat(((GitRollbackExecutor) executor).timeLimit()).isGreaterThan(
          GitRollbackExecutor.DEFAULT_MERGE_TIMEOUT.plusMinutes(5));
      assertThat(ReplicaSetImages.of(client, "shop").resolve(new Action.RollBack("cart", "7", "6")))
          .contains(new ImageRollback("shop", "cart", null, CartImages.BAD, CartImages.HEALTHY));
      assertThat(ReplicaSetImages.of(client, "shop").resolve(new Action.RollBack("cart", "7", "5"))).isEmpty();
    } finally {
      server.destroy();
    }
  }
}
