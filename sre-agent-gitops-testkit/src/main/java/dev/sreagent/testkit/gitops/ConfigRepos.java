package dev.sreagent.testkit.gitops;

import dev.sreagent.gitops.ImageRollback;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Test support: config repositories written into a {@link BareRemote} with a history in the three layouts the GitOps
 * executor reads (a Kustomize overlay's {@code images:}, a Helm values file, a plain manifest), each with a healthy
 * deploy of {@code registry.example.com/shop/cart:1.2.0}, an unrelated change, and the bad deploy of {@code 1.3.0}. The
 * workload is the simulated shop's {@code cart} in namespace {@code shop}, so the same repositories serve end-to-end
 * tests with the {@code SimulatedCluster}. Fixtures, not emulators: they are what a team's config repository might
 * hold, not a model of any tool.
 */
public final class ConfigRepos {
  /** The cart image's repository. */
  public static final String REPO = "registry.example.com/shop/cart";
  /** The image of the healthy deploy. */
  public static final String HEALTHY = REPO + ":1.2.0";
  /** The image of the bad deploy. */
  public static final String BAD = REPO + ":1.3.0";
  /** The rollback from {@link #BAD} to {@link #HEALTHY} of {@code shop/cart}. */
  public static final ImageRollback CART = new ImageRollback("shop", "cart", null, BAD, HEALTHY);

  /** The Kustomize base's Deployment (image {@code 1.0.0}, overridden by the overlay). */
  public static final String BASE_DEPLOYMENT = """
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
  public record History(ObjectId healthy, ObjectId unrelated, ObjectId bad) {}

  private ConfigRepos() {}

  /** The prod overlay's {@code kustomization.yaml} with these tags (as written, quotes included). */
  public static String prodOverlay(String cartTag, String webTag) {
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
  public static History kustomize(BareRemote remote) throws IOException {
    return history(remote, Layout.KUSTOMIZE);
  }

  private static History history(BareRemote remote, Layout layout) throws IOException {
    ObjectId[] healthy = layout.writeHealthy(remote);
    return new History(healthy[0], healthy[1], layout.deployBad(remote));
  }

  /**
   * The three layouts, each written in two steps so that an end-to-end test can deploy the bad image when its
   * simulated cluster does: {@link #writeHealthy} (the healthy deploy and an unrelated change), then
   * {@link #deployBad}.
   */
  public enum Layout {
    /** A Kustomize base and a prod overlay ({@code overlays/prod/kustomization.yaml}) whose {@code images:} sets the tag. */
    KUSTOMIZE("overlays/prod/kustomization.yaml"),
    /** A chart and a prod values file ({@code envs/prod/values-cart.yaml}) overriding {@code image.tag}. */
    HELM("envs/prod/values-cart.yaml"),
    /** A plain manifest ({@code apps/cart/cart.yaml}) with the Deployment's {@code image}. */
    PLAIN("apps/cart/cart.yaml");

    private final String declaringFile;

    Layout(String declaringFile) {
      this.declaringFile = declaringFile;
    }

    /** The file that declares cart's image. */
    public String declaringFile() {
      return declaringFile;
    }

    /**
     * Writes the healthy deploy of {@link #HEALTHY} and a later unrelated change on {@code main}.
     *
     * @return the two commits, oldest first
     */
    public ObjectId[] writeHealthy(BareRemote remote) throws IOException {
      return switch (this) {
        case KUSTOMIZE -> new ObjectId[] {
            remote.commit("deploy cart 1.2.0", Map.of(
                "base/deployment.yaml", BASE_DEPLOYMENT,
                "base/kustomization.yaml", "resources:\n  - deployment.yaml\n",
                "overlays/prod/kustomization.yaml", prodOverlay("\"1.2.0\"", "4.1.0"))),
            remote.commit("web 4.2.0", Map.of(
                "overlays/prod/kustomization.yaml", prodOverlay("\"1.2.0\"", "4.2.0"),
                "README.md", "config for shop\n"))};
        case HELM -> {
          Map<String, String> chart = new HashMap<>();
          chart.put("charts/cart/Chart.yaml", "apiVersion: v2\nname: cart\nversion: 0.1.0\n");
          chart.put("charts/cart/values.yaml", "image:\n  repository: registry.example.com/shop/cart\n  tag:"
              + " \"1.0.0\"\n");
          chart.put("charts/cart/templates/deployment.yaml", "kind: Deployment\nspec:\n  image: \"{{ .Values.image."
              + "repository }}:{{ .Values.image.tag }}\"\n");
          chart.put("envs/prod/values-cart.yaml", prodValues("1.2.0"));
          yield new ObjectId[] {remote.commit("deploy cart 1.2.0", chart),
              remote.commit("more replicas", Map.of("envs/prod/values-cart.yaml",
                  prodValues("1.2.0").replace("replicaCount: 3", "replicaCount: 4")))};
        }
        case PLAIN -> new ObjectId[] {
            remote.commit("deploy cart 1.2.0", Map.of("apps/cart/cart.yaml", manifest(HEALTHY))),
            remote.commit("docs", Map.of("README.md", "shop\n"))};
      };
    }

    /** Commits the bad deploy of {@link #BAD} on {@code main} (after {@link #writeHealthy}). */
    public ObjectId deployBad(BareRemote remote) throws IOException {
      return switch (this) {
        case KUSTOMIZE -> remote.commit("deploy cart 1.3.0", Map.of(
            "overlays/prod/kustomization.yaml", prodOverlay("1.3.0", "4.2.0")));
        case HELM -> remote.commit("deploy cart 1.3.0", Map.of("envs/prod/values-cart.yaml",
            prodValues("1.3.0").replace("replicaCount: 3", "replicaCount: 4")));
        case PLAIN -> remote.commit("deploy cart 1.3.0", Map.of("apps/cart/cart.yaml", manifest(BAD)));
      };
    }
  }

  /** The prod values file of the cart chart with this {@code image.tag}. */
  public static String prodValues(String tag) {
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
  public static History helm(BareRemote remote) throws IOException {
    return history(remote, Layout.HELM);
  }

  /** A file with cart's Service and its Deployment (with a sidecar) running {@code cartImage}. */
  public static String manifest(String cartImage) {
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
  public static History plain(BareRemote remote) throws IOException {
    return history(remote, Layout.PLAIN);
  }
}
