package dev.sreagent.testkit.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesSimulationTest {
  private final SimulatedCluster cluster = SimulatedCluster.builder().build();
  private final KubernetesSimulation sim = KubernetesSimulation.start(cluster);
  private final KubernetesClient client = sim.client();

  @AfterEach
  void close() {
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
