package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesTopologyRevisionsTest {
  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;

  @AfterEach
  void close() {
    api.close();
  }

  private KubernetesTopology start() {
    return KubernetesTopology.builder(client).setNamespaces(Set.of("shop")).start();
  }

  private static ServiceInfo await(KubernetesTopology topology, Predicate<ServiceInfo> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    ServiceInfo cart = topology.topology().service("cart").orElseThrow();
    while (!condition.test(cart) && System.nanoTime() < deadline) {
      Thread.sleep(20);  // polling a condition with a bound, not timing an assertion
      cart = topology.topology().service("cart").orElseThrow();
    }
    return cart;
  }

  private static List<String> ids(ServiceInfo s) {
    return s.revisions().stream().map(Revision::id).toList();
  }

  private static List<Boolean> healthy(ServiceInfo s) {
    return s.revisions().stream().map(Revision::healthy).toList();
  }

  @Test
  void theReplicaSetsADeploymentOwnsAreItsHistoryAndOnlyTheRevisionSeenReadyIsHealthy() throws Exception {
    Deployment cart = RolloutFixtures.cart(client);
    Deployment other = RolloutFixtures.deployment(client, "shop", "search", 7, 1);
    RolloutFixtures.replicaSet(client, other, 7, 1, 1);  // another Deployment's history
    try (KubernetesTopology topology = start()) {
      ServiceInfo s = await(topology, x -> healthy(x).contains(true));
      assertThat(ids(s)).containsExactly("1", "2", "3");
      assertThat(s.currentRevision()).isEqualTo("3");
      assertThat(healthy(s)).as("1 and 2 ran before the topology started: unknown, so not healthy")
          .containsExactly(false, false, true);
      assertThat(s.lastHealthyRevisionBeforeCurrent()).isEmpty();
      assertThat(topology.rolloutHistory("shop", "cart")).extracting(RolloutRevision::images,
          RolloutRevision::health, RolloutRevision::current).containsExactly(
          org.assertj.core.groups.Tuple.tuple(List.of(RolloutFixtures.image("cart", 1)), RolloutRevision.Health.UNKNOWN,
              false),
          org.assertj.core.groups.Tuple.tuple(List.of(RolloutFixtures.image("cart", 2)), RolloutRevision.Health.UNKNOWN,
              false),
          org.assertj.core.groups.Tuple.tuple(List.of(RolloutFixtures.image("cart", 3)), RolloutRevision.Health.HEALTHY,
              true));
      assertThat(topology.rolloutHistory("shop", "cart").get(0).createdAt())
          .isEqualTo(ReplicaSets.createdAt(client.apps().replicaSets().inNamespace("shop").list().getItems().stream()
              .filter(rs -> ReplicaSets.ownedBy(rs, cart) && ReplicaSets.wasRevision(rs, "1")).findFirst()
              .orElseThrow())).isAfter(java.time.Instant.EPOCH);
      assertThat(topology.topology().service("search").orElseThrow().revisions()).extracting(Revision::id)
          .containsExactly("7");
    }
  }

  @Test
  void historyBeforeTheStartCanBeTrustedExplicitly() throws Exception {
    RolloutFixtures.cart(client);
    try (KubernetesTopology topology = KubernetesTopology.builder(client).setNamespaces(Set.of("shop"))
        .setHistoryBeforeStartHealthy(true).start()) {
      ServiceInfo s = await(topology, x -> healthy(x).equals(List.of(true, true, true)));
      assertThat(healthy(s)).containsExactly(true, true, true);
      assertThat(s.lastHealthyRevisionBeforeCurrent()).map(Revision::id).hasValue("2");
    }
  }

  @Test
  void aReplicaSetNotControlledByTheDeploymentsUidIsNotItsHistory() throws Exception {
    Deployment cart = RolloutFixtures.cart(client);
    Deployment impostor = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(cart).editMetadata()
        .withUid("uid-of-a-deleted-cart").endMetadata().build();
    RolloutFixtures.replicaSet(client, impostor, 9, 0, 0);
    try (KubernetesTopology topology = start()) {
      assertThat(ids(await(topology, x -> x.revisions().size() >= 3))).containsExactly("1", "2", "3");
    }
  }

  @Test
  void aRolloutIsFollowedAndEachRevisionIsJudgedByHowItWasWhenLastCurrent() throws Exception {
    Deployment cart = RolloutFixtures.cart(client);
    try (KubernetesTopology topology = start()) {
      await(topology, x -> healthy(x).contains(true));
      ReplicaSet four = RolloutFixtures.replicaSet(client, cart, 4, 3, 0);  // the new revision's pods are not ready yet
      client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
        d.getMetadata().getAnnotations().put(ReplicaSets.REVISION, "4");
        d.getSpec().setTemplate(RolloutFixtures.template("cart", 4));
        return d;
      });
      ServiceInfo s = await(topology, x -> x.currentRevision().equals("4") && x.revisions().size() == 4);
      assertThat(ids(s)).containsExactly("1", "2", "3", "4");
      assertThat(healthy(s)).as("3 was ready when 4 replaced it; 4 is not ready").containsExactly(false, false, true,
          false);
      assertThat(s.lastHealthyRevisionBeforeCurrent()).map(Revision::id).hasValue("3");

      RolloutFixtures.ready(client, four, 3);
      s = await(topology, x -> x.revision("4").map(Revision::healthy).orElse(false));
      assertThat(s.revision("4")).map(Revision::healthy).hasValue(true);

      RolloutFixtures.ready(client, four, 1);  // it degrades while still current
      s = await(topology, x -> !x.revision("4").map(Revision::healthy).orElse(true));
      assertThat(s.revision("4")).map(Revision::healthy).hasValue(false);
      assertThat(topology.rolloutHistory("shop", "cart").get(3).health())
          .isEqualTo(RolloutRevision.Health.UNHEALTHY);
    }
  }

  @Test
  void aRolloutPastItsProgressDeadlineIsUnhealthyEvenWithItsPodsReady() throws Exception {
    RolloutFixtures.cart(client);
    try (KubernetesTopology topology = start()) {
      await(topology, x -> healthy(x).contains(true));
      client.apps().deployments().inNamespace("shop").withName("cart").editStatus(d -> {
        d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().addNewCondition()
            .withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded").endCondition()
            .build());
        return d;
      });
      ServiceInfo s = await(topology, x -> !x.revision("3").map(Revision::healthy).orElse(true));
      assertThat(s.revision("3")).map(Revision::healthy).hasValue(false);
    }
  }

  /** Polls the topology for at most 10 s until {@code service} satisfies {@code condition}, then returns it. */
  private static ServiceInfo await(KubernetesTopology topology, String service, Predicate<ServiceInfo> condition)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    ServiceInfo s = topology.topology().service(service).orElse(null);
    while ((s == null || !condition.test(s)) && System.nanoTime() < deadline) {
      Thread.sleep(20);  // polling a condition with a bound, not timing an assertion
      s = topology.topology().service(service).orElse(null);
    }
    assertThat(s).as(service + " in the topology").isNotNull();
    return s;
  }

  @Test
  void aStatefulSetsControllerRevisionsAreItsHistoryAndABadRolloutLeavesTheLastHealthyOneToRollBackTo()
      throws Exception {
    StatefulSet db = StatefulSetFixtures.ordersDb(client, 3);  // revisions 1..3, running 3, all ready
    try (KubernetesTopology topology = start()) {
      ServiceInfo s = await(topology, "orders-db", x -> healthy(x).contains(true));
      assertThat(ids(s)).containsExactly("1", "2", "3");
      assertThat(s.currentRevision()).as("the number of status.updateRevision").isEqualTo("3");
      assertThat(healthy(s)).as("1 and 2 ran before the topology started").containsExactly(false, false, true);

      // a bad rollout: revision 4 is the template's, one pod updated and not ready
      StatefulSetFixtures.controllerRevision(client, db, 4);
      client.apps().statefulSets().inNamespace("shop").withName("orders-db").editStatus(x -> {
        x.getStatus().setUpdateRevision(StatefulSetFixtures.revisionName("orders-db", 4));
        x.getStatus().setReadyReplicas(2);
        return x;
      });
      s = await(topology, "orders-db", x -> x.currentRevision().equals("4") && x.revisions().size() == 4);
      assertThat(healthy(s)).containsExactly(false, false, true, false);
      assertThat(s.lastHealthyRevisionBeforeCurrent()).map(Revision::id).as("what the planner rolls back to")
          .hasValue("3");

      // a ControllerRevision of another StatefulSet is not this one's history
      StatefulSet other = StatefulSetFixtures.statefulSet(client, "shop", "ledger", 9, 1, 1);
      StatefulSetFixtures.controllerRevision(client, other, 9);
      assertThat(ids(await(topology, "ledger", x -> !x.revisions().isEmpty()))).containsExactly("9");
      assertThat(ids(topology.topology().service("orders-db").orElseThrow())).containsExactly("1", "2", "3", "4");
    }
  }
}
