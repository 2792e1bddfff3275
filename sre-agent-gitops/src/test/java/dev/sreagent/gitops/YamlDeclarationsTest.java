package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which YAML forms declare an image, read without git. */
class YamlDeclarationsTest {
  static final String REPO = CartImages.REPO;
  static final ImageRollback CART = CartImages.CART;

  static List<Declaration> scan(String path, String text, ImageRollback target, String image) {
    YamlDeclarations.Scan s = YamlDeclarations.scan(path, text, target, ImageRef.parse(image));
    assertThat(s.problem()).isNull();
    return s.declarations();
  }

  @Test
  void kustomizeDigestAndNewNameOverrides() {
    String byDigest = "images:\n- name: cart\n  newName: " + REPO + "\n  digest: sha256:aaa\n";
    ImageRollback digests = new ImageRollback("shop", "cart", null, REPO + "@sha256:aaa", REPO + "@sha256:bbb");
    List<Declaration> found = scan("kustomization.yaml", byDigest, digests, digests.badImage());
    assertThat(found).singleElement().satisfies(d -> {
      assertThat(d.form()).isEqualTo(Declaration.Form.KUSTOMIZE_IMAGES);
      assertThat(d.locus()).isEqualTo("images[name=cart]");
      assertThat(d.values()).containsOnlyKeys("newName", "digest");
    });
    String byTag = "images:\n- name: cart\n  newName: " + REPO + "\n  newTag: 1.3.0\n";
    assertThat(scan("overlays/x/kustomization.yml", byTag, CART, CART.badImage())).hasSize(1);
    assertThat(scan("overlays/x/other.yaml", byTag, CART, CART.badImage())).isEmpty();  // not a kustomization
  }

  @Test
  void helmValuesVariants() {
    String values = """
        image:
          registry: registry.example.com
          repository: shop/cart
          tag: 1.3.0
        cart:
          image:
            tag: 1.3.0
        other:
          image:
            tag: 1.3.0
        sidecars:
          - name: cart
            image: "registry.example.com/shop/cart:1.3.0"
        """;
    List<Declaration> found = scan("values-prod.yaml", values, CART, CART.badImage());
    assertThat(found).extracting(Declaration::locus).containsExactly("image {registry, repository, tag}",
        "cart.image.tag (repository from the chart)", "sidecars[0].image");
    assertThat(found).allSatisfy(d -> assertThat(d.form()).isEqualTo(Declaration.Form.HELM_VALUES));
    String topLevelTagOnly = "image:\n  tag: \"1.3.0\"\n  pullPolicy: IfNotPresent\n";
    assertThat(scan("values.yaml", topLevelTagOnly, CART, CART.badImage())).singleElement()
        .satisfies(d -> assertThat(d.fields().get("tag").quote()).isEqualTo('"'));
  }

  @Test
  void manifestsMatchTheWorkloadNamespaceAndContainer() {
    String deployment = CartImages.manifest(CART.badImage());
    assertThat(scan("a.yaml", deployment, CART, CART.badImage())).singleElement()
        .satisfies(d -> assertThat(d.locus()).isEqualTo("Deployment cart: spec.template.spec.containers[name=cart]"
            + ".image"));
    assertThat(scan("a.yaml", deployment.replace("namespace: shop", "namespace: other"), CART, CART.badImage()))
        .isEmpty();
    assertThat(scan("a.yaml", deployment, new ImageRollback("shop", "web", null, CART.badImage(),
        CART.healthyImage()), CART.badImage())).isEmpty();
    assertThat(scan("a.yaml", deployment, new ImageRollback("shop", "cart", "envoy", CART.badImage(),
        CART.healthyImage()), CART.badImage())).isEmpty();
    String patch = "kind: StatefulSet\nmetadata:\n  name: cart\nspec:\n  template:\n    spec:\n      initContainers:\n"
        + "      - name: migrate\n        image: " + CART.badImage() + "\n";
    assertThat(scan("patches/cart.yaml", patch, CART, CART.badImage())).singleElement()
        .satisfies(d -> assertThat(d.form()).isEqualTo(Declaration.Form.MANIFEST));
  }

  @Test
  void dockerHubPrefixesAreTheSameImage() {
    ImageRollback nginx = new ImageRollback("web", "nginx", null, "nginx:1.27", "nginx:1.26");
    assertThat(scan("d.yaml", "kind: Deployment\nmetadata: {name: nginx}\nspec: {template: {spec: {containers: "
        + "[{name: n, image: docker.io/library/nginx:1.27}]}}}\n", nginx, nginx.badImage())).hasSize(1);
    assertThat(ImageRef.parse("localhost:5000/cart").tag()).isNull();
    assertThat(ImageRef.parse("cart").sameImage(ImageRef.parse("cart:1.2"))).isFalse();
  }

  @Test
  void chartTemplatesAndChartMetadataAreNotRead() {
    assertThat(YamlDeclarations.candidate("charts/cart/templates/deployment.yaml")).isFalse();
    assertThat(YamlDeclarations.candidate("charts/cart/Chart.yaml")).isFalse();
    assertThat(YamlDeclarations.candidate("README.md")).isFalse();
    assertThat(YamlDeclarations.candidate("overlays/prod/Kustomization")).isTrue();
    assertThat(YamlDeclarations.candidate("charts/cart/values.yaml")).isTrue();
  }

  @Test
  void invalidYamlIsReportedNotThrown() {
    YamlDeclarations.Scan s = YamlDeclarations.scan("broken.yaml", "a: [1, 2\nb: {", CART,
        ImageRef.parse(CART.badImage()));
    assertThat(s.problem()).startsWith("broken.yaml is not valid YAML");
  }

  @Test
  void offsetsCountCharactersBeyondTheBasicPlane() {
    String bad = "# 🚀 prod\nimage:\n  tag: 1.3.0 # 🚀\n";
    String healthy = "# 🚀 prod\nimage:\n  tag: 1.2.0 # 🚀\n";
    Declaration b = scan("values.yaml", bad, CART, CART.badImage()).get(0);
    Declaration h = scan("values.yaml", healthy, CART, CART.healthyImage()).get(0);
    ImageEdit.Result r = ImageEdit.restore(bad, b, healthy, h, CART, ImageRef.parse(CART.healthyImage()));
    assertThat(r.text()).isEqualTo(healthy);
  }

  @Test
  void aDeclarationWhoseKeysChangedIsNotRestoredByValues() {
    String bad = "images:\n- name: " + REPO + "\n  digest: sha256:aaa\n";
    String healthy = "images:\n- name: " + REPO + "\n  newTag: 1.2.0\n";
    ImageRollback mixed = new ImageRollback("shop", "cart", null, REPO + "@sha256:aaa", CART.healthyImage());
    Declaration b = scan("kustomization.yaml", bad, mixed, mixed.badImage()).get(0);
    Declaration h = scan("kustomization.yaml", healthy, mixed, mixed.healthyImage()).get(0);
    ImageEdit.Result r = ImageEdit.restore(bad, b, healthy, h, mixed, ImageRef.parse(mixed.healthyImage()));
    assertThat(r.text()).isNull();
    assertThat(r.refusal()).contains("[digest] now but with [newTag] at the healthy commit");
  }

  @Test
  void blockScalarsAreNotEditedInPlace() {
    String bad = "image: >-\n  " + CART.badImage() + "\n";
    String healthy = "image: " + CART.healthyImage() + "\n";
    Declaration b = scan("values.yaml", bad, CART, CART.badImage()).get(0);
    Declaration h = scan("values.yaml", healthy, CART, CART.healthyImage()).get(0);
    assertThat(ImageEdit.restore(bad, b, healthy, h, CART, ImageRef.parse(CART.healthyImage())).refusal())
        .contains("cannot be replaced in place");
  }
}
