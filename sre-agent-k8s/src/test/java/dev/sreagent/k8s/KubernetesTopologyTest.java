package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Topology;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesTopologyTest {
  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;

  @AfterEach
  void close() {
    api.close();
  }

  private void shop() {
    Fixtures.deployment(client, "shop", "cart", 3);
    Fixtures.pod(client, "shop", "cart-a", "cart");
    Fixtures.pod(client, "shop", "cart-b", "cart");
    Fixtures.pod(client, "shop", "other-a", "other");
    Fixtures.hpa(client, "shop", "cart", 3, 12);
    client.policy().v1().podDisruptionBudget().inNamespace("shop").resource(new PodDisruptionBudgetBuilder()
        .withNewMetadata().withName("cart").withNamespace("shop").endMetadata().withNewSpec()
        .withMaxUnavailable(new IntOrString(1)).withNewSelector().addToMatchLabels("app", "cart").endSelector()
        .endSpec().build()).create();
    client.apps().statefulSets().inNamespace("shop").resource(new StatefulSetBuilder().withNewMetadata()
        .withName("db-0set").withNamespace("shop").addToLabels("app.kubernetes.io/name", "orders-db").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "db").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata().endTemplate().endSpec()
        .withNewStatus().withCurrentRevision("db-0set-7f9c").endStatus().build()).create();
    Fixtures.deployment(client, "elsewhere", "ignored", 1);
  }

  private static Topology await(KubernetesTopology topology, Predicate<Topology> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Topology t = topology.topology();
    while (!condition.test(t) && System.nanoTime() < deadline) {
      Thread.sleep(20);  // polling a condition with a bound, not timing an assertion
      t = topology.topology();
    }
    return t;
  }

  @Test
  void workloadsInTheNamespacesAreServicesWithReplicasBudgetsBoundsAndRevisions() {
    shop();
    try (KubernetesTopology topology = KubernetesTopology.builder(client).setNamespaces(Set.of("shop"))
        .setDefaultMaxReplicas(4).start()) {
      Topology t = topology.topology();
      assertThat(t.services()).containsOnlyKeys("cart", "orders-db");
      ServiceInfo cart = t.services().get("cart");
      assertThat(cart.namespace()).isEqualTo("shop");
      assertThat(cart.replicas()).isEqualTo(3);
      assertThat(cart.maxReplicas()).as("the HPA's maximum").isEqualTo(12);
      assertThat(cart.minAvailable()).as("3 replicas, maxUnavailable 1").isEqualTo(2);
      assertThat(cart.currentRevision()).isEqualTo("3");
      assertThat(cart.pods()).containsExactly("cart-a", "cart-b");
      ServiceInfo db = t.services().get("orders-db");
      assertThat(db.maxReplicas()).as("no HPA: the configured ceiling").isEqualTo(4);
      assertThat(db.currentRevision()).isEqualTo("db-0set-7f9c");
      assertThat(db.minAvailable()).isZero();
      assertThat(t.fleetSize()).isEqualTo(4);
    }
  }

  @Test
  void updatesArriveThroughTheWatch() throws Exception {
    shop();
    try (KubernetesTopology topology = KubernetesTopology.builder(client).setNamespaces(Set.of("shop")).start()) {
      client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
        d.getSpec().setReplicas(5);
        d.getMetadata().getAnnotations().put("deployment.kubernetes.io/revision", "4");
        return d;
      });
      Fixtures.deployment(client, "shop", "search", 2);
      Topology t = await(topology, x -> x.service("cart").map(s -> s.replicas() == 5).orElse(false)
          && x.service("search").isPresent());
      assertThat(t.services().get("cart").replicas()).isEqualTo(5);
      assertThat(t.services().get("cart").currentRevision()).isEqualTo("4");
      assertThat(t.services().get("search").replicas()).isEqualTo(2);
    }
  }

  @Test
  void oneNameInTwoNamespacesIsKeyedByNamespace() {
    Fixtures.deployment(client, "shop", "cart", 1);
    Fixtures.deployment(client, "staging", "cart", 1);
    try (KubernetesTopology topology = KubernetesTopology.builder(client).setNamespaces(Set.of("shop", "staging"))
        .start()) {
      assertThat(topology.topology().services()).containsOnlyKeys("shop/cart", "staging/cart");
    }
  }

  @Test
  void aFailedSyncNamesWhatDidNotSync() {
    api.forbid("/apis/policy/v1/namespaces/shop/poddisruptionbudgets");
    assertThatThrownBy(() -> KubernetesTopology.builder(client).setNamespaces(Set.of("shop"))
        .setSyncTimeout(Duration.ofSeconds(5)).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("poddisruptionbudgets in shop")
        .hasMessageNotContaining("deployments in shop");
  }
}
