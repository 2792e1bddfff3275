package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.testkit.contract.ActionExecutorContract;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KubernetesRestartExecutorTest {
  private static final String EVICTIONS = "/api/v1/namespaces/shop/pods/";

  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;
  private final KubernetesRestartExecutor executor = KubernetesRestartExecutor.builder(client)
      .setNamespaces(NamespacePolicy.allowing(Set.of("shop", "kube-system"))).build();

  @BeforeEach
  void cart() {
    Fixtures.deployment(client, "shop", "cart", 3);
    Fixtures.pod(client, "shop", "cart-a", "cart");
    Fixtures.pod(client, "shop", "cart-b", "cart");
    Fixtures.pod(client, "shop", "search-a", "search");
  }

  @AfterEach
  void close() {
    api.close();
  }

  private static ExecutionContext context(String key, long token) {
    return new ExecutionContext("INC-0003", key, token, false);
  }

  private boolean exists(String pod) {
    return client.pods().inNamespace("shop").withName(pod).get() != null;
  }

  @Test
  void podsAreEvictedAndTheWorkloadRecordsTheKey() {
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-a", "cart-b")), context("k1", 4));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(exists("cart-a")).isFalse();
    assertThat(exists("cart-b")).isFalse();
    assertThat(api.writes(EVICTIONS)).extracting(ApiServer.Exchange::path)
        .containsExactly(EVICTIONS + "cart-a/eviction", EVICTIONS + "cart-b/eviction");
    assertThat(client.apps().deployments().inNamespace("shop").withName("cart").get().getMetadata()
        .getAnnotations()).containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "k1")
        .containsEntry(ChangeMarks.FENCING_TOKEN, "4").containsEntry(ChangeMarks.INCIDENT, "INC-0003");
    assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
  }

  @Test
  void aBudgetRefusalIsACleanFailureQuotingTheBudgetAndNothingIsDeleted() {
    client.policy().v1().podDisruptionBudget().inNamespace("shop").resource(new PodDisruptionBudgetBuilder()
        .withNewMetadata().withName("cart-pdb").withNamespace("shop").endMetadata().withNewSpec()
        .withMinAvailable(new IntOrString(3)).withNewSelector().addToMatchLabels("app", "cart").endSelector()
        .endSpec().withNewStatus().withCurrentHealthy(3).withDesiredHealthy(3).withDisruptionsAllowed(0)
        .withExpectedPods(3).endStatus().build()).create();
    api.refuseEvictions("Cannot evict pod as it would violate the pod's disruption budget.");
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-a")), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("refused (HTTP 429)", "PodDisruptionBudget shop/cart-pdb minAvailable 3",
        "disruptionsAllowed 0", "nothing was evicted");
    assertThat(exists("cart-a")).isTrue();
    assertThat(api.writes(EVICTIONS)).isEmpty();  // in particular, no DELETE of the pod
    assertThat(executor.reconcile("k1")).isEmpty();
  }

  @Test
  void aPodOfAnotherWorkloadIsRefusedBeforeAnyEviction() {
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-a", "search-a")),
        context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("search-a is not a pod of deployment shop/cart");
    assertThat(exists("cart-a")).isTrue();
  }

  @Test
  void aStaleFencingTokenIsRefusedBeforeAnyEviction() {
    executor.execute(new Action.RestartPods("cart", List.of("cart-a")), context("k1", 9));
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-b")), context("k2", 2));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(exists("cart-b")).isTrue();
  }

  @Test
  void aDryRunEvictsNothing() {
    String before = client.apps().deployments().inNamespace("shop").withName("cart").get().getMetadata()
        .getResourceVersion();
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-a")),
        new ExecutionContext("INC-0003", "dry", 1, true));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(exists("cart-a")).isTrue();
    assertThat(client.apps().deployments().inNamespace("shop").withName("cart").get().getMetadata()
        .getResourceVersion()).isEqualTo(before);
  }

  @Test
  void controlPlaneNamespacesAreRefused() {
    Fixtures.deployment(client, "kube-system", "coredns", 2);
    Fixtures.pod(client, "kube-system", "coredns-a", "coredns");
    ActionResult r = executor.execute(new Action.RestartPods("coredns", List.of("coredns-a")), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(client.pods().inNamespace("kube-system").withName("coredns-a").get()).isNotNull();
  }

  @Nested
  class Contract extends ActionExecutorContract {
    private ApiServer server;

    @Override
    protected ActionExecutor create() {
      server = new ApiServer();
      Fixtures.deployment(server.client, "shop", "cart", 2);
      Fixtures.pod(server.client, "shop", "cart-a", "cart");
      return KubernetesRestartExecutor.builder(server.client)
          .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).build();
    }

    @Override
    protected Action action() {
      return new Action.RestartPods("cart", List.of("cart-a"));
    }

    @Override
    protected int effects() {
      return server.effects(EVICTIONS);
    }

    @Override
    protected Action failingAction() {
      return new Action.RestartPods("cart", List.of("no-such-pod"));
    }

    @AfterEach
    void stop() {
      server.close();
    }
  }
}
