package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  static final String SMP_PATCH = """
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources:
        - ../../base
      patches:
        - path: replicas.yaml
        - patch: |-
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: cart
            spec:
              template:
                spec:
                  containers:
                    - name: cart
                      # pinned by the release pipeline
                      image: %s   # cart
      """;

  static String restored(String bad, String healthy, ImageRollback target) {
    Declaration b = scan("overlays/prod/kustomization.yaml", bad, target, target.badImage()).get(0);
    Declaration h = scan("overlays/prod/kustomization.yaml", healthy, target, target.healthyImage()).get(0);
    ImageEdit.Result r = ImageEdit.restore(bad, b, healthy, h, target, ImageRef.parse(target.healthyImage()));
    assertThat(r.refusal()).isNull();
    assertThat(r.changedLines()).containsExactly(b.fields().get("image").line());
    return r.text();
  }

  @Test
  void anInlineStrategicMergePatchIsLocatedAndEditedInPlace() {
    String bad = SMP_PATCH.formatted(CART.badImage());
    String healthy = SMP_PATCH.formatted(CART.healthyImage());
    assertThat(scan("overlays/prod/kustomization.yaml", bad, CART, CART.badImage())).singleElement().satisfies(d -> {
      assertThat(d.form()).isEqualTo(Declaration.Form.KUSTOMIZE_PATCH);
      assertThat(d.locus()).isEqualTo("patches[1].patch: Deployment cart: spec.template.spec.containers[name=cart]"
          + ".image");
      assertThat(d.fields().get("image").line()).isEqualTo(18);
      assertThat(d.describe()).contains("Kustomize inline patch");
    });
    assertThat(restored(bad, healthy, CART)).isEqualTo(healthy);
    // another workload, or another container, is not this patch's
    assertThat(scan("kustomization.yaml", bad, new ImageRollback("shop", "web", null, CART.badImage(),
        CART.healthyImage()), CART.badImage())).isEmpty();
    assertThat(scan("kustomization.yaml", bad, new ImageRollback("shop", "cart", "envoy", CART.badImage(),
        CART.healthyImage()), CART.badImage())).isEmpty();
    // the same text outside a Kustomization is a Helm values file's string, not a patch
    assertThat(scan("values.yaml", "patch: |-\n  kind: Deployment\n  metadata: {name: cart}\n  spec: {template:"
        + " {spec: {containers: [{name: cart, image: " + CART.badImage() + "}]}}}\n", CART, CART.badImage())).isEmpty();
  }

  static final String JSON6902 = """
      kind: Kustomization
      patches:
      - target:
          group: apps
          version: v1
          kind: Deployment
          name: %s
        patch: |
          - op: add
            path: /metadata/labels/tier
            value: backend
          - op: replace
            path: /spec/template/spec/containers/0/image
            value: "%s"
      """;

  @Test
  void aJson6902PatchOfTheWorkloadsContainerImageIsLocatedAndEditedInPlace() {
    String bad = JSON6902.formatted("cart", CART.badImage());
    String healthy = JSON6902.formatted("cart", CART.healthyImage());
    assertThat(scan("kustomization.yaml", bad, CART, CART.badImage())).singleElement().satisfies(d -> {
      assertThat(d.locus()).isEqualTo("patches[0].patch: JSON 6902 replace of Deployment cart"
          + " /spec/template/spec/containers/0/image");
      assertThat(d.fields().get("image").quote()).isEqualTo('"');
      assertThat(d.fields().get("image").line()).isEqualTo(14);
    });
    assertThat(restored(bad, healthy, CART)).isEqualTo(healthy);
    assertThat(scan("kustomization.yaml", JSON6902.formatted("web", CART.badImage()), CART, CART.badImage()))
        .isEmpty();
    assertThat(scan("kustomization.yaml", bad.replace("containers/0/image", "containers/0/args"), CART,
        CART.badImage())).isEmpty();
  }

  @Test
  void inlinePatchesStrategicMergeEntriesAreReadAndFileEntriesLeftToTheirFiles() {
    String text = """
        kind: Kustomization
        patchesStrategicMerge:
        - cart-resources.yaml
        - |-
          apiVersion: apps/v1
          kind: StatefulSet
          metadata:
            name: cart
            namespace: shop
          spec:
            template:
              spec:
                initContainers:
                - name: migrate
                  image: '%s'
        """;
    String bad = text.formatted(CART.badImage());
    assertThat(scan("kustomization.yaml", bad, CART, CART.badImage())).singleElement().satisfies(d ->
        assertThat(d.locus()).isEqualTo("patchesStrategicMerge[1]: StatefulSet cart: spec.template.spec"
            + ".initContainers[name=migrate].image"));
    assertThat(restored(bad, text.formatted(CART.healthyImage()), CART)).isEqualTo(text.formatted(
        CART.healthyImage()));
  }

  @Test
  void aPatchAndAnImagesOverrideOfTheSameImageAreAConflictNamingBoth() {
    String both = SMP_PATCH.formatted(CART.badImage()) + "images:\n  - name: " + REPO + "\n    newTag: 1.4.0\n";
    YamlDeclarations.Scan s = YamlDeclarations.scan("overlays/prod/kustomization.yaml", both, CART,
        ImageRef.parse(CART.badImage()));
    assertThat(s.declarations()).hasSize(1);
    assertThat(s.conflicts()).singleElement().asString().contains(
        "overlays/prod/kustomization.yaml (Kustomize inline patch, patches[1].patch: Deployment cart", "line 18",
        "overridden by the images entry name=" + REPO + " on line 20", "the agent does not edit either");
    String otherImage = SMP_PATCH.formatted(CART.badImage()) + "images:\n  - name: registry.example.com/shop/web\n"
        + "    newTag: 4.2.0\n";
    assertThat(YamlDeclarations.scan("kustomization.yaml", otherImage, CART, ImageRef.parse(CART.badImage()))
        .conflicts()).isEmpty();
  }

  @Test
  void aFoldedPatchIsFoundButNotEditedInPlace() {
    String bad = "kind: Kustomization\npatches:\n- target: {kind: Deployment, name: cart}\n  patch: >\n"
        + "    [{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/image\", \"value\": \""
        + CART.badImage() + "\"}]\n";
    String healthy = bad.replace(CART.badImage(), CART.healthyImage());
    Declaration b = scan("kustomization.yaml", bad, CART, CART.badImage()).get(0);
    Declaration h = scan("kustomization.yaml", healthy, CART, CART.healthyImage()).get(0);
    assertThat(b.fields().get("image").editable()).isFalse();
    assertThat(ImageEdit.restore(bad, b, healthy, h, CART, ImageRef.parse(CART.healthyImage())).refusal())
        .contains("cannot be replaced in place");
  }

  static final String OPS_FILE = """
      # bumped by the release pipeline
      - op: replace
        path: /spec/template/spec/containers/0/image
        value: %s
      """;

  static YamlDeclarations.Scan scanWithFiles(String kustomization, Map<String, String> files, String image) {
    return YamlDeclarations.scan("overlays/prod/kustomization.yaml", kustomization, CART, ImageRef.parse(image),
        p -> Optional.ofNullable(files.get(p)));
  }

  @Test
  void aJson6902PatchFileIsReadThroughTheKustomizationEntryThatTargetsIt() {
    String patches = "kind: Kustomization\npatches:\n- path: cart-image.yaml\n  target:\n    kind: Deployment\n"
        + "    name: cart\n";
    String legacy = "kind: Kustomization\npatchesJson6902:\n- target: {group: apps, version: v1, kind: Deployment,"
        + " name: cart}\n  path: ../../patches/cart-image.yaml\n";
    String bad = OPS_FILE.formatted(CART.badImage());
    String healthy = OPS_FILE.formatted(CART.healthyImage());
    Map<String, String> files = Map.of("overlays/prod/cart-image.yaml", bad, "patches/cart-image.yaml", bad);

    Declaration d = scanWithFiles(patches, files, CART.badImage()).declarations().get(0);
    assertThat(scanWithFiles(patches, files, CART.badImage()).declarations()).hasSize(1);
    assertThat(d.path()).isEqualTo("overlays/prod/cart-image.yaml");
    assertThat(d.form()).isEqualTo(Declaration.Form.KUSTOMIZE_PATCH_FILE);
    assertThat(d.locus()).isEqualTo("overlays/prod/kustomization.yaml patches[0] (path: cart-image.yaml): JSON 6902"
        + " replace of Deployment cart /spec/template/spec/containers/0/image");
    assertThat(d.fields().get("image").line()).isEqualTo(4);
    assertThat(scanWithFiles(legacy, files, CART.badImage()).declarations()).singleElement()
        .satisfies(l -> assertThat(l.path()).isEqualTo("patches/cart-image.yaml"));

    // the file alone says nothing (its target is in the Kustomization); read again with the target, it does
    assertThat(scan("overlays/prod/cart-image.yaml", bad, CART, CART.badImage())).isEmpty();
    Declaration h = YamlDeclarations.rescan(d, healthy, CART, ImageRef.parse(CART.healthyImage())).declarations()
        .get(0);
    assertThat(h.locus()).isEqualTo(d.locus());
    ImageEdit.Result r = ImageEdit.restore(bad, d, healthy, h, CART, ImageRef.parse(CART.healthyImage()));
    assertThat(r.refusal()).isNull();
    assertThat(r.text()).isEqualTo(healthy);
    assertThat(r.changedLines()).containsExactly(4);

    // another target, a path that leaves the repository, a file not given, a strategic-merge file: not read here
    assertThat(scanWithFiles(patches.replace("name: cart", "name: web"), files, CART.badImage()).declarations())
        .isEmpty();
    assertThat(scanWithFiles(legacy.replace("../../patches", "../../../x"), Map.of("../x/cart-image.yaml", bad),
        CART.badImage()).declarations()).isEmpty();
    assertThat(scanWithFiles(patches, Map.of(), CART.badImage()).declarations()).isEmpty();
    String smp = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cart}\nspec: {template: {spec:"
        + " {containers: [{name: cart, image: " + CART.badImage() + "}]}}}\n";
    assertThat(scanWithFiles(patches, Map.of("overlays/prod/cart-image.yaml", smp), CART.badImage()).declarations())
        .isEmpty();
  }

  @Test
  void aJson6902PatchFileTheImagesOverrideAlsoSetsIsAConflict() {
    String both = "kind: Kustomization\npatches:\n- path: cart-image.yaml\n  target: {kind: Deployment, name: cart}\n"
        + "images:\n- name: " + REPO + "\n  newTag: 1.4.0\n";
    YamlDeclarations.Scan s = scanWithFiles(both, Map.of("overlays/prod/cart-image.yaml",
        OPS_FILE.formatted(CART.badImage())), CART.badImage());
    assertThat(s.conflicts()).singleElement().asString().contains("overlays/prod/cart-image.yaml (Kustomize JSON 6902"
        + " patch file", "overridden by the images entry name=" + REPO);
  }
}
