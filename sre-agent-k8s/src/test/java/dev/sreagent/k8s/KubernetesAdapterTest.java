package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
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
