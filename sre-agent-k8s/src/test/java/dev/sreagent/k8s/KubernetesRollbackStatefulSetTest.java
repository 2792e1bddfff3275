package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.testkit.contract.ActionExecutorContract;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link KubernetesRollbackExecutor} on a StatefulSet: the template of a ControllerRevision restored, with the same
 * guards as for a Deployment ({@link KubernetesRollbackExecutorTest}).
 */
class KubernetesRollbackStatefulSetTest {
  private static final String DB = StatefulSetFixtures.path("shop", "orders-db");
  private static final String REVISIONS = "/apis/apps/v1/namespaces/shop/controllerrevisions";
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

  private StatefulSet db() {
    return client.apps().statefulSets().inNamespace("shop").withName("orders-db").get();
  }

  private static String image(StatefulSet s) {
    return s.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private void edit(UnaryOperator<StatefulSet> change) {
    client.apps().statefulSets().inNamespace("shop").withName("orders-db").edit(change);
  }

  private ControllerRevision revision(long number) {
    return client.apps().controllerRevisions().inNamespace("shop").list().getItems().stream()
        .filter(cr -> cr.getRevision() == number).findFirst().orElseThrow();
  }

  @Test
  void theTemplateOfTheTargetRevisionIsRestoredExactlyAndTheChangeIsMarked() {
    StatefulSetFixtures.ordersDb(client, 3);
    int revisionWrites = api.effects(REVISIONS);
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 5));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).contains("rolled back statefulset shop/orders-db from revision 3 to revision 2")
        .contains("controllerrevision shop/" + StatefulSetFixtures.revisionName("orders-db", 2))
        .contains(RolloutFixtures.image("orders-db", 2)).contains("the StatefulSet controller replaces the pods")
        .doesNotContain("partition").doesNotContain("ready");
    StatefulSet after = db();
    assertThat(after.getSpec().getTemplate()).isEqualTo(RolloutFixtures.template("orders-db", 2))
        .isEqualTo(ControllerRevisions.template(revision(2), client.getKubernetesSerialization()).orElseThrow());
    assertThat(after.getMetadata().getAnnotations()).containsEntry(ChangeMarks.INCIDENT, "INC-0042")
        .containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "k1").containsEntry(ChangeMarks.FENCING_TOKEN, "5")
        .hasEntrySatisfying(KubernetesRollbackExecutor.CHANGE_CAUSE, v -> assertThat(v)
            .contains("rollback from revision 3 to revision 2").contains("INC-0042"));
    assertThat(after.getSpec().getReplicas()).isEqualTo(3);
    assertThat(after.getSpec().getTemplate().getMetadata().getAdditionalProperties())
        .as("no patch directive leaks into the object").doesNotContainKey(ControllerRevisions.PATCH_DIRECTIVE);
    assertThat(api.writes(DB)).singleElement().satisfies(e -> assertThat(e.method()).isEqualTo("PUT"));
    assertThat(api.effects(REVISIONS)).as("the history is the controller's to write").isEqualTo(revisionWrites);
  }

  @Test
  void theTemplateStoredInTheFormTheApiServerServesIsRestored() {
    // a StatefulSet and its ControllerRevision as a cluster serves them (kubectl get -o json): the revision's data is
    // the controller's patch, with the "$patch": "replace" directive and the null creationTimestamp Go writes
    String template = "{\"metadata\":{\"creationTimestamp\":null,\"labels\":{\"app\":\"orders-db\"}},\"spec\":"
        + "{\"containers\":[{\"image\":\"registry.example/orders-db:%s\",\"imagePullPolicy\":\"IfNotPresent\","
        + "\"name\":\"orders-db\",\"resources\":{},\"terminationMessagePath\":\"/dev/termination-log\","
        + "\"terminationMessagePolicy\":\"File\"}],\"dnsPolicy\":\"ClusterFirst\",\"restartPolicy\":\"Always\","
        + "\"schedulerName\":\"default-scheduler\",\"securityContext\":{},\"terminationGracePeriodSeconds\":30}%s}";
    StatefulSet s = client.apps().statefulSets().inNamespace("shop").resource(client.getKubernetesSerialization()
        .unmarshal("{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"orders-db\","
            + "\"namespace\":\"shop\"},\"spec\":{\"replicas\":1,\"serviceName\":\"orders-db\",\"selector\":"
            + "{\"matchLabels\":{\"app\":\"orders-db\"}},\"template\":" + String.format(template, "1.1", "")
            + ",\"updateStrategy\":{\"rollingUpdate\":{\"partition\":0},\"type\":\"RollingUpdate\"},"
            + "\"podManagementPolicy\":\"OrderedReady\",\"revisionHistoryLimit\":10},\"status\":{\"replicas\":1,"
            + "\"readyReplicas\":1,\"currentRevision\":\"orders-db-6b8f7c9d5\",\"updateRevision\":"
            + "\"orders-db-6b8f7c9d5\",\"observedGeneration\":2}}", StatefulSet.class)).create();
    String owner = ",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"name\":\"orders-db\","
        + "\"uid\":\"" + s.getMetadata().getUid() + "\",\"controller\":true,\"blockOwnerDeletion\":true}]";
    for (String[] rev : new String[][] {{"orders-db-59d4b8c7f6", "1", "1.0"}, {"orders-db-6b8f7c9d5", "2", "1.1"}}) {
      client.apps().controllerRevisions().inNamespace("shop").resource(client.getKubernetesSerialization()
          .unmarshal("{\"apiVersion\":\"apps/v1\",\"kind\":\"ControllerRevision\",\"metadata\":{\"name\":\""
              + rev[0] + "\",\"namespace\":\"shop\",\"labels\":{\"app\":\"orders-db\",\"controller.kubernetes.io/"
              + "hash\":\"" + rev[0].substring(10) + "\"}" + owner + "},\"data\":{\"spec\":{\"template\":"
              + String.format(template, rev[2], ",\"$patch\":\"replace\"") + "}},\"revision\":" + rev[1] + "}",
              ControllerRevision.class)).create();
    }
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "2", "1"), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(db().getSpec().getTemplate()).isEqualTo(client.getKubernetesSerialization()
        .unmarshal(String.format(template, "1.0", ""), PodTemplateSpec.class));
  }

  @Test
  void aDryRunIsTheServersAndChangesNoResourceVersion() {
    StatefulSetFixtures.ordersDb(client, 3);
    String before = db().getMetadata().getResourceVersion();
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"),
        new ExecutionContext("INC-0042", "dry", 1, true));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(r.message()).contains("server-side dry run accepted: roll back statefulset shop/orders-db");
    assertThat(db().getMetadata().getResourceVersion()).isEqualTo(before);
    assertThat(image(db())).isEqualTo(RolloutFixtures.image("orders-db", 3));
    assertThat(api.writes(DB)).singleElement().satisfies(e -> assertThat(e.path()).contains("dryRun=All"));
    assertThat(api.effects(DB)).isZero();
  }

  @Test
  void aKeyDeliveredTwiceRollsBackOnceAndReconcileFindsIt() {
    StatefulSetFixtures.ordersDb(client, 3);
    Action rollBack = new Action.RollBack("orders-db", "3", "2");
    executor.execute(rollBack, context("k1", 1));
    ActionResult again = executor.execute(rollBack, context("k1", 1));
    assertThat(again.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("already applied").contains("statefulset shop/orders-db");
    assertThat(api.effects(DB)).isEqualTo(1);
    assertThat(executor.reconcile("k1")).hasValueSatisfying(r -> assertThat(r.message())
        .contains("statefulset shop/orders-db"));
  }

  @Test
  void aLowerFencingTokenThanTheRecordedOneIsRefused() {
    StatefulSetFixtures.ordersDb(client, 3);
    executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 9));
    ActionResult stale = executor.execute(new Action.RollBack("orders-db", "3", "1"), context("k2", 8));
    assertThat(stale.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(stale.message()).contains("fencing token 8 is lower than 9").contains("statefulset shop/orders-db");
    assertThat(image(db())).isEqualTo(RolloutFixtures.image("orders-db", 2));
    assertThat(api.effects(DB)).isEqualTo(1);
  }

  @Test
  void aStalePlanIsNotCarriedOut() {
    StatefulSetFixtures.ordersDb(client, 3);
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "2", "1"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("statefulset shop/orders-db is at revision 3, the plan expected 2")
        .contains("nothing written");
    assertThat(api.effects(DB)).isZero();
  }

  @Test
  void aRevisionThatIsNotInTheHistoryIsNamedWithTheHistory() {
    StatefulSetFixtures.ordersDb(client, 3);
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "9"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("revision 9 of statefulset shop/orders-db not found")
        .contains("the ControllerRevisions it owns are revisions [1, 2, 3]").contains("revisionHistoryLimit");
    assertThat(api.effects(DB)).isZero();
  }

  @Test
  void aRevisionOfAnotherStatefulSetIsNotATarget() {
    StatefulSetFixtures.ordersDb(client, 3);
    StatefulSet cache = StatefulSetFixtures.statefulSet(client, "shop", "cache", 5, 1, 1);
    StatefulSetFixtures.controllerRevision(client, cache, 5);
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "5"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("revision 5 of statefulset shop/orders-db not found")
        .contains("revisions [1, 2, 3]");
    assertThat(image(db())).isEqualTo(RolloutFixtures.image("orders-db", 3));
  }

  @Test
  void aRevisionRenumberedByAnEarlierRollbackIsFoundByItsNewNumberOnly() {
    // revisions 1, 2, 3, then a rollback to 2: the controller reuses 2's ControllerRevision as 4
    StatefulSet s = StatefulSetFixtures.statefulSet(client, "shop", "orders-db", 2, 3, 3);
    StatefulSetFixtures.controllerRevision(client, s, 1);
    ControllerRevision two = StatefulSetFixtures.controllerRevision(client, s, 2);
    StatefulSetFixtures.controllerRevision(client, s, 3);
    client.apps().controllerRevisions().inNamespace("shop").withName(two.getMetadata().getName()).edit(cr -> {
      cr.setRevision(4L);
      return cr;
    });
    ActionResult gone = executor.execute(new Action.RollBack("orders-db", "4", "2"), context("k1", 1));
    assertThat(gone.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(gone.message()).contains("revisions [1, 3, 4]").contains("a rollback renumbers");
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "4", "3"), context("k2", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(db().getSpec().getTemplate()).isEqualTo(RolloutFixtures.template("orders-db", 3));
  }

  @Test
  void aStatefulSetAlreadyAtTheTargetTemplateStandsDownWithoutWriting() {
    StatefulSetFixtures.ordersDb(client, 3);
    edit(s -> {  // another agent rolled it back to 2; the controller has not caught up yet
      s.getSpec().setTemplate(RolloutFixtures.template("orders-db", 2));
      ChangeMarks.mark(s, new ExecutionContext("INC-0041", "other-agent-key", 1, false), "rollback:orders-db");
      return s;
    });
    int before = api.effects(DB);
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("stood down: statefulset shop/orders-db already runs the pod template of"
        + " revision 2").contains("other-agent-key").contains("nothing written");
    assertThat(api.effects(DB)).isEqualTo(before);
    assertThat(executor.reconcile("k1")).isEmpty();
  }

  @Test
  void aTemplateTheControllerHasNotRecordedYetMeansTheCurrentRevisionIsUnknown() {
    StatefulSetFixtures.ordersDb(client, 3);
    edit(s -> {  // rolled forward by hand a moment ago: status.updateRevision still names revision 3
      s.getSpec().setTemplate(RolloutFixtures.template("orders-db", 4));
      return s;
    });
    int before = api.effects(DB);
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("is not the one of its status.updateRevision ("
        + StatefulSetFixtures.revisionName("orders-db", 3) + ", revision 3)").contains("nothing written");
    assertThat(api.effects(DB)).isEqualTo(before);
  }

  @Test
  void anOnDeleteStatefulSetIsRefusedWithTheWayToDoItByHand() {
    StatefulSetFixtures.ordersDb(client, 3);
    edit(s -> {
      s.getSpec().getUpdateStrategy().setType("OnDelete");
      return s;
    });
    int before = api.effects(DB);
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("statefulset shop/orders-db uses updateStrategy OnDelete")
        .contains("kubectl rollout undo statefulset/orders-db -n shop --to-revision=2");
    assertThat(api.effects(DB)).isEqualTo(before);
    assertThat(image(db())).isEqualTo(RolloutFixtures.image("orders-db", 3));
  }

  @Test
  void unreadyPodsAndAPartitionAreNamedInTheResult() {
    StatefulSetFixtures.ordersDb(client, 1);
    edit(s -> {
      s.getSpec().getUpdateStrategy().setRollingUpdate(
          new io.fabric8.kubernetes.api.model.apps.RollingUpdateStatefulSetStrategy(null, 1));
      return s;
    });
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).contains("pods with an ordinal below the partition 1")
        .contains("only 1 of 3 pods are ready").contains("restart the pods still on revision 3");
  }

  @Test
  void unreadyPodsOfAParallelStatefulSetNeedNoCaveat() {
    StatefulSetFixtures.ordersDb(client, 1);
    edit(s -> {
      s.getSpec().setPodManagementPolicy("Parallel");
      return s;
    });
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).doesNotContain("ready");
  }

  @Test
  void aRevisionWithoutATemplateInTheControllersFormIsNotGuessedAt() {
    StatefulSet s = StatefulSetFixtures.ordersDb(client, 3);
    client.apps().controllerRevisions().inNamespace("shop").withName(StatefulSetFixtures.revisionName("orders-db",
        2)).delete();
    ControllerRevision odd = StatefulSetFixtures.controllerRevision(client, s, 2);
    client.apps().controllerRevisions().inNamespace("shop").withName(odd.getMetadata().getName()).edit(cr -> {
      cr.setData(Map.of("template", Map.of("spec", Map.of())));
      return cr;
    });
    int before = api.effects(DB);
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("holds no pod template in the form the StatefulSet controller writes")
        .contains("nothing written");
    assertThat(api.effects(DB)).isEqualTo(before);
  }

  @Test
  void anArgoCdManagedStatefulSetIsRefusedNamingTheApplication() {
    StatefulSetFixtures.ordersDb(client, 3);
    edit(s -> {
      s.getMetadata().setAnnotations(Map.of(GitOps.ARGO_TRACKING_ID, "shop-db:apps/StatefulSet:shop/orders-db"));
      return s;
    });
    int before = api.effects(DB);
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("statefulset shop/orders-db is managed by Argo CD (Application shop-db)")
        .contains("through Git");
    assertThat(api.effects(DB)).isEqualTo(before);
    assertThat(executor.reconcile("k1")).isEmpty();
  }

  @Test
  void aFluxManagedStatefulSetIsRefusedNamingTheHelmRelease() {
    StatefulSetFixtures.ordersDb(client, 3);
    edit(s -> {
      s.getMetadata().getLabels().put("helm.toolkit.fluxcd.io/name", "orders");
      s.getMetadata().getLabels().put("helm.toolkit.fluxcd.io/namespace", "flux-system");
      return s;
    });
    int before = api.effects(DB);
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("managed by Flux (HelmRelease flux-system/orders)");
    assertThat(api.effects(DB)).isEqualTo(before);
  }

  @Test
  void aConflictWithAnUnrelatedChangeIsReReadCheckedAndWrittenWithoutLosingIt() {
    StatefulSetFixtures.ordersDb(client, 3);
    api.beforeNextPut(DB, p -> {
      StatefulSet other = api.getDirectly(p, StatefulSet.class);
      other.getMetadata().getLabels().put("team", "orders");
      api.putDirectly(p, other);
    });
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).startsWith("re-read after a conflict (HTTP 409)");
    assertThat(db().getSpec().getTemplate()).isEqualTo(RolloutFixtures.template("orders-db", 2));
    assertThat(db().getMetadata().getLabels()).containsEntry("team", "orders");
    assertThat(api.exchanges(DB)).filteredOn(e -> "PUT".equals(e.method())).extracting(ApiServer.Exchange::code)
        .containsExactly(409, 200);
  }

  @Test
  void aConflictWithTheSameRollbackByAnotherWriterStandsDown() {
    StatefulSetFixtures.ordersDb(client, 3);
    api.beforeNextPut(DB, p -> {
      StatefulSet other = api.getDirectly(p, StatefulSet.class);
      other.getSpec().setTemplate(RolloutFixtures.template("orders-db", 2));
      ChangeMarks.mark(other, new ExecutionContext("INC-0041", "other-agent-key", 1, false), "rollback:orders-db");
      api.putDirectly(p, other);
    });
    ActionResult r = executor.execute(new Action.RollBack("orders-db", "3", "2"), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).startsWith("re-read after a conflict (HTTP 409)").contains("stood down")
        .contains("other-agent-key").contains("nothing written");
    assertThat(api.effects(DB)).as("only the other writer's change landed").isZero();
    assertThat(executor.reconcile("k1")).isEmpty();
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
      StatefulSetFixtures.ordersDb(server.client, 3);
      return KubernetesRollbackExecutor.builder(server.client)
          .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).build();
    }

    @Override
    protected Action action() {
      return new Action.RollBack("orders-db", "3", "2");
    }

    @Override
    protected int effects() {
      return server.effects(DB);
    }

    @Override
    protected Action failingAction() {
      return new Action.RollBack("orders-db", "3", "9");
    }

    @AfterEach
    void stop() {
      server.close();
      server = null;
    }
  }
}
