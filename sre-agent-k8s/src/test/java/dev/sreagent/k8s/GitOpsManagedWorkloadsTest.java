package dev.sreagent.k8s;

import static dev.sreagent.k8s.Fixtures.deploymentPath;
import static dev.sreagent.k8s.Fixtures.hpaPath;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scale executor refuses GitOps-managed objects it would change; the restart executor's evictions stay allowed. */
class GitOpsManagedWorkloadsTest {
  private static final String CART = deploymentPath("shop", "cart");
  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;
  private final NamespacePolicy shop = NamespacePolicy.allowing(Set.of("shop"));
  private final KubernetesScaleExecutor scale = KubernetesScaleExecutor.builder(client).setNamespaces(shop).build();

  @AfterEach
  void close() {
    api.close();
  }

  private static ExecutionContext context(String key) {
    return new ExecutionContext("INC-0009", key, 1, false);
  }

  private void argoManagedCart() {
    client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
      d.getMetadata().getAnnotations().put(GitOps.ARGO_TRACKING_ID, "shop-apps:apps/Deployment:shop/cart");
      return d;
    });
  }

  @Test
  void aDirectScaleOfAnArgoCdManagedWorkloadIsRefused() {
    Fixtures.deployment(client, "shop", "cart", 2);
    argoManagedCart();
    int before = api.effects(CART);
    ActionResult r = scale.execute(new Action.ScaleReplicas("cart", 2, 3), context("k1"));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("deployment shop/cart is managed by Argo CD (Application shop-apps)")
        .contains("a scale made directly").contains("through Git");
    assertThat(api.effects(CART)).isEqualTo(before);
    assertThat(client.apps().deployments().inNamespace("shop").withName("cart").get().getSpec().getReplicas())
        .isEqualTo(2);
  }

  @Test
  void aFluxManagedHpaIsRefused() {
    Fixtures.deployment(client, "shop", "cart", 2);
    Fixtures.hpa(client, "shop", "cart", 2, 10);
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop").withName("cart").edit(h -> {
      h.getMetadata().setLabels(java.util.Map.of("helm.toolkit.fluxcd.io/name", "cart",
          "helm.toolkit.fluxcd.io/namespace", "shop"));
      return h;
    });
    int before = api.effects(hpaPath("shop", "cart"));
    ActionResult r = scale.execute(new Action.ScaleReplicas("cart", 2, 4), context("k1"));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("horizontalpodautoscaler shop/cart is managed by Flux (HelmRelease shop/cart)");
    assertThat(api.effects(hpaPath("shop", "cart"))).isEqualTo(before);
    assertThat(api.effects(CART)).isZero();
  }

  @Test
  void anHpaNotManagedByGitOpsIsChangedEvenWhenItsWorkloadIs() {
    Fixtures.deployment(client, "shop", "cart", 2);
    argoManagedCart();
    Fixtures.hpa(client, "shop", "cart", 2, 10);
    ActionResult r = scale.execute(new Action.ScaleReplicas("cart", 2, 4), context("k1"));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop").withName("cart").get()
        .getSpec().getMinReplicas()).isEqualTo(4);
  }

  @Test
  void evictionsOfAnArgoCdManagedWorkloadsPodsStayAllowed() {
    Fixtures.deployment(client, "shop", "cart", 2);
    argoManagedCart();
    Fixtures.pod(client, "shop", "cart-a", "cart");
    KubernetesRestartExecutor restart = KubernetesRestartExecutor.builder(client).setNamespaces(shop).build();
    ActionResult r = restart.execute(new Action.RestartPods("cart", List.of("cart-a")), context("k1"));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(client.pods().inNamespace("shop").withName("cart-a").get()).isNull();
  }
}
