package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rollback's revisions turned into images, as the rollout history records them. */
class RollbackImagesTest {
  static final String CART = CartImages.REPO;

  @Test
  void theOneImageThatChangedIsTheRollback() {
    Map<String, List<String>> history = Map.of(
        "6", List.of("envoyproxy/envoy:v1.31.0", CART + ":1.2.0"),
        "7", List.of("envoyproxy/envoy:v1.31.0", CART + ":1.3.0"),
        "8", List.of("envoyproxy/envoy:v1.32.0", CART + ":1.4.0"));
    RollbackImages images = RollbackImages.fromRevisionImages(s -> "shop", (s, r) -> history.getOrDefault(r,
        List.of()));

    assertThat(images.resolve(new Action.RollBack("cart", "7", "6"))).contains(new ImageRollback("shop", "cart", null,
        CART + ":1.3.0", CART + ":1.2.0"));
    assertThat(images.resolve(new Action.RollBack("cart", "8", "6"))).as("two images changed").isEmpty();
    assertThat(images.resolve(new Action.RollBack("cart", "7", "5"))).as("revision unknown").isEmpty();
  }
}
