package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.testkit.contract.ActionExecutorContract;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KubernetesRestartExecutorTest {
  private static final String EVICTIONS = "/api/v1/namespaces/shop/pods/";
  private static final String PODS = "/api/v1/namespaces/shop/pods";
  private static final String CART = Fixtures.deploymentPath("shop", "cart");

  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;
  private final SteppingClock clock = new SteppingClock();
  private final DeploymentController controller = new DeploymentController(api, "shop", "cart");
  private final KubernetesRestartExecutor executor = executor(KubernetesRestartExecutor.DEFAULT_READY_TIMEOUT);
  private int setupExchanges;

  private KubernetesRestartExecutor executor(Duration readyTimeout) {
    return KubernetesRestartExecutor.builder(client).setNamespaces(NamespacePolicy.allowing(Set.of("shop",
        "kube-system"))).setClock(clock).setReadyTimeout(readyTimeout).build();
  }

  /** cart: 3 replicas, 3 ready pods, its rollout caught up; a pod of another service beside it. */
  @BeforeEach
  void cart() {
    Fixtures.deployment(client, "shop", "cart", 3);
    Fixtures.readyPod(client, "shop", "cart-a", "cart");
    Fixtures.readyPod(client, "shop", "cart-b", "cart");
    Fixtures.readyPod(client, "shop", "cart-c", "cart");
    Fixtures.pod(client, "shop", "search-a", "search");
    controller.publishStatus(3);
    setupExchanges = api.exchanges(PODS).size();
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

  private Deployment cartDeployment() {
    return client.apps().deployments().inNamespace("shop").withName("cart").get();
  }

  /** Evictions and pod creations, in the order the server received them: "evict NAME" or "create". */
  private List<String> podTraffic() {
    return api.exchanges(PODS).stream().skip(setupExchanges).filter(e -> "POST".equals(e.method()) && e.code() < 300)
        .map(e -> e.path().endsWith("/eviction") ? "evict " + e.path().substring(EVICTIONS.length(),
            e.path().length() - "/eviction".length()) : "create").toList();
  }

  private static PodDisruptionBudgetBuilder cartBudget() {
    return new PodDisruptionBudgetBuilder().withNewMetadata().withName("cart-pdb").withNamespace("shop")
        .endMetadata().withNewSpec().withMinAvailable(new IntOrString(2)).withNewSelector()
        .addToMatchLabels("app", "cart").endSelector().endSpec().withNewStatus().withCurrentHealthy(2)
        .withDesiredHealthy(2).withDisruptionsAllowed(0).withExpectedPods(3).endStatus();
  }

  // ------------------------------------------------------------------ waves of evictions

  @Test
  void podsAreEvictedOneWaveAtATimeAndTheWorkloadRecordsTheKey() {
    clock.onSleep(controller::step);
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-a", "cart-b")), context("k1", 4));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).contains("one wave at a time");
    assertThat(exists("cart-a")).isFalse();
    assertThat(exists("cart-b")).isFalse();
    // the status still said 3 ready right after the first eviction: only the pods showed it was not
    assertThat(podTraffic()).containsExactly("evict cart-a", "create", "evict cart-b");
    assertThat(clock.slept()).containsExactly(KubernetesRestartExecutor.DEFAULT_FIRST_POLL);
    assertThat(cartDeployment().getMetadata().getAnnotations()).containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "k1")
        .containsEntry(ChangeMarks.FENCING_TOKEN, "4").containsEntry(ChangeMarks.INCIDENT, "INC-0003");
    assertThat(cartDeployment().getSpec().getTemplate().getMetadata().getAnnotations())
        .as("evictions do not touch the template").doesNotContainKey(KubernetesRestartExecutor.RESTARTED_AT);
    assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
  }

  @Test
  void theNextWaveWaitsForThePodsAndTheStatusBoth() {
    int[] steps = {0};
    clock.onSleep(() -> {
      if (++steps[0] == 1) {
        controller.replacePods();
        controller.publishStatus(2);  // the replacement is ready, the status has not caught up yet
      } else {
        controller.publishStatus(3);
      }
    });
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-a", "cart-b")), context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(clock.slept()).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThat(podTraffic()).containsExactly("evict cart-a", "create", "evict cart-b");
  }

  @Test
  void wavesStopWhenReadinessDoesNotReturnWithinTheBound() {
    KubernetesRestartExecutor bounded = executor(Duration.ofSeconds(5));  // nothing replaces the evicted pod
    ActionResult r = bounded.execute(new Action.RestartPods("cart", List.of("cart-a", "cart-b")), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("evicted [cart-a] of deployment shop/cart",
        "not back to its desired ready count within 5000 ms",
        "2 of 3 desired pods ready (the evicted not counted), status.readyReplicas 3",
        "stopped before [cart-b]: nothing further was evicted");
    assertThat(clock.slept()).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofMillis(1500));  // doubling on the executor's clock, the last pause cut to the bound
    assertThat(podTraffic()).containsExactly("evict cart-a");
    assertThat(exists("cart-b")).isTrue();
    assertThat(cartDeployment().getMetadata().getAnnotations()).doesNotContainKey(ChangeMarks.IDEMPOTENCY_KEY);
    assertThat(bounded.reconcile("k1")).hasValueSatisfying(x -> {
      assertThat(x.succeeded()).as("only part of it took effect").isFalse();
      assertThat(x.message()).contains("took effect in part", "gone since (evicted): [cart-a]");
    });
    // the agent may retry the key: it waits for readiness again before cart-b, and never evicts cart-a's name twice
    ActionResult again = bounded.execute(new Action.RestartPods("cart", List.of("cart-a", "cart-b")),
        context("k1", 1));
    assertThat(again.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(again.message()).contains("evicted [cart-a]", "stopped before [cart-b]");
    assertThat(podTraffic()).containsExactly("evict cart-a");
    // once the workload is ready again, a retry evicts only cart-b
    controller.step();
    ActionResult done = bounded.execute(new Action.RestartPods("cart", List.of("cart-a", "cart-b")),
        context("k1", 1));
    assertThat(done.status()).as(done.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(podTraffic()).containsExactly("evict cart-a", "create", "evict cart-b");
    assertThat(bounded.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
  }

  @Test
  void aBudgetRefusalAfterAWaveNamesThePodsEvictedSoFar() {
    client.policy().v1().podDisruptionBudget().inNamespace("shop").resource(cartBudget().build()).create();
    clock.onSleep(() -> {
      controller.step();
      api.refuseEvictions("Cannot evict pod as it would violate the pod's disruption budget.");
    });
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-a", "cart-b")), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("eviction of pod shop/cart-b refused (HTTP 429)",
        "PodDisruptionBudget shop/cart-pdb minAvailable 2", "already evicted [cart-a]");
    assertThat(exists("cart-b")).isTrue();
    assertThat(api.writes(EVICTIONS).stream().filter(e -> "DELETE".equals(e.method()))).isEmpty();
    assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isFalse());
  }

  @Test
  void anInterruptedWaitStopsBeforeTheNextWave() {
    clock.onSleep(() -> {
      throw new InterruptedException("the kill switch");
    });
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-a", "cart-b")), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("evicted [cart-a]", "interrupted", "stopped before [cart-b]");
    assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
    assertThat(exists("cart-b")).isTrue();
  }

  @Test
  void aBudgetRefusalIsACleanFailureQuotingTheBudgetAndNothingIsDeleted() {
    client.policy().v1().podDisruptionBudget().inNamespace("shop").resource(cartBudget().editSpec()
        .withMinAvailable(new IntOrString(3)).endSpec().editStatus().withCurrentHealthy(3).withDesiredHealthy(3)
        .endStatus().build()).create();
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
  void aPodNamedTwiceIsRefusedBeforeAnyEviction() {
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-a", "cart-a")), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("names a pod twice");
    assertThat(podTraffic()).isEmpty();
  }

  @Test
  void aStaleFencingTokenIsRefusedBeforeAnyEviction() {
    executor.execute(new Action.RestartPods("cart", List.of("cart-a")), context("k1", 9));
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-b")), context("k2", 2));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(exists("cart-b")).isTrue();
  }

  @Test
  void aDryRunEvictsNothingAndDoesNotWait() {
    String before = cartDeployment().getMetadata().getResourceVersion();
    ActionResult r = executor.execute(new Action.RestartPods("cart", List.of("cart-a", "cart-b")),
        new ExecutionContext("INC-0003", "dry", 1, true));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(api.writes(EVICTIONS)).hasSize(2).allMatch(ApiServer.Exchange::dryRun);
    assertThat(clock.slept()).isEmpty();
    assertThat(exists("cart-a")).isTrue();
    assertThat(cartDeployment().getMetadata().getResourceVersion()).isEqualTo(before);
  }

  @Test
  void controlPlaneNamespacesAreRefused() {
    Fixtures.deployment(client, "kube-system", "coredns", 2);
    Fixtures.pod(client, "kube-system", "coredns-a", "coredns");
    ActionResult r = executor.execute(new Action.RestartPods("coredns", List.of("coredns-a")), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(client.pods().inNamespace("kube-system").withName("coredns-a").get()).isNotNull();
  }

  // ------------------------------------------------------------------ a rolling restart by the pod template

  private static final Action.RestartPods EVERY_POD = new Action.RestartPods("cart", List.of("cart-c", "cart-a",
      "cart-b"));  // every pod of the workload, in any order

  private String restartedAt() {
    var a = cartDeployment().getSpec().getTemplate().getMetadata().getAnnotations();
    return a == null ? null : a.get(KubernetesRestartExecutor.RESTARTED_AT);
  }

  private int templateWrites() {
    return (int) api.writes(CART).stream().filter(e -> "PUT".equals(e.method()) && !e.dryRun()).count();
  }

  @Test
  void namingEveryPodIsARollingRestartByThePodTemplateThatWaitsForTheRollout() {
    long generation = cartDeployment().getMetadata().getGeneration();
    clock.onSleep(() -> controller.publishStatus(3));  // the controller catches up with the new generation
    ActionResult r = executor.execute(EVERY_POD, context("k1", 5));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).contains("rolling restart of deployment shop/cart by its pod template",
        "rollout complete: observedGeneration " + (generation + 1) + " of generation " + (generation + 1));
    assertThat(restartedAt()).isEqualTo("2026-12-01T00:00:00Z");  // the executor's clock, RFC 3339
    assertThat(cartDeployment().getMetadata().getAnnotations()).containsEntry(ChangeMarks.IDEMPOTENCY_KEY, "k1")
        .containsEntry(ChangeMarks.FENCING_TOKEN, "5")
        .containsEntry(KubernetesRestartExecutor.ROLLOUT_RESTART_KEY, "k1");
    assertThat(templateWrites()).isOne();  // the annotation and the marks in one optimistic write
    assertThat(podTraffic()).as("no eviction: the controller replaces the pods").isEmpty();
    assertThat(clock.slept()).containsExactly(Duration.ofMillis(500));
    assertThat(executor.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
  }

  @Test
  void aRollingRestartDryRunIsTheServersAndDoesNotWait() {
    String before = cartDeployment().getMetadata().getResourceVersion();
    ActionResult r = executor.execute(EVERY_POD, new ExecutionContext("INC-0003", "dry", 1, true));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(r.message()).contains("server-side dry run accepted: rolling restart of deployment shop/cart");
    assertThat(api.writes(CART)).singleElement().satisfies(e -> assertThat(e.dryRun()).isTrue());
    assertThat(cartDeployment().getMetadata().getResourceVersion()).isEqualTo(before);
    assertThat(restartedAt()).isNull();
    assertThat(clock.slept()).isEmpty();
  }

  @Test
  void aConflictReReadsAndWritesTheRestartOnce() {
    api.beforeNextPut(CART, path -> {
      Deployment other = api.getDirectly(path, Deployment.class);
      other.getMetadata().getLabels().put("team", "checkout");  // someone else's change meanwhile
      api.putDirectly(path, other);
    });
    clock.onSleep(() -> controller.publishStatus(3));
    ActionResult r = executor.execute(EVERY_POD, context("k1", 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).startsWith("re-read after a conflict (HTTP 409), then started a rolling restart");
    assertThat(api.exchanges(CART)).filteredOn(e -> "PUT".equals(e.method())).extracting(ApiServer.Exchange::code)
        .containsExactly(409, 200);
    assertThat(cartDeployment().getMetadata().getLabels()).containsEntry("team", "checkout");
    assertThat(restartedAt()).isNotNull();
  }

  @Test
  void aRedeliveredKeySetsNoNewRestartedAtAndOnlyWaits() {
    clock.onSleep(() -> controller.publishStatus(3));
    assertThat(executor.execute(EVERY_POD, context("k1", 1)).succeeded()).isTrue();
    String first = restartedAt();
    ActionResult again = executor.execute(EVERY_POD, context("k1", 1));  // the clock has moved on meanwhile
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("already restarted deployment shop/cart under key k1",
        KubernetesRestartExecutor.RESTARTED_AT + " not set again", "rollout complete");
    assertThat(restartedAt()).isEqualTo(first);
    assertThat(templateWrites()).isOne();
  }

  @Test
  void aRolloutNotCompleteWithinTheBoundFailsAndIsNotRestartedAgain() {
    KubernetesRestartExecutor bounded = executor(Duration.ofSeconds(2));  // the controller never catches up
    ActionResult r = bounded.execute(EVERY_POD, context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("started a rolling restart", "did not complete within 2000 ms",
        "observedGeneration 1 of generation 2", "a redelivery sets no new");
    assertThat(bounded.reconcile("k1")).hasValueSatisfying(x -> {
      assertThat(x.status()).isEqualTo(ActionResult.Status.FAILED);
      assertThat(x.message()).contains("the rollout is not complete");
    });
    controller.publishStatus(3);
    assertThat(bounded.execute(EVERY_POD, context("k1", 1)).succeeded()).isTrue();
    assertThat(bounded.reconcile("k1")).hasValueSatisfying(x -> assertThat(x.succeeded()).isTrue());
    assertThat(templateWrites()).isOne();
  }

  @Test
  void aRolloutPastItsProgressDeadlineFailsAtOnce() {
    clock.onSleep(controller::publishDeadlineExceeded);
    ActionResult r = executor.execute(EVERY_POD, context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("exceeded its progress deadline");
    assertThat(clock.slept()).hasSize(1);
  }

  @Test
  void aPausedDeploymentIsRefusedTheRollingRestart() {
    client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
      d.getSpec().setPaused(true);
      return d;
    });
    int before = api.effects(CART);
    ActionResult r = executor.execute(EVERY_POD, context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("is paused", "kubectl rollout resume deployment/cart -n shop");
    assertThat(api.effects(CART)).isEqualTo(before);
    assertThat(restartedAt()).isNull();
  }

  @Test
  void aGitOpsManagedWorkloadIsRefusedTheRollingRestart() {
    client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
      d.getMetadata().getAnnotations().put(GitOps.ARGO_TRACKING_ID, "shop-apps:apps/Deployment:shop/cart");
      return d;
    });
    int before = api.effects(CART);
    ActionResult r = executor.execute(EVERY_POD, context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("managed by Argo CD (Application shop-apps)", "a rolling restart",
        "through Git");
    assertThat(api.effects(CART)).isEqualTo(before);
    assertThat(podTraffic()).isEmpty();
  }

  @Test
  void aStatefulSetThatUpdatesOnDeleteIsRefusedTheRollingRestart() {
    client.apps().statefulSets().inNamespace("shop").resource(new StatefulSetBuilder().withNewMetadata()
        .withName("ledger").withNamespace("shop").addToLabels("app.kubernetes.io/name", "ledger").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "ledger").endSelector()
        .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy().withNewTemplate().withNewMetadata()
        .addToLabels("app", "ledger").endMetadata().endTemplate().endSpec().build()).create();
    Fixtures.readyPod(client, "shop", "ledger-0", "ledger");
    ActionResult r = executor.execute(new Action.RestartPods("ledger", List.of("ledger-0")), context("k1", 1));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("statefulset shop/ledger has the OnDelete update strategy");
    assertThat(api.writes("/apis/apps/v1/namespaces/shop/statefulsets/ledger")).isEmpty();
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

  /** The contract for the other path: every pod named, a rolling restart by the pod template. */
  @Nested
  class RollingRestartContract extends ActionExecutorContract {
    private ApiServer server;

    @Override
    protected ActionExecutor create() {
      server = new ApiServer();
      Fixtures.deployment(server.client, "shop", "cart", 2);
      Fixtures.readyPod(server.client, "shop", "cart-a", "cart");
      Fixtures.readyPod(server.client, "shop", "cart-b", "cart");
      DeploymentController rollouts = new DeploymentController(server, "shop", "cart");
      rollouts.publishStatus(2);
      return KubernetesRestartExecutor.builder(server.client)
          .setNamespaces(NamespacePolicy.allowing(Set.of("shop")))
          .setClock(new SteppingClock().onSleep(() -> rollouts.publishStatus(2))).build();
    }

    @Override
    protected Action action() {
      return new Action.RestartPods("cart", List.of("cart-a", "cart-b"));
    }

    @Override
    protected int effects() {
      return server.effects(CART);
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
