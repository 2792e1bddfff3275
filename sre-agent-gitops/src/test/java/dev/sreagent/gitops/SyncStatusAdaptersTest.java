package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ArgoCdSyncStatus} and {@link FluxSyncStatus} against fabric8's mock API server (CRUD mode): the objects are
 * stored there as Argo CD and Flux write them, and read back through a real fabric8 client over HTTP.
 */
class SyncStatusAdaptersTest {
  static final String AGENTS = "4f2c5e0d9a1b3c4d5e6f708192a3b4c5d6e7f809";
  static final String OLDER = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
  static final ImageRollback CART = new ImageRollback("shop", "cart", null, "registry.example.com/shop/cart:1.3.0",
      "registry.example.com/shop/cart:1.2.9");

  KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), crud, false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  void serve(ResourceDefinitionContext type) {
    crud.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup(type.getGroup())
        .withVersion(type.getVersion()).withKind(type.getKind()).withPlural(type.getPlural())
        .withScope("Namespaced").build());
  }

  void put(ResourceDefinitionContext type, String namespace, String name, long generation, Map<String, Object> spec,
      Map<String, Object> status) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(type.getGroup() + "/" + type.getVersion());
    r.setKind(type.getKind());
    r.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withGeneration(generation).build());
    r.setAdditionalProperty("spec", spec);
    r.setAdditionalProperty("status", status);
    client.genericKubernetesResources(type).inNamespace(namespace).resource(r).createOr(u -> u.update());
  }

  void application(String sync, String revision, String health, List<Map<String, Object>> history) {
    put(ArgoCdSyncStatus.APPLICATIONS, "argocd", "shop-cart", 1, Map.of("project", "default"), Map.of(
        "sync", Map.of("status", sync, "revision", revision),
        "health", Map.of("status", health),
        "operationState", Map.of("phase", "Succeeded"),
        "history", history));
  }

  ArgoCdSyncStatus argo() {
    return ArgoCdSyncStatus.builder().setClient(client).setApplication("shop-cart").build();
  }

  @Test
  void argoCdSyncedAndHealthyIsTheRevisionTheClusterRuns() {
    serve(ArgoCdSyncStatus.APPLICATIONS);
    application("Synced", AGENTS, "Healthy", List.of());
    ArgoCdSyncStatus argo = argo();

    assertThat(argo.observe(CART).syncedRevision()).isEqualTo(AGENTS);
    assertThat(argo.describe()).isEqualTo("Argo CD application argocd/shop-cart: sync Synced (revision " + AGENTS
        + "), health Healthy, last sync operation Succeeded");

    application("Synced", OLDER, "Healthy", List.of());  // synced, but to another commit: reported as it is
    assertThat(argo.observe(CART).syncedRevision()).isEqualTo(OLDER);
  }

  @Test
  void argoCdOutOfSyncOrNotYetHealthyReportsNothingAndNamesWhatItSaw() {
    serve(ArgoCdSyncStatus.APPLICATIONS);
    ArgoCdSyncStatus argo = argo();
    assertThat(argo.describe()).isEqualTo("Argo CD application in namespace argocd");

    application("OutOfSync", AGENTS, "Healthy", List.of());
    SyncStatus.Observation o = argo.observe(CART);
    assertThat(o.known()).isFalse();
    assertThat(argo.describe()).contains("argocd/shop-cart: sync OutOfSync (revision " + AGENTS + ")");

    application("Synced", AGENTS, "Progressing", List.of());  // applied, the rollout not finished
    assertThat(argo.observe(CART).known()).isFalse();
    assertThat(argo.describe()).contains("sync Synced", "health Progressing");
    ArgoCdSyncStatus anyHealth = ArgoCdSyncStatus.builder().setClient(client).setApplicationOf(r -> "shop-"
        + r.workload()).setRequireHealthy(false).build();
    assertThat(anyHealth.observe(CART).syncedRevision()).isEqualTo(AGENTS);
  }

  @Test
  void argoCdHistoryListsTheDeployedRevisionsNewestFirst() {
    serve(ArgoCdSyncStatus.APPLICATIONS);
    application("Synced", AGENTS, "Healthy", List.of(
        Map.of("id", 3, "revision", OLDER, "deployedAt", "2026-03-01T10:00:00Z"),
        Map.of("id", 4, "revision", AGENTS, "deployedAt", "2026-03-01T11:00:00Z")));
    assertThat(argo().history("shop-cart")).containsExactly(
        new ArgoCdSyncStatus.Deployment(4, AGENTS, "2026-03-01T11:00:00Z"),
        new ArgoCdSyncStatus.Deployment(3, OLDER, "2026-03-01T10:00:00Z"));
  }

  @Test
  void aMissingCrdOrApplicationIsNamedWithTheFix() {
    assertThatThrownBy(() -> argo().observe(CART)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the cluster does not serve applications.argoproj.io/v1alpha1")
        .hasMessageContaining("Argo CD Application CRD is missing");

    serve(ArgoCdSyncStatus.APPLICATIONS);
    assertThatThrownBy(() -> argo().observe(CART)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Argo CD Application argocd/shop-cart not found: check the application name and"
            + " namespace given to ArgoCdSyncStatus");

    assertThatThrownBy(() -> FluxSyncStatus.builder().setClient(client).setKustomization("apps").build()
        .observe(CART)).hasMessageContaining("does not serve kustomizations.kustomize.toolkit.fluxcd.io/v1");
    assertThatThrownBy(() -> ArgoCdSyncStatus.builder().setClient(client).build())
        .hasMessageContaining("setApplication(name)");
  }

  @Test
  void aMultiSourceApplicationIsRefused() {
    serve(ArgoCdSyncStatus.APPLICATIONS);
    put(ArgoCdSyncStatus.APPLICATIONS, "argocd", "shop-cart", 1, Map.of(), Map.of("sync", Map.of("status",
        "Synced", "revisions", List.of(AGENTS, OLDER)), "health", Map.of("status", "Healthy")));
    assertThatThrownBy(() -> argo().observe(CART)).hasMessageContaining("has several sources")
        .hasMessageContaining("SyncStatus.workloadImages");
  }

  void kustomization(long generation, long observed, boolean suspend, String ready, String reason, String message,
      String applied, String attempted) {
    put(FluxSyncStatus.KUSTOMIZATIONS, "flux-system", "apps", generation, Map.of("suspend", suspend,
        "path", "./overlays/prod"), Map.of("observedGeneration", observed,
        "lastAppliedRevision", applied, "lastAttemptedRevision", attempted,
        "conditions", List.of(Map.of("type", "Ready", "status", ready, "reason", reason, "message", message))));
  }

  @Test
  void fluxReadyAtTheCurrentGenerationIsTheAppliedCommit() {
    serve(FluxSyncStatus.KUSTOMIZATIONS);
    FluxSyncStatus flux = FluxSyncStatus.builder().setClient(client).setKustomization("apps").build();
    kustomization(2, 2, false, "True", "ReconciliationSucceeded", "Applied revision: main@sha1:" + AGENTS,
        "main@sha1:" + AGENTS, "main@sha1:" + AGENTS);

    assertThat(flux.observe(CART).syncedRevision()).isEqualTo(AGENTS);
    assertThat(flux.describe()).isEqualTo("Flux Kustomization flux-system/apps: Ready True (ReconciliationSucceeded:"
        + " Applied revision: main@sha1:" + AGENTS + "), last applied revision main@sha1:" + AGENTS);
  }

  @Test
  void fluxNotReadyStaleOrSuspendedReportsNothingAndNamesWhatItSaw() {
    serve(FluxSyncStatus.KUSTOMIZATIONS);
    FluxSyncStatus flux = FluxSyncStatus.builder().setClient(client).setKustomization("apps").build();

    kustomization(2, 2, false, "False", "HealthCheckFailed", "timeout waiting for: [Deployment/shop/cart]",
        "main@sha1:" + OLDER, "main@sha1:" + AGENTS);
    assertThat(flux.observe(CART).known()).isFalse();
    assertThat(flux.describe()).contains("Ready False (HealthCheckFailed: timeout waiting for:",
        "last applied revision main@sha1:" + OLDER, "last attempted main@sha1:" + AGENTS);

    // the spec changed since Flux reconciled (the mock API server keeps metadata.generation itself: at least 1)
    kustomization(3, 0, false, "True", "ReconciliationSucceeded", "ok", "main@sha1:" + AGENTS, "main@sha1:" + AGENTS);
    assertThat(client.genericKubernetesResources(FluxSyncStatus.KUSTOMIZATIONS).inNamespace("flux-system")
        .withName("apps").get().getMetadata().getGeneration()).isPositive();
    assertThat(flux.observe(CART).known()).isFalse();
    assertThat(flux.describe()).contains("status of an older generation");

    kustomization(2, 2, true, "True", "ReconciliationSucceeded", "ok", "main@sha1:" + AGENTS, "main@sha1:" + AGENTS);
    assertThat(flux.observe(CART).known()).isFalse();
    assertThat(flux.describe()).contains("suspended (flux resume kustomization apps -n flux-system)");
  }

  @Test
  void fluxRevisionsAreReadInEveryFormAndAnOciDigestIsRefused() {
    assertThat(FluxSyncStatus.commitOf("x", "main@sha1:" + AGENTS)).isEqualTo(AGENTS);
    assertThat(FluxSyncStatus.commitOf("x", "refs/heads/main@sha1:" + AGENTS)).isEqualTo(AGENTS);
    assertThat(FluxSyncStatus.commitOf("x", "main/" + AGENTS)).isEqualTo(AGENTS);
    assertThat(FluxSyncStatus.commitOf("x", "sha1:" + AGENTS)).isEqualTo(AGENTS);
    assertThat(FluxSyncStatus.commitOf("x", AGENTS)).isEqualTo(AGENTS);
    assertThatThrownBy(() -> FluxSyncStatus.commitOf("flux-system/apps", "latest@sha256:" + AGENTS + "abcdef0123456789abcdef01"))
        .hasMessageContaining("Flux Kustomization flux-system/apps applied revision 'latest@sha256:")
        .hasMessageContaining("not a Git commit");
  }
}
