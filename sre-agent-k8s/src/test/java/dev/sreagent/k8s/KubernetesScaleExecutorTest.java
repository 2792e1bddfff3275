package dev.sreagent.k8s;

import static dev.sreagent.k8s.Fixtures.deploymentPath;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.testkit.contract.ActionExecutorContract;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KubernetesScaleExecutorTest {
  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;
  private final KubernetesScaleExecutor executor = KubernetesScaleExecutor.builder(client)
      .setNamespaces(NamespacePolicy.allowing(Set.of("shop", "kube-system"))).build();

  @AfterEach
  void close() {
    api.close();
  }

  private static ExecutionContext context(String key, long token) {
    return new ExecutionContext("INC-0007", key, token, false);
  }

  private Deployment cart() {
    return client.apps().deployments().inNamespace("shop").withName("cart").get();
  }

  @Test
  void withoutAnHpaTheReplicasChangeAndTheChangeIsMarked() {
    Fixtures.deployment(client, "shop", "cart", 2);
    ActionResult r = executor.execute(new Action.ScaleReplicas("cart", 2, 3), context("k1", 5));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(cart().getSpec().getReplicas()).isEqualTo(3);
    assertThat(cart().getMetadata().getAnnotations()).containsEntry(ChangeMarks.INCIDENT, "INC-0007")
        .containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "k1").containsEntry(ChangeMarks.FENCING_TOKEN, "5");
  }

  @Test
  void underAnHpaItsMinReplicasChangeNotTheReplicas() {
    Fixtures.deployment(client, "shop", "cart", 2);
    Fixtures.hpa(client, "shop", "cart", 2, 10);
    ActionResult r = executor.execute(new Action.ScaleReplicas("cart", 2, 4), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    var hpa = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop").withName("cart").get();
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(4);
    assertThat(hpa.getMetadata().getAnnotations()).containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "k1");
    assertThat(cart().getSpec().getReplicas()).isEqualTo(2);
    assertThat(api.effects(deploymentPath("shop", "cart"))).isZero();
  }

  @Test
  void aMinimumAboveTheHpaMaximumIsRefused() {
    Fixtures.deployment(client, "shop", "cart", 2);
    Fixtures.hpa(client, "shop", "cart", 2, 3);
    ActionResult r = executor.execute(new Action.ScaleReplicas("cart", 2, 4), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("above its maxReplicas 3");
    assertThat(api.effects(Fixtures.hpaPath("shop", "cart"))).isZero();
  }

  @Test
  void aKeyDeliveredTwiceChangesOnce() {
    Fixtures.deployment(client, "shop", "cart", 2);
    Action scale = new Action.ScaleReplicas("cart", 2, 3);
    executor.execute(scale, context("k1", 1));
    ActionResult again = executor.execute(scale, context("k1", 1));
    assertThat(again.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("already applied");
    assertThat(api.effects(deploymentPath("shop", "cart"))).isEqualTo(1);
  }

  @Test
  void reconcileFindsALostAttemptThroughItsAnnotation() {
    Fixtures.deployment(client, "shop", "cart", 2);
    executor.execute(new Action.ScaleReplicas("cart", 2, 3), context("lost-answer", 1));
    KubernetesScaleExecutor afterRestart = KubernetesScaleExecutor.builder(client)
        .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).build();
    assertThat(afterRestart.reconcile("lost-answer")).hasValueSatisfying(r -> {
      assertThat(r.succeeded()).isTrue();
      assertThat(r.message()).contains("deployment shop/cart");
    });
    assertThat(afterRestart.reconcile("never-sent")).isEmpty();
  }

  @Test
  void aLowerFencingTokenThanTheRecordedOneIsRefused() {
    Fixtures.deployment(client, "shop", "cart", 2);
    executor.execute(new Action.ScaleReplicas("cart", 2, 3), context("k1", 9));
    ActionResult stale = executor.execute(new Action.ScaleReplicas("cart", 3, 4), context("k2", 8));
    assertThat(stale.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(stale.message()).contains("fencing token 8 is lower than 9");
    assertThat(cart().getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void aDryRunIsTheServersAndChangesNoResourceVersion() {
    String before = Fixtures.deployment(client, "shop", "cart", 2).getMetadata().getResourceVersion();
    ActionResult r = executor.execute(new Action.ScaleReplicas("cart", 2, 3),
        new ExecutionContext("INC-0007", "dry", 1, true));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(cart().getMetadata().getResourceVersion()).isEqualTo(before);
    assertThat(api.writes(deploymentPath("shop", "cart"))).singleElement()
        .satisfies(e -> assertThat(e.path()).contains("dryRun=All"));
  }

  @Test
  void controlPlaneNamespacesAreRefusedEvenWhenListedUnlessForced() {
    Fixtures.deployment(client, "kube-system", "coredns", 2);
    ActionResult r = executor.execute(new Action.ScaleReplicas("coredns", 2, 3), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("kube-system is a control-plane namespace");
    KubernetesScaleExecutor forced = KubernetesScaleExecutor.builder(client)
        .setNamespaces(NamespacePolicy.allowing(Set.of("kube-system")).forcingControlPlane()).build();
    assertThat(forced.execute(new Action.ScaleReplicas("coredns", 2, 3), context("k2", 1)).status())
        .isEqualTo(ActionResult.Status.SUCCEEDED);
  }

  @Test
  void aConflictIsReReadAndCheckedAgainThenWritten() {
    Fixtures.deployment(client, "shop", "cart", 2);
    api.beforeNextPut(deploymentPath("shop", "cart"), path -> {
      Deployment other = api.getDirectly(path, Deployment.class);
      other.getMetadata().getLabels().put("team", "checkout");  // a change that does not touch the replicas
      api.putDirectly(path, other);
    });
    ActionResult r = executor.execute(new Action.ScaleReplicas("cart", 2, 3), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(cart().getSpec().getReplicas()).isEqualTo(3);
    assertThat(cart().getMetadata().getLabels()).containsEntry("team", "checkout");  // not overwritten
  }

  @Test
  void aConflictWithAnotherScaleStandsDownInsteadOfOverwriting() {
    Fixtures.deployment(client, "shop", "cart", 2);
    api.beforeNextPut(deploymentPath("shop", "cart"), path -> {
      Deployment other = api.getDirectly(path, Deployment.class);
      other.getSpec().setReplicas(5);
      api.putDirectly(path, other);
    });
    ActionResult r = executor.execute(new Action.ScaleReplicas("cart", 2, 3), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("has 5 replicas, the plan expected 2");
    assertThat(cart().getSpec().getReplicas()).isEqualTo(5);
  }

  @Nested
  class Contract extends ActionExecutorContract {
    private ApiServer server;

    @Override
    protected ActionExecutor create() {
      if (server != null) {
        server.close();
      }
      server = new ApiServer();
      Fixtures.deployment(server.client, "shop", "cart", 2);
      return KubernetesScaleExecutor.builder(server.client).setNamespaces(NamespacePolicy.allowing(Set.of("shop")))
          .build();
    }

    @Override
    protected Action action() {
      return new Action.ScaleReplicas("cart", 2, 3);
    }

    @Override
    protected int effects() {
      return server.effects(deploymentPath("shop", "cart"));
    }

    @Override
    protected Action failingAction() {
      return new Action.ScaleReplicas("cart", 7, 8);
    }

    @AfterEach
    void stop() {
      server.close();
      server = null;
    }
  }
}
