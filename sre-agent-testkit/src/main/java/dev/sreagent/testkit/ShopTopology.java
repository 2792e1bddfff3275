package dev.sreagent.testkit;

import java.util.List;
import java.util.Map;

/** The default ten-service online shop: 25 pods, entry point {@code frontend}. */
public final class ShopTopology {
  private ShopTopology() {}

  /** The services of the default shop. */
  public static List<ServiceSpec> services() {
    return List.of(
        new ServiceSpec("frontend", 4, 12, 3, 60, 0.020, 0.001,
            Map.of("catalog", 1.0, "recommendation", 0.5, "cart", 0.3, "checkout", 0.1, "ads", 0.5,
                "currency", 1.0), 120, "frontend-tls"),
        new ServiceSpec("catalog", 3, 10, 2, 100, 0.010, 0.0005, Map.of(), 0, ""),
        new ServiceSpec("recommendation", 2, 8, 1, 60, 0.030, 0.001, Map.of("catalog", 1.0), 0, ""),
        new ServiceSpec("cart", 3, 10, 2, 80, 0.008, 0.0005, Map.of(), 0, ""),
        new ServiceSpec("checkout", 2, 8, 1, 40, 0.025, 0.001,
            Map.of("cart", 1.0, "payments", 1.0, "shipping", 1.0, "currency", 1.0, "email", 1.0), 0, ""),
        new ServiceSpec("payments", 2, 8, 1, 30, 0.040, 0.001, Map.of(), 0, "payments-mtls"),
        new ServiceSpec("shipping", 2, 6, 1, 40, 0.015, 0.0005, Map.of(), 0, ""),
        new ServiceSpec("currency", 3, 10, 2, 150, 0.005, 0.0002, Map.of(), 0, ""),
        new ServiceSpec("email", 2, 6, 1, 30, 0.020, 0.0005, Map.of(), 0, ""),
        new ServiceSpec("ads", 2, 8, 1, 60, 0.012, 0.0005, Map.of(), 0, "ads-tls"));
  }
}
