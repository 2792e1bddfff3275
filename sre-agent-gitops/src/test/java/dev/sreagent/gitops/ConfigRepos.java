package dev.sreagent.gitops;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Test support: config repositories with a history in the three layouts the executor reads, each with a healthy
 * deploy of {@code registry.example.com/shop/cart:1.2.0}, an unrelated change, and the bad deploy of {@code 1.3.0}.
 */
final class ConfigRepos {
  static final String REPO = "registry.example.com/shop/cart";
  static final String HEALTHY = REPO + ":1.2.0";
  static final String BAD = REPO + ":1.3.0";
  static final ImageRollback CART = new ImageRollback("shop", "cart", null, BAD, HEALTHY);

  static final String BASE_DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: cart
      spec:
        replicas: 2
        template:
          spec:
            containers:
              - name: cart
                image: registry.example.com/shop/cart:1.0.0
      """;

  /**
   * The history of one commit, so a test can name them.
   *
   * @param healthy the commit of the healthy deploy
   * @param unrelated a later commit that changes something else
   * @param bad the bad deploy, the head of main
   */
  record History(ObjectId healthy, ObjectId unrelated, ObjectId bad) {}

  private ConfigRepos() {}

  static String prodOverlay(String cartTag, String webTag) {
    return """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: shop
        resources:
          - ../../base
        # the images prod runs; CI bumps the tags
        images:
          - name: registry.example.com/shop/web
            newTag: %s
          - name: registry.example.com/shop/cart
            newTag: %s   # cart
        """.formatted(webTag, cartTag);
  }

  /** Kustomize: base plus a prod overlay whose {@code images:} sets cart's tag (quoted when healthy, plain when bad). */
  static History kustomize(BareRemote remote) throws IOException {
    ObjectId healthy = remote.commit("deploy cart 1.2.0", Map.of(
        "base/deployment.yaml", BASE_DEPLOYMENT,
        "base/kustomization.yaml", "resources:\n  - deployment.yaml\n",
        "overlays/prod/kustomization.yaml", prodOverlay("\"1.2.0\"", "4.1.0")));
    ObjectId unrelated = remote.commit("web 4.2.0", Map.of(
        "overlays/prod/kustomization.yaml", prodOverlay("\"1.2.0\"", "4.2.0"),
        "README.md", "config for shop\n"));
    ObjectId bad = remote.commit("deploy cart 1.3.0", Map.of(
        "overlays/prod/kustomization.yaml", prodOverlay("1.3.0", "4.2.0")));
    return new History(healthy, unrelated, bad);
  }

  static String prodValues(String tag) {
    return """
        # prod overrides for the cart chart
        replicaCount: 3
        image:
          tag: %s
        resources:
          limits: {memory: 512Mi}
        """.formatted(tag);
  }

  /** Helm: a chart (with templates the scan skips) and a prod values file that overrides {@code image.tag} alone. */
  static History helm(BareRemote remote) throws IOException {
    Map<String, String> chart = new HashMap<>();
    chart.put("charts/cart/Chart.yaml", "apiVersion: v2\nname: cart\nversion: 0.1.0\n");
    chart.put("charts/cart/values.yaml", "image:\n  repository: registry.example.com/shop/cart\n  tag: \"1.0.0\"\n");
    chart.put("charts/cart/templates/deployment.yaml", "kind: Deployment\nspec:\n  image: \"{{ .Values.image."
        + "repository }}:{{ .Values.image.tag }}\"\n");
    chart.put("envs/prod/values-cart.yaml", prodValues("1.2.0"));
    ObjectId healthy = remote.commit("deploy cart 1.2.0", chart);
    ObjectId unrelated = remote.commit("more replicas", Map.of("envs/prod/values-cart.yaml",
        prodValues("1.2.0").replace("replicaCount: 3", "replicaCount: 4")));
    ObjectId bad = remote.commit("deploy cart 1.3.0", Map.of("envs/prod/values-cart.yaml",
        prodValues("1.3.0").replace("replicaCount: 3", "replicaCount: 4")));
    return new History(healthy, unrelated, bad);
  }

  static String manifest(String cartImage) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: cart
          namespace: shop
        spec:
          ports: [{port: 80}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
          namespace: shop
        spec:
          template:
            spec:
              containers:
                - name: envoy
                  image: envoyproxy/envoy:v1.31.0   # sidecar
                - name: cart
                  # the application
                  image: '%s'
                  ports:
                    - containerPort: 8080
        """.formatted(cartImage);
  }

  /** Plain manifests: a Service and a Deployment with a sidecar in one file. */
  static History plain(BareRemote remote) throws IOException {
    ObjectId healthy = remote.commit("deploy cart 1.2.0", Map.of("apps/cart/cart.yaml", manifest(HEALTHY)));
    ObjectId unrelated = remote.commit("docs", Map.of("README.md", "shop\n"));
    ObjectId bad = remote.commit("deploy cart 1.3.0", Map.of("apps/cart/cart.yaml", manifest(BAD)));
    return new History(healthy, unrelated, bad);
  }
}
