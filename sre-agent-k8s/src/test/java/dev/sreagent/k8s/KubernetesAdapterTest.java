package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.ActionExecutor;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class KubernetesAdapterTest {
  @Test
  void startsTheTopologyAndWiresTheEnabledExecutorsOnTheAllowedNamespacesOnly() {
    try (ApiServer api = new ApiServer()) {
      Fixtures.deployment(api.client, "shop", "cart", 2);
      Fixtures.pod(api.client, "shop", "cart-a", "cart", "node-1", "cart");
      Fixtures.deployment(api.client, "other", "ledger", 1);
      try (KubernetesAdapter k8s = KubernetesAdapter.builder(api.client).setNamespaces(Set.of("shop"))
          .setCheckPermissions(false).start()) {
        assertThat(k8s.topology().topology().services()).containsOnlyKeys("cart");
        assertThat(k8s.executors()).extracting(ActionExecutor::name).containsExactly("kubernetes-restart",
            "kubernetes-scale", "kubernetes-rollback", "kubernetes-truncate-logs", "kubernetes-renew-certificate");
        assertThat(k8s.describe()).isEqualTo("namespaces [shop], 1 service, executors restart, scale, rollback,"
            + " truncate-logs, renew-certificate");
        // the executors act through the adapter's own client, in the allowed namespaces only
        ActionResult scaled = k8s.executors().get(1).execute(new Action.ScaleReplicas("cart", 2, 3),
            new ExecutionContext("INC-1", "k1", 1, false));
        assertThat(scaled.status()).as(scaled.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
        assertThat(api.client.apps().deployments().inNamespace("shop").withName("cart").get().getSpec()
            .getReplicas()).isEqualTo(3);
        ActionResult elsewhere = k8s.executors().get(1).execute(new Action.ScaleReplicas("ledger", 1, 2),
            new ExecutionContext("INC-1", "k2", 1, false));
        assertThat(elsewhere.succeeded()).isFalse();
        assertThat(api.client.apps().deployments().inNamespace("other").withName("ledger").get().getSpec()
            .getReplicas()).isEqualTo(1);
      }
    }
  }

  /**
   * The topology and the change events read one set of informers: each resource is listed and watched once, the
   * change events see what the topology sees, and closing the change events (the agent stops its sources) leaves the
   * topology up to date and pushes no further signal.
   */
  @Test
  void theTopologyAndTheChangeEventsShareOneInformerPerResource() throws Exception {
    try (ApiServer api = new ApiServer()) {
      ClusterFixtures.workload(api.client, "shop", "cart");
      ClusterFixtures.pod(api.client, "shop", "cart-5d8f7c-a1", "cart", "node-1");
      List<Signal> signals = new CopyOnWriteArrayList<>();
      try (KubernetesAdapter k8s = KubernetesAdapter.builder(api.client).setNamespaces(Set.of("shop"))
          .setExecutors(Set.of()).setCheckPermissions(false).start()) {
        k8s.changeEvents().start(signals::add);
        for (String resource : List.of("/api/v1/namespaces/shop/pods", "/apis/apps/v1/namespaces/shop/deployments",
            "/apis/apps/v1/namespaces/shop/replicasets", "/apis/apps/v1/namespaces/shop/statefulsets",
            "/api/v1/namespaces/shop/events", "/api/v1/nodes")) {
          assertThat(api.exchanges(resource + "?")).as(resource).filteredOn(e -> "GET".equals(e.method()))
              .filteredOn(e -> !e.path().contains("watch=true")).hasSize(1);
          assertThat(api.exchanges(resource + "?")).as(resource).filteredOn(e -> e.path().contains("watch=true"))
              .hasSizeLessThanOrEqualTo(1);
        }
        ClusterFixtures.oomKilled(api.client, "shop", "cart-5d8f7c-a1", 1);
        await(() -> signals.stream().anyMatch(s -> s instanceof ChangeEvent c
            && ChangeEvent.OOM_KILLED.equals(c.kind())));
        assertThat(signals).anyMatch(s -> s instanceof ChangeEvent c && "cart".equals(c.service()));

        k8s.changeEvents().close();
        int pushed = signals.size();
        ClusterFixtures.workload(api.client, "shop", "search");
        await(() -> k8s.topology().topology().services().containsKey("search"));
        assertThat(k8s.topology().topology().services()).as("the informers run on").containsKey("search");
        ClusterFixtures.oomKilled(api.client, "shop", "cart-5d8f7c-a1", 2);
        Thread.sleep(300);  // a delivery would take a few ms; none may come after close
        assertThat(signals).hasSize(pushed);
      }
    }
  }

  /** Polls {@code condition} for at most 10 s (a bounded wait for informer delivery, not a timed assertion). */
  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void anObserveOnlyAdapterHasNoExecutorsAndNeedsNoWriteVerb() {
    try (ApiServer api = new ApiServer(); KubernetesAdapter k8s = KubernetesAdapter.builder(api.client)
        .setNamespaces(Set.of("shop")).setExecutors(Set.of()).setCheckPermissions(false).start()) {
      assertThat(k8s.executors()).isEmpty();
      assertThat(k8s.describe()).endsWith("no executors (observe only)");
      assertThat(k8s.requiredPermissions()).extracting(Permission::verb).containsOnly("list", "watch");
    }
  }

  @Test
  void missingPermissionsFailTheStartNamingEachBeforeAnyInformerStarts() {
    try (AccessReviewServer api = new AccessReviewServer()) {
      Permission exec = new Permission("create", "", "pods", "exec", "shop");
      Permission status = new Permission("update", "cert-manager.io", "certificates", "status", "shop");
      api.deny(exec);
      api.deny(status);
      assertThatThrownBy(() -> KubernetesAdapter.builder(api.client).setNamespaces(Set.of("shop")).start())
          .isInstanceOfSatisfying(MissingPermissionsException.class, e -> assertThat(e.missing())
              .containsExactlyInAnyOrder(exec, status))
          .hasMessageContaining("create pods/exec in shop").hasMessageContaining("update"
              + " cert-manager.io/certificates/status in shop");
      // without the two executors that need them, the same account passes
      assertThat(KubernetesAdapter.requiredPermissions(Set.of("shop"), EnumSet.of(KubernetesAdapter.ExecutorKind
          .RESTART, KubernetesAdapter.ExecutorKind.SCALE, KubernetesAdapter.ExecutorKind.ROLLBACK), true))
          .doesNotContain(exec, status);
    }
  }

  @Test
  void executorNamesAreParsedAndUnknownOnesNamed() {
    assertThat(KubernetesAdapter.ExecutorKind.of(" Truncate-Logs ")).isEqualTo(
        KubernetesAdapter.ExecutorKind.TRUNCATE_LOGS);
    assertThatThrownBy(() -> KubernetesAdapter.ExecutorKind.of("delete-pods"))
        .hasMessageContaining("'delete-pods'").hasMessageContaining("restart, scale, rollback, truncate-logs,"
            + " renew-certificate");
    try (ApiServer api = new ApiServer()) {
      assertThatThrownBy(() -> KubernetesAdapter.builder(api.client).start()).hasMessageContaining("setNamespaces");
    }
    assertThat(List.of(KubernetesAdapter.ExecutorKind.values())).hasSize(5);
  }
}
