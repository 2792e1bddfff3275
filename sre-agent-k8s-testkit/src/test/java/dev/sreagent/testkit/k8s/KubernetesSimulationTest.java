package dev.sreagent.testkit.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.k8s.KubernetesRestartExecutor;
import dev.sreagent.k8s.NamespacePolicy;
import dev.sreagent.testkit.SimulatedCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesSimulationTest {
  private final SimulatedCluster cluster = SimulatedCluster.builder().build();
  private final KubernetesSimulation sim = KubernetesSimulation.start(cluster);
  private final KubernetesClient client = sim.client();

  private final ExecutorService actionThread = Executors.newSingleThreadExecutor();

  @AfterEach
  void close() {
    actionThread.shutdownNow();
    sim.close();
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace("shop").withName(name).get();
  }

  private List<String> podNames(String app) {
    return client.pods().inNamespace("shop").withLabel("app", app).list().getItems().stream()
        .map(p -> p.getMetadata().getName()).sorted().toList();
  }

  @Test
  void publishesEveryServiceAsTheObjectsAClusterHolds() {
    for (var s : cluster.topology().services().values()) {
      Deployment d = deployment(s.name());
      assertThat(d.getSpec().getReplicas()).isEqualTo(s.replicas());
      assertThat(d.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2");
      assertThat(podNames(s.name())).isEqualTo(s.pods().stream().sorted().toList());
      HorizontalPodAutoscaler hpa = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop")
          .withName(s.name()).get();
      assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(s.maxReplicas());
      assertThat(client.policy().v1().podDisruptionBudget().inNamespace("shop").withName(s.name()).get()
          .getSpec().getMinAvailable().getIntVal()).isEqualTo(s.minAvailable());
    }
    List<ReplicaSet> rs = client.apps().replicaSets().inNamespace("shop").withLabel("app", "cart").list()
        .getItems();
    assertThat(rs).extracting(r -> r.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"))
        .containsExactlyInAnyOrder("1", "2");
    Pod pod = client.pods().inNamespace("shop").withName(podNames("cart").get(0)).get();
    assertThat(pod.getMetadata().getOwnerReferences().get(0).getName()).isEqualTo("cart-r2");
    assertThat(pod.getSpec().getNodeName()).isEqualTo(cluster.podNodes("cart").get(pod.getMetadata().getName()));
    assertThat(client.nodes().list().getItems()).hasSize(3);
    GenericKubernetesResource cert = client.genericKubernetesResources("cert-manager.io/v1", "Certificate")
        .inNamespace("shop").withName("payments-mtls").get();
    assertThat(status(cert).get("notAfter")).isEqualTo(cluster.snapshot().certificates().stream()
        .filter(c -> c.name().equals("payments-mtls")).findFirst().orElseThrow().expiresAt().toString());
  }

  @Test
  void objectsNobodyChangedKeepTheirResourceVersionAcrossSteps() {
    Map<String, String> before = versions();
    for (int i = 0; i < 5; i++) {
      sim.advance(Duration.ofSeconds(30));
    }
    assertThat(versions()).isEqualTo(before);
  }

  private Map<String, String> versions() {
    List<HasMetadata> all = new ArrayList<>(client.apps().deployments().inNamespace("shop").list().getItems());
    all.addAll(client.apps().replicaSets().inNamespace("shop").list().getItems());
    all.addAll(client.pods().inNamespace("shop").list().getItems());
    all.addAll(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop").list().getItems());
    all.addAll(client.policy().v1().podDisruptionBudget().inNamespace("shop").list().getItems());
    return all.stream().collect(Collectors.toMap(o -> o.getKind() + "/" + o.getMetadata().getName(),
        o -> o.getMetadata().getResourceVersion()));
  }

  @Test
  void aReplicasChangeThroughTheApiScalesTheSimulationAndIsListedAsUnattributedWithoutMarks() {
    Deployment d = deployment("cart");
    d.getSpec().setReplicas(5);
    client.apps().deployments().inNamespace("shop").resource(d).update();
    assertThat(cluster.replicas("cart")).isEqualTo(5);
    assertThat(podNames("cart")).hasSize(5);
    assertThat(sim.unattributed()).containsExactly("scale-out(cart;3->5) on Deployment cart");
  }

  @Test
  void anHpaMinimumAboveTheReplicasScalesUpAndCarriesTheMarksToTheOracle() {
    HorizontalPodAutoscaler h = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop")
        .withName("cart").get();
    h.getSpec().setMinReplicas(6);
    h.getMetadata().getAnnotations().putAll(Map.of(KubernetesSimulation.INCIDENT, "INC-9",
        KubernetesSimulation.KEY, "k-1", KubernetesSimulation.TOKEN, "3"));
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("shop").resource(h).update();
    assertThat(cluster.replicas("cart")).isEqualTo(6);
    assertThat(sim.unattributed()).isEmpty();
    assertThat(cluster.oracle().effectsChecked()).isEqualTo(1);
  }

  @Test
  void evictionsKeepTheBudgetUntilReplacementsAreReady() {
    List<String> pods = podNames("cart");  // 3 replicas, minAvailable 2: one disruption at a time
    String first = pods.get(0);
    assertThat(evict(first)).isTrue();
    assertThat(podNames("cart")).doesNotContain(first).hasSize(3);  // the replacement is created at once
    assertThat(evict(pods.get(1))).as("fabric8 answers a 429 eviction with false").isFalse();
    var last = sim.api().exchanges().get(sim.api().exchanges().size() - 1);
    assertThat(last.path()).endsWith("/pods/" + pods.get(1) + "/eviction");
    assertThat(last.code()).isEqualTo(429);
    assertThat(podNames("cart")).contains(pods.get(1));
    sim.advance(Duration.ofSeconds(30));  // the replacement is ready now
    assertThat(evict(pods.get(1))).isTrue();
  }

  @Test
  void aReplacementIsPublishedNotReadyUntilTheNextStep() {
    String first = podNames("cart").get(0);
    assertThat(evict(first)).isTrue();
    List<Pod> unready = client.pods().inNamespace("shop").withLabel("app", "cart").list().getItems().stream()
        .filter(p -> !ready(p)).toList();
    assertThat(unready).singleElement().satisfies(p -> assertThat(cluster.podNodes("cart"))
        .containsKey(p.getMetadata().getName()));
    Deployment d = deployment("cart");
    assertThat(d.getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(2);
    assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace("shop").withName("cart").get().getStatus()
        .getCurrentHealthy()).isEqualTo(2);
    sim.advance(Duration.ofSeconds(15));
    assertThat(client.pods().inNamespace("shop").withLabel("app", "cart").list().getItems())
        .allMatch(KubernetesSimulationTest::ready);
    assertThat(deployment("cart").getStatus().getReadyReplicas()).isEqualTo(3);
  }

  private static boolean ready(Pod p) {
    return p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
        && "True".equals(c.getStatus()));
  }

  @Test
  void aNewRestartedAtInThePodTemplateRestartsEveryPodAndCarriesTheMarksToTheOracle() {
    List<String> before = podNames("recommendation");
    Deployment d = deployment("recommendation");
    d.getSpec().getTemplate().getMetadata().setAnnotations(Map.of(KubernetesSimulation.RESTARTED_AT,
        "2026-03-02T08:00:00Z"));
    d.getMetadata().getAnnotations().putAll(Map.of(KubernetesSimulation.INCIDENT, "INC-9",
        KubernetesSimulation.KEY, "k-1", KubernetesSimulation.TOKEN, "3"));
    client.apps().deployments().inNamespace("shop").resource(d).update();
    assertThat(podNames("recommendation")).hasSize(2).doesNotContainAnyElementsOf(before);
    Deployment rolling = deployment("recommendation");
    assertThat(rolling.getStatus().getObservedGeneration()).isEqualTo(rolling.getMetadata().getGeneration());
    assertThat(rolling.getStatus().getUpdatedReplicas()).isEqualTo(2);
    assertThat(rolling.getStatus().getAvailableReplicas()).isZero();  // the replacements are ready at the next step
    assertThat(sim.unattributed()).isEmpty();
    assertThat(cluster.oracle().effectsChecked()).isEqualTo(1);
    sim.advance(Duration.ofSeconds(15));
    assertThat(deployment("recommendation").getStatus().getAvailableReplicas()).isEqualTo(2);
    List<String> restarted = podNames("recommendation");
    client.apps().deployments().inNamespace("shop").resource(deployment("recommendation")).update();
    assertThat(podNames("recommendation")).as("the same restartedAt restarts nothing again").isEqualTo(restarted);
    assertThat(cluster.oracle().effectsChecked()).isEqualTo(1);
    assertThat(cluster.oracle().violations()).isEmpty();
  }

  // ------------------------------------------------------------------ the restart executor, stepped like a harness

  private final KubernetesRestartExecutor restart = KubernetesRestartExecutor.builder(client)
      .setNamespaces(NamespacePolicy.allowing(Set.of("shop"))).setClock(cluster.clock()).build();

  /**
   * Runs {@code action} on a thread of its own, as the agent's action threads do, and steps the simulation whenever
   * the executor waits on the virtual clock (what a harness with action threads does); how many steps it took.
   */
  private int stepWhileItWaits(Action action, List<ActionResult> result) {
    CompletableFuture<ActionResult> running = CompletableFuture.supplyAsync(() -> restart.execute(action,
        new ExecutionContext("INC-7", "k-7", 1, false)), actionThread);
    int steps = 0;
    while (!running.isDone()) {
      if (cluster.clock().parked() > 0) {
        assertThat(steps++).as("steps while the executor waits").isLessThan(40);
        sim.advance(Duration.ofSeconds(15));
      } else {
        Thread.onSpinWait();
        Thread.yield();
      }
    }
    result.add(running.join());
    return steps;
  }

  @Test
  void theRestartExecutorsWavesWaitForEachReplacementSoTheBudgetIsNeverRefused() {
    List<String> two = podNames("cart").subList(0, 2);  // 3 replicas, minAvailable 2: one at a time
    List<ActionResult> r = new ArrayList<>();
    int steps = stepWhileItWaits(new Action.RestartPods("cart", two), r);
    assertThat(r.get(0).status()).as(r.get(0).message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(steps).as("the second eviction waited for a step").isPositive();
    assertThat(sim.api().exchanges()).noneMatch(e -> e.code() == 429);
    assertThat(cluster.podNodes("cart")).doesNotContainKeys(two.toArray(String[]::new));
    assertThat(sim.unattributed()).isEmpty();
    assertThat(cluster.oracle().effectsChecked()).isEqualTo(1);
    assertThat(cluster.oracle().violations()).isEmpty();
  }

  @Test
  void theRestartExecutorsRollingRestartCompletesAtTheStepTheReplacementsAreReady() {
    List<String> every = podNames("recommendation");
    List<ActionResult> r = new ArrayList<>();
    int steps = stepWhileItWaits(new Action.RestartPods("recommendation", every), r);
    assertThat(r.get(0).status()).as(r.get(0).message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.get(0).message()).contains("rolling restart", "rollout complete");
    assertThat(steps).isPositive();
    assertThat(podNames("recommendation")).hasSize(2).doesNotContainAnyElementsOf(every);
    assertThat(sim.api().exchanges()).noneMatch(e -> e.path().contains("/eviction"));
    assertThat(sim.unattributed()).isEmpty();
    assertThat(cluster.oracle().effectsChecked()).isEqualTo(1);
    assertThat(cluster.oracle().violations()).isEmpty();
  }

  private boolean evict(String pod) {
    return client.pods().inNamespace("shop").withName(pod).evict(new EvictionBuilder().withNewMetadata()
        .withName(pod).withNamespace("shop").endMetadata().build());
  }

  @Test
  void aTemplateFromAnOlderReplicaSetRollsTheSimulationBackAndRenumbersTheRevision() {
    cluster.injectBadDeploy("cart", 0.3, Duration.ofMillis(50));
    sim.sync();
    assertThat(deployment("cart").getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision",
        "3");
    ReplicaSet healthy = client.apps().replicaSets().inNamespace("shop").withName("cart-r2").get();
    Deployment d = deployment("cart");
    d.getSpec().setTemplate(healthy.getSpec().getTemplate());
    d.getSpec().getTemplate().getMetadata().getLabels().remove("pod-template-hash");
    client.apps().deployments().inNamespace("shop").resource(d).update();
    assertThat(cluster.currentRevision("cart")).isEqualTo("r2");
    assertThat(deployment("cart").getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision",
        "4");
    assertThat(sim.unattributed()).containsExactly("rollback(cart;3->2) on Deployment cart");
  }

  @Test
  void theIssuingConditionRenewsTheCertificateAndClearsIt() {
    Instant before = expiry("payments-mtls");
    var certs = client.genericKubernetesResources("cert-manager.io/v1", "Certificate").inNamespace("shop");
    GenericKubernetesResource c = certs.withName("payments-mtls").get();
    @SuppressWarnings("unchecked")
    List<Object> conditions = (List<Object>) status(c).get("conditions");
    conditions.add(Map.of("type", "Issuing", "status", "True", "reason", "ManuallyTriggered"));
    certs.resource(c).updateStatus();
    Instant after = Instant.parse((String) status(certs.withName("payments-mtls").get()).get("notAfter"));
    assertThat(after).isAfter(before).isEqualTo(expiry("payments-mtls"));
    assertThat(status(certs.withName("payments-mtls").get()).get("conditions").toString()).doesNotContain("Issuing");
  }

  @Test
  void aStaleWriteIsAConflictNotAnOverwrite() {
    Deployment stale = deployment("cart");
    Deployment fresh = deployment("cart");
    fresh.getSpec().setReplicas(4);
    client.apps().deployments().inNamespace("shop").resource(fresh).update();
    stale.getSpec().setReplicas(6);
    assertThatThrownBy(() -> client.apps().deployments().inNamespace("shop").resource(stale).update())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(cluster.replicas("cart")).isEqualTo(4);
  }

  private Instant expiry(String name) {
    return cluster.snapshot().certificates().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow()
        .expiresAt();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(GenericKubernetesResource r) {
    return (Map<String, Object>) r.getAdditionalProperties().get("status");
  }
}
