package dev.sreagent.gitops;

/**
 * The cart images of these unit tests (the same as the GitOps testkit's {@code ConfigRepos}, which this module's tests
 * cannot depend on: the testkit depends on this module).
 */
final class CartImages {
  static final String REPO = "registry.example.com/shop/cart";
  static final String HEALTHY = REPO + ":1.2.0";
  static final String BAD = REPO + ":1.3.0";
  static final ImageRollback CART = new ImageRollback("shop", "cart", null, BAD, HEALTHY);

  private CartImages() {}

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
}
