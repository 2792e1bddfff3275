package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fencing token orders the holders of one lock only: the agent locks each action's target ({@code scale:cart},
 * {@code restart-pods:cart}, ...) and a lock service may count tokens per lock, so executors compare a token only with
 * the one recorded for the same target on the object.
 */
class FencingAcrossLocksTest {
  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;
  private final NamespacePolicy shop = NamespacePolicy.allowing(Set.of("shop"));
  private final KubernetesScaleExecutor scale = KubernetesScaleExecutor.builder(client).setNamespaces(shop).build();
  private final KubernetesRestartExecutor restart = KubernetesRestartExecutor.builder(client).setNamespaces(shop)
      .build();

  @AfterEach
  void close() {
    api.close();
  }

  @Test
  void aHighTokenOfAnotherLockDoesNotFenceOutAnActionButAStaleOneOfTheSameLockIs() {
    Fixtures.deployment(client, "shop", "cart", 3);
    Fixtures.pod(client, "shop", "cart-a", "cart");
    Fixtures.pod(client, "shop", "cart-b", "cart");
    ActionResult scaled = scale.execute(new Action.ScaleReplicas("cart", 3, 4),
        new ExecutionContext("INC-1", "k-scale", 12, false));
    assertThat(scaled.status()).as(scaled.message()).isEqualTo(ActionResult.Status.SUCCEEDED);

    ActionResult restarted = restart.execute(new Action.RestartPods("cart", List.of("cart-a")),
        new ExecutionContext("INC-2", "k-restart", 3, false));
    assertThat(restarted.status()).as(restarted.message()).isEqualTo(ActionResult.Status.SUCCEEDED);

    ActionResult staleRestart = restart.execute(new Action.RestartPods("cart", List.of("cart-b")),
        new ExecutionContext("INC-3", "k-restart-old", 2, false));
    assertThat(staleRestart.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(staleRestart.message()).contains("fencing token 2 is lower than 3").contains("restart-pods:cart");
    assertThat(client.pods().inNamespace("shop").withName("cart-b").get()).isNotNull();

    ActionResult staleScale = scale.execute(new Action.ScaleReplicas("cart", 4, 5),
        new ExecutionContext("INC-4", "k-scale-old", 11, false));
    assertThat(staleScale.status()).as("the scale lock's token 12 is still recorded").isEqualTo(
        ActionResult.Status.REJECTED);
  }
}
