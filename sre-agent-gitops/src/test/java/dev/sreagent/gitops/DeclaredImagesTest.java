package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeclaredImagesTest {
  static final List<String> KNOWN = List.of(CartImages.REPO + ":1.1.0", CartImages.HEALTHY, CartImages.BAD);

  @Test
  void findsTheOneKnownImageAManifestDeclaresForTheWorkload() {
    Map<String, String> tree = Map.of("apps/cart/cart.yaml", CartImages.manifest(CartImages.BAD),
        "README.md", "image: " + CartImages.HEALTHY + "\n");
    assertThat(DeclaredImages.find(tree, "shop", "cart", null, KNOWN)).containsExactly(CartImages.BAD);
    assertThat(DeclaredImages.find(tree, "shop", "web", null, KNOWN)).isEmpty();
    assertThat(DeclaredImages.find(tree, "other", "cart", null, KNOWN)).isEmpty();
  }

  @Test
  void readsKustomizeOverridesAndHelmValuesButNotChartTemplatesOrBrokenFiles() {
    Map<String, String> tree = Map.of(
        "overlays/prod/kustomization.yaml", "images:\n  - name: " + CartImages.REPO + "\n    newTag: \"1.2.0\"\n",
        "charts/cart/templates/deployment.yaml", "image: " + CartImages.BAD + "\n",
        "broken.yaml", "a: [\n");
    assertThat(DeclaredImages.find(tree, "shop", "cart", null, KNOWN)).containsExactly(CartImages.HEALTHY);
    Map<String, String> two = Map.of("envs/prod/values-cart.yaml", "image:\n  tag: 1.3.0\n",
        "envs/stage/values-cart.yaml", "image:\n  tag: 1.2.0\n");
    assertThat(DeclaredImages.find(two, "shop", "cart", null, KNOWN)).containsExactly(CartImages.HEALTHY,
        CartImages.BAD);
  }

  @Test
  void readsInlinePatchesUnlessTheImagesOverrideWins() {
    String patched = YamlDeclarationsTest.SMP_PATCH.formatted(CartImages.BAD);
    assertThat(DeclaredImages.find(Map.of("overlays/prod/kustomization.yaml", patched), "shop", "cart", null, KNOWN))
        .containsExactly(CartImages.BAD);
    String overridden = patched + "images:\n  - name: " + CartImages.REPO + "\n    newTag: 1.2.0\n";
    assertThat(DeclaredImages.find(Map.of("overlays/prod/kustomization.yaml", overridden), "shop", "cart", null,
        KNOWN)).containsExactly(CartImages.HEALTHY);
  }
}
