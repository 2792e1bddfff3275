package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InformerSyncTest {
  private final ApiServer api = new ApiServer();

  @AfterEach
  void close() {
    api.close();
  }

  private Map<String, SharedIndexInformer<?>> informers() {
    Map<String, SharedIndexInformer<?>> named = new LinkedHashMap<>();
    named.put("pods in shop", api.client.pods().inNamespace("shop").runnableInformer(0));
    named.put("deployments in shop", api.client.apps().deployments().inNamespace("shop").runnableInformer(0));
    named.put("services in shop", api.client.services().inNamespace("shop").runnableInformer(0));
    return named;
  }

  @Test
  void allSyncedTheCachesHoldTheLists() {
    Fixtures.deployment(api.client, "shop", "cart", 1);
    Map<String, SharedIndexInformer<?>> named = informers();
    try {
      InformerSync.start(named, Duration.ofSeconds(10));
      assertThat(named.values()).allSatisfy(i -> assertThat(i.hasSynced()).isTrue());
      assertThat(named.get("deployments in shop").getStore().list()).hasSize(1);
    } finally {
      InformerSync.stopAll(named);
    }
  }

  @Test
  void aForbiddenListIsNamedAndEveryInformerIsStopped() {
    api.forbid("/apis/apps/v1/namespaces/shop/deployments");
    Map<String, SharedIndexInformer<?>> named = informers();
    assertThatThrownBy(() -> InformerSync.start(named, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("[deployments in shop]")
        .hasMessageNotContaining("pods in shop").hasMessageContaining("RBAC");
    assertThat(named.values()).allSatisfy(i -> assertThat(i.stopped().toCompletableFuture().isDone()).isTrue());
  }
}
