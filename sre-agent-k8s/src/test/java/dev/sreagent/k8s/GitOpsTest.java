package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GitOpsTest {
  private static Deployment cart(Map<String, String> labels, Map<String, String> annotations) {
    return new DeploymentBuilder().withNewMetadata().withName("cart").withNamespace("shop").withLabels(labels)
        .withAnnotations(annotations).endMetadata().build();
  }

  private static String owner(Deployment d) {
    return GitOps.managerOf(d).map(GitOps.Manager::describe).orElse("none");
  }

  @Test
  void argoCdTrackingIdNamesTheApplication() {
    assertThat(owner(cart(Map.of(), Map.of(GitOps.ARGO_TRACKING_ID, "shop-apps:apps/Deployment:shop/cart"))))
        .isEqualTo("Argo CD (Application shop-apps)");
  }

  @Test
  void anApplicationOutsideArgoCdsNamespaceIsNamespaceSlashName() {
    assertThat(owner(cart(Map.of(), Map.of(GitOps.ARGO_TRACKING_ID, "team-a_cart:apps/Deployment:shop/cart"))))
        .isEqualTo("Argo CD (Application team-a/cart)");
  }

  @Test
  void argoCdsInstanceLabelNamesTheApplication() {
    assertThat(owner(cart(Map.of(GitOps.ARGO_INSTANCE, "cart-prod"), Map.of())))
        .isEqualTo("Argo CD (Application cart-prod)");
  }

  @Test
  void theCommonInstanceLabelAloneIsNotArgoCd() {
    assertThat(GitOps.managerOf(cart(Map.of(GitOps.INSTANCE, "my-helm-release",
        "app.kubernetes.io/managed-by", "Helm"), Map.of()))).isEmpty();
  }

  @Test
  void theCommonInstanceLabelWithAnArgoCdMarkerIsArgoCd() {
    assertThat(owner(cart(Map.of(GitOps.INSTANCE, "shop-apps"), Map.of("argocd.argoproj.io/sync-wave", "1"))))
        .isEqualTo("Argo CD (Application shop-apps)");
  }

  @Test
  void fluxKustomizationLabelsNameTheKustomization() {
    assertThat(owner(cart(Map.of("kustomize.toolkit.fluxcd.io/name", "apps",
        "kustomize.toolkit.fluxcd.io/namespace", "flux-system"), Map.of())))
        .isEqualTo("Flux (Kustomization flux-system/apps)");
  }

  @Test
  void fluxHelmReleaseLabelsNameTheHelmReleaseAndWinOverAKustomization() {
    assertThat(owner(cart(Map.of("helm.toolkit.fluxcd.io/name", "cart", "helm.toolkit.fluxcd.io/namespace", "shop",
        "kustomize.toolkit.fluxcd.io/name", "apps", "kustomize.toolkit.fluxcd.io/namespace", "flux-system"),
        Map.of()))).isEqualTo("Flux (HelmRelease shop/cart)");
  }

  @Test
  void anUnmarkedObjectHasNoManagerAndNoRefusal() {
    Deployment plain = cart(Map.of("app.kubernetes.io/name", "cart"), Map.of("deployment.kubernetes.io/revision", "3"));
    assertThat(GitOps.managerOf(plain)).isEmpty();
    assertThat(GitOps.refusal(plain, "a rollback")).isEmpty();
  }

  @Test
  void theRefusalNamesTheObjectTheOwnerAndGit() {
    Deployment d = new DeploymentBuilder(cart(Map.of(), Map.of(GitOps.ARGO_TRACKING_ID,
        "shop-apps:apps/Deployment:shop/cart"))).withKind("Deployment").build();
    assertThat(GitOps.refusal(d, "a rollback")).hasValueSatisfying(m -> assertThat(m)
        .contains("deployment shop/cart is managed by Argo CD (Application shop-apps)")
        .contains("a rollback made directly would be reverted").contains("through Git")
        .contains("issue #15").contains("nothing was changed"));
  }
}
