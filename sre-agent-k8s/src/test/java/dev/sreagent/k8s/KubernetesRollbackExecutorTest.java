package dev.sreagent.k8s;

import static dev.sreagent.k8s.RolloutFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.testkit.contract.ActionExecutorContract;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KubernetesRollbackExecutorTest {
  private static final String CART = path("shop", "cart");
  private static final String REPLICA_SETS = "/apis/apps/v1/namespaces/shop/replicasets";
  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;
  private final KubernetesRollbackExecutor executor = KubernetesRollbackExecutor.builder(client)
      .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).build();

  @AfterEach
  void close() {
    api.close();
  }

  private static ExecutionContext context(String key, long token) {
    return new ExecutionContext("INC-0042", key, token, false);
  }

  private Deployment cart() {
    return client.apps().deployments().inNamespace("shop").withName("cart").get();
  }

  private static String image(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private ReplicaSet replicaSetOf(String revision) {
    return client.apps().replicaSets().inNamespace("shop").list().getItems().stream()
        .filter(rs -> ReplicaSets.wasRevision(rs, revision)).findFirst().orElseThrow();
  }

  private void label(Deployment d, String key, String value) {
    client.apps().deployments().inNamespace("shop").withName(d.getMetadata().getName()).edit(x -> {
      x.getMetadata().getLabels().put(key, value);
      return x;
    });
  }

  @Test
  void theTemplateOfTheTargetRevisionIsRestoredWithoutItsHashAndTheChangeIsMarked() {
    RolloutFixtures.cart(client);
    int replicaSetWrites = api.effects(REPLICA_SETS);
    ActionResult r = executor.execute(new Action.RollBack("cart", "3", "2"), context("k1", 5));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).contains("deployment shop/cart from revision 3 to revision 2")
        .contains(RolloutFixtures.image("cart", 2));
    Deployment after = cart();
    assertThat(after.getSpec().getTemplate()).isEqualTo(RolloutFixtures.template("cart", 2));
    assertThat(after.getSpec().getTemplate().getMetadata().getLabels())
        .doesNotContainKey(ReplicaSets.POD_TEMPLATE_HASH).containsEntry("app", "cart");
    assertThat(replicaSetOf("2").getSpec().getTemplate().getMetadata().getLabels())
        .as("the ReplicaSet keeps its own").containsKey(ReplicaSets.POD_TEMPLATE_HASH);
    assertThat(after.getMetadata().getAnnotations()).containsEntry(ChangeMarks.INCIDENT, "INC-0042")
        .containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "k1").containsEntry(ChangeMarks.FENCING_TOKEN, "5")
        .containsEntry(ReplicaSets.REVISION, "3")
        .hasEntrySatisfying(KubernetesRollbackExecutor.CHANGE_CAUSE, v -> assertThat(v)
            .contains("rollback from revision 3 to revision 2").contains("INC-0042"));
    assertThat(after.getSpec().getReplicas()).isEqualTo(3);
    assertThat(api.writes(CART)).singleElement().satisfies(e -> assertThat(e.method()).isEqualTo("PUT"));
    assertThat(api.effects(REPLICA_SETS)).isEqualTo(replicaSetWrites);
  }

  @Test
  void aDryRunIsTheServersAndChangesNoResourceVersion() {
    RolloutFixtures.cart(client);
    String before = cart().getMetadata().getResourceVersion();
    ActionResult r = executor.execute(new Action.RollBack("cart", "3", "2"),
        new ExecutionContext("INC-0042", "dry", 1, true));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(cart().getMetadata().getResourceVersion()).isEqualTo(before);
    assertThat(image(cart())).isEqualTo(RolloutFixtures.image("cart", 3));
    assertThat(api.writes(CART)).singleElement().satisfies(e -> assertThat(e.path()).contains("dryRun=All"));
    assertThat(api.effects(CART)).isZero();
  }

  @Test
  void aStalePlanIsNotCarriedOut() {
    RolloutFixtures.cart(client);
    ActionResult r = executor.execute(new Action.RollBack("cart", "2", "1"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("deployment shop/cart is at revision 3, the plan expected 2").contains("plan again");
    assertThat(api.effects(CART)).isZero();
  }

  @Test
  void aRevisionThatIsNotInTheHistoryIsNamedWithTheHistory() {
    RolloutFixtures.cart(client);
    ActionResult r = executor.execute(new Action.RollBack("cart", "3", "9"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("revision 9 of deployment shop/cart not found")
        .contains("revisions [1, 2, 3]").contains("revisionHistoryLimit");
    assertThat(api.effects(CART)).isZero();
  }

  @Test
  void aRevisionOfAnotherDeploymentIsNotATarget() {
    RolloutFixtures.cart(client);
    Deployment search = RolloutFixtures.deployment(client, "shop", "search", 5, 1);
    RolloutFixtures.replicaSet(client, search, 5, 1, 1);
    ActionResult r = executor.execute(new Action.RollBack("cart", "3", "5"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("revision 5 of deployment shop/cart not found");
    assertThat(image(cart())).isEqualTo(RolloutFixtures.image("cart", 3));
  }

  @Test
  void aReusedReplicaSetIsFoundByItsRevisionHistory() {
    Deployment d = RolloutFixtures.deployment(client, "shop", "cart", 4, 2);
    ReplicaSet old = RolloutFixtures.replicaSet(client, d, 4, 0, 0);  // was revision 1 and 2 before a rollback made it 4
    client.apps().replicaSets().inNamespace("shop").withName(old.getMetadata().getName()).edit(rs -> {
      rs.getMetadata().getAnnotations().put(ReplicaSets.REVISION_HISTORY, "1,2");
      return rs;
    });
    RolloutFixtures.replicaSet(client, d, 3, 0, 0);
    client.apps().deployments().inNamespace("shop").withName("cart").edit(x -> {
      x.getSpec().setTemplate(RolloutFixtures.template("cart", 3));
      return x;
    });
    ActionResult r = executor.execute(new Action.RollBack("cart", "4", "2"), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(image(cart())).isEqualTo(RolloutFixtures.image("cart", 4));
  }

  @Test
  void aPausedDeploymentIsRefused() {
    RolloutFixtures.cart(client);
    client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
      d.getSpec().setPaused(true);
      return d;
    });
    int before = api.effects(CART);
    ActionResult r = executor.execute(new Action.RollBack("cart", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("deployment shop/cart is paused").contains("kubectl rollout resume");
    assertThat(api.effects(CART)).isEqualTo(before);
  }

  @Test
  void anArgoCdManagedDeploymentIsRefusedNamingTheApplication() {
    Deployment d = RolloutFixtures.cart(client);
    client.apps().deployments().inNamespace("shop").withName("cart").edit(x -> {
      x.getMetadata().getAnnotations().put(GitOps.ARGO_TRACKING_ID, "shop-apps:apps/Deployment:shop/cart");
      return x;
    });
    int before = api.effects(CART);
    ActionResult r = executor.execute(new Action.RollBack("cart", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("managed by Argo CD (Application shop-apps)").contains("through Git");
    assertThat(api.effects(CART)).isEqualTo(before);
    assertThat(image(cart())).isEqualTo(RolloutFixtures.image("cart", 3));
    assertThat(executor.reconcile("k1")).isEmpty();
  }

  @Test
  void aFluxManagedDeploymentIsRefusedNamingTheKustomization() {
    Deployment d = RolloutFixtures.cart(client);
    label(d, "kustomize.toolkit.fluxcd.io/name", "apps");
    label(d, "kustomize.toolkit.fluxcd.io/namespace", "flux-system");
    int before = api.effects(CART);
    ActionResult r = executor.execute(new Action.RollBack("cart", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("managed by Flux (Kustomization flux-system/apps)").contains("through Git");
    assertThat(api.effects(CART)).isEqualTo(before);
  }

  @Test
  void aNamespaceOutsideThePolicyIsRefused() {
    RolloutFixtures.deployment(client, "payments", "ledger", 2, 1);
    KubernetesRollbackExecutor wide = KubernetesRollbackExecutor.builder(client)
        .setNamespaces(NamespacePolicy.allowing(Set.of("shop", "kube-system"))).build();
    RolloutFixtures.deployment(client, "kube-system", "coredns", 2, 1);
    int before = api.effects("/apis/apps/v1/namespaces/kube-system");
    ActionResult r = wide.execute(new Action.RollBack("coredns", "2", "1"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("kube-system is a control-plane namespace");
    assertThat(executor.execute(new Action.RollBack("ledger", "2", "1"), context("k2", 1)).status())
        .as("payments is not searched at all").isEqualTo(ActionResult.Status.FAILED);
    assertThat(api.effects("/apis/apps/v1/namespaces/kube-system")).isEqualTo(before);
  }

  @Test
  void aKeyDeliveredTwiceRollsBackOnceAndReconcileFindsIt() {
    RolloutFixtures.cart(client);
    Action rollBack = new Action.RollBack("cart", "3", "2");
    executor.execute(rollBack, context("k1", 1));
    ActionResult again = executor.execute(rollBack, context("k1", 1));
    assertThat(again.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("already applied");
    assertThat(api.effects(CART)).isEqualTo(1);
    assertThat(KubernetesRollbackExecutor.builder(client).setNamespaces(NamespacePolicy.allowing(Set.of("shop")))
        .build().reconcile("k1")).hasValueSatisfying(r -> assertThat(r.message()).contains("deployment shop/cart"));
  }

  @Test
  void aLowerFencingTokenThanTheRecordedOneIsRefused() {
    RolloutFixtures.cart(client);
    executor.execute(new Action.RollBack("cart", "3", "2"), context("k1", 9));
    ActionResult stale = executor.execute(new Action.RollBack("cart", "3", "1"), context("k2", 8));
    assertThat(stale.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(stale.message()).contains("fencing token 8 is lower than 9");
    assertThat(image(cart())).isEqualTo(RolloutFixtures.image("cart", 2));
  }

  @Test
  void aConflictWithAnUnrelatedChangeIsReReadCheckedAndWrittenWithoutLosingIt() {
    RolloutFixtures.cart(client);
    api.beforeNextPut(CART, p -> {
      Deployment other = api.getDirectly(p, Deployment.class);
      other.getMetadata().getLabels().put("team", "checkout");
      api.putDirectly(p, other);
    });
    ActionResult r = executor.execute(new Action.RollBack("cart", "3", "2"), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).startsWith("re-read after a conflict (HTTP 409)");
    assertThat(image(cart())).isEqualTo(RolloutFixtures.image("cart", 2));
    assertThat(cart().getMetadata().getLabels()).containsEntry("team", "checkout");
  }

  @Test
  void aConflictWithTheSameRollbackByAnotherWriterStandsDown() {
    RolloutFixtures.cart(client);
    api.beforeNextPut(CART, p -> {  // another agent rolled back to 2 first
      Deployment other = api.getDirectly(p, Deployment.class);
      other.getSpec().setTemplate(RolloutFixtures.template("cart", 2));
      ChangeMarks.mark(other, new ExecutionContext("INC-0041", "other-agent-key", 1, false), "rollback:cart");
      api.putDirectly(p, other);
    });
    ActionResult r = executor.execute(new Action.RollBack("cart", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("stood down").contains("already runs the pod template of revision 2")
        .contains("other-agent-key").contains("nothing written");
    assertThat(api.effects(CART)).as("only the other writer's change landed").isZero();
    assertThat(cart().getMetadata().getAnnotations()).containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "other-agent-key");
    assertThat(executor.reconcile("k1")).isEmpty();
  }

  @Test
  void aConflictWithARollForwardStandsDownOnTheStalePlan() {
    Deployment d = RolloutFixtures.cart(client);
    RolloutFixtures.replicaSet(client, d, 4, 0, 0);
    api.beforeNextPut(CART, p -> {
      Deployment other = api.getDirectly(p, Deployment.class);
      other.getSpec().setTemplate(RolloutFixtures.template("cart", 4));
      other.getMetadata().getAnnotations().put(ReplicaSets.REVISION, "4");
      api.putDirectly(p, other);
    });
    ActionResult r = executor.execute(new Action.RollBack("cart", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("is at revision 4, the plan expected 3");
    assertThat(image(cart())).isEqualTo(RolloutFixtures.image("cart", 4));
  }

  @Nested
  class Contract extends ActionExecutorContract {
    private ApiServer server;

    @Override
    protected ActionExecutor create() {
      if (server != null) {
        server.close();
      }
      server = new ApiServer();
      RolloutFixtures.cart(server.client);
      return KubernetesRollbackExecutor.builder(server.client)
          .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).build();
    }

    @Override
    protected Action action() {
      return new Action.RollBack("cart", "3", "2");
    }

    @Override
    protected int effects() {
      return server.effects(CART);
    }

    @Override
    protected Action failingAction() {
      return new Action.RollBack("cart", "3", "9");
    }

    @AfterEach
    void stop() {
      server.close();
      server = null;
    }
  }
}
