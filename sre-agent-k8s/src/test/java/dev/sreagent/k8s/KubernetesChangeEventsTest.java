package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Clock;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesChangeEventsTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private final ApiServer api = new ApiServer();
  private final KubernetesClient client = api.client;
  private final List<Signal> signals = new CopyOnWriteArrayList<>();
  private KubernetesChangeEvents source;

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
    api.close();
  }

  private void start(Duration resync) {
    source = KubernetesChangeEvents.builder(client).setNamespaces(Set.of("shop")).setClock(Clock.fixed(NOW))
        .setResync(resync).setSyncTimeout(Duration.ofSeconds(10)).build();
    source.start(signals::add);
  }

  private void start() {
    start(Duration.ofMinutes(5));
  }

  /** Polls {@code condition} for at most 10 s (a bounded wait for informer delivery, not a timed assertion). */
  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private List<Signal> matching(Predicate<Signal> p) {
    return signals.stream().filter(p).toList();
  }

  private static Predicate<Signal> change(String kind) {
    return s -> s instanceof ChangeEvent c && c.kind().equals(kind);
  }

  private static Predicate<Signal> log(String reason) {
    return s -> s instanceof LogRecord r && reason.equals(r.attributes().get("k8s.event.reason"));
  }

  /** Waits until the informers handled {@code more} notifications beyond {@code since} (a later delivery). */
  private void awaitObservations(long since, long more) throws InterruptedException {
    await(() -> source.observations() >= since + more);
    assertThat(source.observations()).as("notifications delivered").isGreaterThanOrEqualTo(since + more);
  }

  private void shop() {
    ClusterFixtures.workload(client, "shop", "cart");
    ClusterFixtures.pod(client, "shop", "cart-5d8f7c-a1", "cart", "node-1");
  }

  private void rollout(String revision, String image, String restartedAt) {
    client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
      d.getMetadata().getAnnotations().put("deployment.kubernetes.io/revision", revision);
      d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
      if (restartedAt != null) {
        d.getSpec().getTemplate().getMetadata().setAnnotations(java.util.Map.of("kubectl.kubernetes.io/restartedAt",
            restartedAt));
      }
      return d;
    });
  }

  @Test
  void backToEarlierImagesIsARollbackAndARolloutRestartIsARestartNotADeploy() throws Exception {
    shop();
    start();
    rollout("4", "cart:2", null);
    await(() -> signals.size() >= 1);
    rollout("5", "cart:1", null);  // kubectl rollout undo, or the agent's own rollback
    await(() -> signals.size() >= 2);
    rollout("6", "cart:1", "2026-03-01T12:00:00Z");  // kubectl rollout restart
    await(() -> signals.size() >= 3);
    rollout("7", "cart:3", "2026-03-01T12:00:00Z");
    await(() -> signals.size() >= 4);
    assertThat(signals).extracting(s -> ((ChangeEvent) s).kind() + " " + ((ChangeEvent) s).revision())
        .containsExactly("deploy 4", "rollback 5", "restart 6", "deploy 7");
    assertThat(((ChangeEvent) signals.get(1)).description()).contains("rolled back deployment shop/cart");
  }

  @Test
  void aNewRevisionIsOneDeployChangeEventOfTheService() throws Exception {
    shop();
    start();
    client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
      d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("cart:2");
      return d;  // the controller has not bumped the revision yet: not a rollout of a new revision
    });
    client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
      d.getMetadata().getAnnotations().put("deployment.kubernetes.io/revision", "4");
      return d;
    });
    await(() -> !matching(change(ChangeEvent.DEPLOY)).isEmpty());
    long seen = source.observations();
    client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
      d.getSpec().setReplicas(5);  // a scale is no rollout
      return d;
    });
    awaitObservations(seen, 1);
    List<Signal> deploys = matching(change(ChangeEvent.DEPLOY));
    assertThat(deploys).hasSize(1);
    ChangeEvent deploy = (ChangeEvent) deploys.get(0);
    assertThat(deploy.service()).isEqualTo("cart");
    assertThat(deploy.revision()).isEqualTo("4");
    assertThat(deploy.description()).contains("deployment shop/cart", "cart:2");
    assertThat(deploy.timestamp()).isEqualTo(NOW);
  }

  @Test
  void anOomKillAtANewRestartCountIsOneOomChangeEventOfTheOwningDeployment() throws Exception {
    shop();
    start();
    ClusterFixtures.oomKilled(client, "shop", "cart-5d8f7c-a1", 1);
    await(() -> !matching(change(ChangeEvent.OOM_KILLED)).isEmpty());
    long seen = source.observations();
    client.pods().inNamespace("shop").withName("cart-5d8f7c-a1").edit(p -> {
      p.getMetadata().getLabels().put("touched", "yes");  // the same OOM kill, seen again
      return p;
    });
    awaitObservations(seen, 1);
    assertThat(matching(change(ChangeEvent.OOM_KILLED))).hasSize(1);
    ChangeEvent oom = (ChangeEvent) matching(change(ChangeEvent.OOM_KILLED)).get(0);
    assertThat(oom.service()).as("pod -> ReplicaSet -> Deployment").isEqualTo("cart");
    assertThat(oom.description()).contains("shop/cart-5d8f7c-a1", "OOMKilled", "137", "256Mi");

    ClusterFixtures.oomKilled(client, "shop", "cart-5d8f7c-a1", 2);
    await(() -> matching(change(ChangeEvent.OOM_KILLED)).size() >= 2);
    assertThat(matching(change(ChangeEvent.OOM_KILLED))).as("a second kill, a new restart count").hasSize(2);
  }

  @Test
  void crashLoopBackOffIsOneErrorLogOfTheService() throws Exception {
    shop();
    start();
    ClusterFixtures.crashLooping(client, "shop", "cart-5d8f7c-a1", 3);
    await(() -> !matching(log("CrashLoopBackOff")).isEmpty());
    long seen = source.observations();
    client.pods().inNamespace("shop").withName("cart-5d8f7c-a1").edit(p -> {
      p.getMetadata().getLabels().put("touched", "yes");
      return p;
    });
    awaitObservations(seen, 1);
    assertThat(matching(log("CrashLoopBackOff"))).hasSize(1);
    LogRecord r = (LogRecord) matching(log("CrashLoopBackOff")).get(0);
    assertThat(r.service()).isEqualTo("cart");
    assertThat(r.severity()).isEqualTo("ERROR");
    assertThat(r.body()).contains("CrashLoopBackOff", "3 restarts");
    assertThat(r.attributes()).containsEntry(Attributes.K8S_POD_NAME, "cart-5d8f7c-a1")
        .containsEntry(Attributes.HOST_NAME, "node-1");
  }

  @Test
  void anEvictionIsOneWarnLogWhetherSeenAsPodStatusOrEvent() throws Exception {
    shop();
    start();
    client.pods().inNamespace("shop").withName("cart-5d8f7c-a1").edit(p -> {
      p.getStatus().setPhase("Failed");
      p.getStatus().setReason("Evicted");
      p.getStatus().setMessage("The node was low on resource: memory.");
      return p;
    });
    await(() -> !matching(log("Evicted")).isEmpty());
    io.fabric8.kubernetes.api.model.Pod pod = client.pods().inNamespace("shop").withName("cart-5d8f7c-a1").get();
    client.v1().events().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
        .withNewMetadata().withName("cart-evicted").withNamespace("shop").endMetadata().withType("Warning")
        .withReason("Evicted").withMessage("The node was low on resource: memory.").withNewInvolvedObject()
        .withKind("Pod").withName(pod.getMetadata().getName()).withNamespace("shop")
        .withUid(pod.getMetadata().getUid()).endInvolvedObject().build()).create();
    ClusterFixtures.event(client, "shop", "sentinel", "cart-5d8f7c-a1", "FailedMount", 1);
    await(() -> !matching(log("FailedMount")).isEmpty());
    assertThat(matching(log("FailedMount"))).as("the later event was delivered").hasSize(1);
    assertThat(matching(log("Evicted"))).as("one eviction, one signal").hasSize(1);
    LogRecord r = (LogRecord) matching(log("Evicted")).get(0);
    assertThat(r.service()).isEqualTo("cart");
    assertThat(r.severity()).isEqualTo("WARN");
    assertThat(r.body()).contains("evicted", "low on resource");
  }

  @Test
  void failedMountIsOneWarnLogPerEventCount() throws Exception {
    shop();
    start();
    ClusterFixtures.event(client, "shop", "cart-mount", "cart-5d8f7c-a1", "FailedMount", 1);
    await(() -> !matching(log("FailedMount")).isEmpty());
    long seen = source.observations();
    client.v1().events().inNamespace("shop").withName("cart-mount").edit(e -> {
      e.setMessage("the same count, edited");
      return e;
    });
    awaitObservations(seen, 1);
    assertThat(matching(log("FailedMount"))).hasSize(1);
    LogRecord r = (LogRecord) matching(log("FailedMount")).get(0);
    assertThat(r.service()).isEqualTo("cart");
    assertThat(r.severity()).isEqualTo("WARN");
    assertThat(r.body()).contains("FailedMount");
    client.v1().events().inNamespace("shop").withName("cart-mount").edit(e -> {
      e.setCount(2);
      return e;
    });
    await(() -> matching(log("FailedMount")).size() >= 2);
    assertThat(matching(log("FailedMount"))).as("the event again: count 2").hasSize(2);
  }

  @Test
  void aNodeNotReadyIsOneErrorLogPerServiceWithPodsOnIt() throws Exception {
    shop();
    ClusterFixtures.workload(client, "shop", "search");
    ClusterFixtures.pod(client, "shop", "search-5d8f7c-b1", "search", "node-1");
    ClusterFixtures.pod(client, "shop", "search-5d8f7c-b2", "search", "node-1");
    ClusterFixtures.workload(client, "shop", "pay");
    ClusterFixtures.pod(client, "shop", "pay-5d8f7c-c1", "pay", "node-2");
    ClusterFixtures.node(client, "node-1", "True", "2026-03-01T10:00:00Z");
    start();
    ClusterFixtures.node(client, "node-1", "Unknown", "2026-03-01T11:59:00Z");
    await(() -> matching(nodeLog()).size() >= 2);
    long seen = source.observations();
    client.nodes().withName("node-1").edit(n -> {
      n.getMetadata().setLabels(java.util.Map.of("touched", "yes"));  // still NotReady, same transition
      return n;
    });
    awaitObservations(seen, 1);
    List<Signal> logs = matching(s -> s instanceof LogRecord r && r.body().contains("NotReady"));
    assertThat(logs).extracting(Signal::service).containsExactlyInAnyOrder("cart", "search");
    assertThat(logs).allSatisfy(s -> assertThat(((LogRecord) s).severity()).isEqualTo("ERROR"));
    assertThat(((LogRecord) logs.stream().filter(s -> s.service().equals("search")).findFirst().orElseThrow())
        .body()).contains("node-1", "shop/search-5d8f7c-b1", "shop/search-5d8f7c-b2");
  }

  @Test
  void theInitialListOnlySeedsStateAndEmitsNothing() throws Exception {
    shop();
    ClusterFixtures.oomKilled(client, "shop", "cart-5d8f7c-a1", 4);
    ClusterFixtures.pod(client, "shop", "cart-5d8f7c-a2", "cart", "node-1");
    ClusterFixtures.crashLooping(client, "shop", "cart-5d8f7c-a2", 7);
    ClusterFixtures.event(client, "shop", "old-mount", "cart-5d8f7c-a1", "FailedMount", 12);
    ClusterFixtures.event(client, "shop", "old-eviction", "cart-5d8f7c-a1", "Evicted", 1);
    ClusterFixtures.node(client, "node-1", "False", "2026-03-01T08:00:00Z");
    start();
    ClusterFixtures.event(client, "shop", "sentinel", "cart-5d8f7c-a1", "FailedMount", 1);
    await(() -> !signals.isEmpty());
    long seen = source.observations();
    client.pods().inNamespace("shop").withName("cart-5d8f7c-a2").edit(p -> {
      p.getMetadata().getLabels().put("touched", "yes");  // the history of an object seen again live
      return p;
    });
    awaitObservations(seen, 1);
    assertThat(signals).as("only the change after start; the listed deploy, OOM kill, crash loop, events and"
        + " NotReady node are history").singleElement()
        .satisfies(s -> assertThat(((LogRecord) s).body()).contains("FailedMount").doesNotContain("seen 12 times"));
  }

  @Test
  void aResyncEmitsNothingAgain() throws Exception {
    shop();
    ClusterFixtures.node(client, "node-1", "True", "2026-03-01T10:00:00Z");
    start(Duration.ofMillis(200));
    ClusterFixtures.oomKilled(client, "shop", "cart-5d8f7c-a1", 1);
    ClusterFixtures.event(client, "shop", "cart-mount", "cart-5d8f7c-a1", "FailedMount", 1);
    ClusterFixtures.node(client, "node-1", "Unknown", "2026-03-01T11:59:00Z");
    client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
      d.getMetadata().getAnnotations().put("deployment.kubernetes.io/revision", "4");
      return d;
    });
    await(() -> signals.size() >= 4);
    long seen = source.observations();
    awaitObservations(seen, 15);  // several resyncs of the 5 objects (200 ms each) have been handled
    assertThat(signals).extracting(s -> s.getClass().getSimpleName() + ":" + (s instanceof ChangeEvent c ? c.kind()
        : ((LogRecord) s).attributes().getOrDefault("k8s.event.reason", "node")))
        .containsExactlyInAnyOrder("ChangeEvent:oom-killed", "ChangeEvent:deploy", "LogRecord:FailedMount",
            "LogRecord:node");
  }

  @Test
  void aNamespaceNotWatchedIsIgnored() throws Exception {
    shop();
    ClusterFixtures.workload(client, "elsewhere", "cart");
    ClusterFixtures.pod(client, "elsewhere", "cart-5d8f7c-z1", "cart", "node-1");
    start();
    ClusterFixtures.oomKilled(client, "elsewhere", "cart-5d8f7c-z1", 1);
    ClusterFixtures.event(client, "elsewhere", "mount", "cart-5d8f7c-z1", "FailedMount", 1);
    client.apps().deployments().inNamespace("elsewhere").withName("cart").edit(d -> {
      d.getMetadata().getAnnotations().put("deployment.kubernetes.io/revision", "9");
      return d;
    });
    ClusterFixtures.oomKilled(client, "shop", "cart-5d8f7c-a1", 1);  // the sentinel, written last
    await(() -> !signals.isEmpty());
    assertThat(signals).singleElement().satisfies(s -> {
      assertThat(s.service()).isEqualTo("cart");
      assertThat(((ChangeEvent) s).description()).contains("shop/cart-5d8f7c-a1");
    });
    assertThat(api.writes("/api/v1/namespaces/elsewhere")).as("the writes happened").isNotEmpty();
  }

  @Test
  void aForbiddenInformerFailsTheStartNamingIt() {
    api.forbid("/api/v1/nodes");
    source = KubernetesChangeEvents.builder(client).setNamespaces(Set.of("shop"))
        .setSyncTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> source.start(signals::add)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("[nodes]").hasMessageNotContaining("pods in shop");
  }

  @Test
  void withoutNodesNoClusterWideAccessIsNeeded() throws Exception {
    api.forbid("/api/v1/nodes");
    shop();
    source = KubernetesChangeEvents.builder(client).setNamespaces(Set.of("shop")).setWatchNodes(false)
        .setSyncTimeout(Duration.ofSeconds(5)).build();
    source.start(signals::add);
    ClusterFixtures.crashLooping(client, "shop", "cart-5d8f7c-a1", 1);
    await(() -> !signals.isEmpty());
    assertThat(signals).singleElement().extracting(Signal::service).isEqualTo("cart");
  }

  @Test
  void aBuilderWithoutNamespacesSaysWhatToCall() {
    assertThatThrownBy(() -> KubernetesChangeEvents.builder(client).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("setNamespaces");
  }

  @Test
  void servicesAreNamedLikeTheTopologyAcrossNamespacesAndForStatefulSets() throws Exception {
    shop();
    ClusterFixtures.workload(client, "staging", "cart");
    client.apps().statefulSets().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.apps
        .StatefulSetBuilder().withNewMetadata().withName("db").withNamespace("shop")
        .addToLabels("app.kubernetes.io/name", "orders-db").endMetadata().withNewSpec().withReplicas(1)
        .withNewSelector().addToMatchLabels("app", "db").endSelector().endSpec().build()).create();
    client.pods().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
        .withName("db-0").withNamespace("shop").withOwnerReferences(new io.fabric8.kubernetes.api.model
            .OwnerReferenceBuilder().withKind("StatefulSet").withName("db").withController(true).build())
        .endMetadata().withNewStatus().addNewContainerStatus().withName("db").withRestartCount(0).endContainerStatus()
        .endStatus().build()).create();
    source = KubernetesChangeEvents.builder(client).setNamespaces(Set.of("shop", "staging"))
        .setSyncTimeout(Duration.ofSeconds(10)).build();
    source.start(signals::add);
    ClusterFixtures.oomKilled(client, "shop", "cart-5d8f7c-a1", 1);
    ClusterFixtures.oomKilled(client, "shop", "db-0", 1);
    await(() -> signals.size() >= 2);
    assertThat(signals).extracting(Signal::service).as("cart is in two namespaces: keyed namespace/name")
        .containsExactlyInAnyOrder("shop/cart", "orders-db");
  }

  // ------------------------------------------------------------------ certificate expiry (cert-manager)

  private static Predicate<Signal> expiry(String certificate) {
    return s -> s instanceof MetricSample m && MetricNames.CERTIFICATE_TIME_TO_EXPIRY.equals(m.name())
        && certificate.equals(m.attributes().get(Attributes.TLS_CERTIFICATE));
  }

  @Test
  void aCertificateIsTheExpiryGaugeOfTheServiceMountingItsSecretAtStartAndOnEveryChange() throws Exception {
    shop();
    client.apps().deployments().inNamespace("shop").withName("cart").edit(d -> {
      d.getSpec().getTemplate().getSpec().getVolumes().add(new io.fabric8.kubernetes.api.model.VolumeBuilder()
          .withName("tls").withNewSecret().withSecretName("cart-tls").endSecret().build());
      return d;
    });
    KubernetesCertificateExecutorTest.certificate(client, "shop", "cart-tls", "2026-03-06T12:00:00Z");
    KubernetesCertificateExecutorTest.certificate(client, "shop", "orphan-tls", "2026-04-01T12:00:00Z");
    start();
    await(() -> matching(expiry("shop/orphan-tls")).size() >= 1 && matching(expiry("shop/cart-tls")).size() >= 1);
    MetricSample cart = (MetricSample) matching(expiry("shop/cart-tls")).get(0);
    assertThat(cart.value()).as("5 days to notAfter").isEqualTo(Duration.ofDays(5).toSeconds());
    assertThat(cart.service()).as("the workload that mounts the secret").isEqualTo("cart");
    assertThat(cart.attributes()).containsEntry(Attributes.K8S_NAMESPACE, "shop");
    assertThat(cart.timestamp()).isEqualTo(NOW);
    assertThat(matching(expiry("shop/orphan-tls")).get(0).service()).as("mounted by nothing: its own name")
        .isEqualTo("orphan-tls");

    int before = matching(expiry("shop/cart-tls")).size();
    client.genericKubernetesResources(CertManager.CERTIFICATES).inNamespace("shop").withName("cart-tls").edit(c -> {
      c.setAdditionalProperty("status", java.util.Map.of("notAfter", "2026-05-30T12:00:00Z"));
      return c;
    });
    await(() -> matching(expiry("shop/cart-tls")).size() > before);
    List<Signal> all = matching(expiry("shop/cart-tls"));
    assertThat(((MetricSample) all.get(all.size() - 1)).value()).as("renewed: 90 days")
        .isEqualTo(Duration.ofDays(90).toSeconds());
  }

  @Test
  void withoutCertManagerTheOtherSignalsStillFlowAndNoExpiryIsEmitted() throws Exception {
    api.withoutResourceType("/apis/cert-manager.io/");
    shop();
    start();
    ClusterFixtures.oomKilled(client, "shop", "cart-5d8f7c-a1", 1);
    await(() -> !matching(change(ChangeEvent.OOM_KILLED)).isEmpty());
    assertThat(matching(change(ChangeEvent.OOM_KILLED))).hasSize(1);
    assertThat(signals).noneMatch(s -> s instanceof MetricSample);
  }

  private static Predicate<Signal> nodeLog() {
    return s -> s instanceof LogRecord r && r.body().contains("NotReady");
  }
}
