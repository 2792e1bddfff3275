package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.testkit.k8s.KubernetesApiEmulator;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sre-agent run --kubeconfig}: the wiring against a Kubernetes API (the testkit's emulator). */
class RealModeKubernetesTest {
  private KubernetesApiEmulator api;
  @TempDir Path dir;
  private Path kubeconfig;

  @BeforeEach
  void cluster() throws Exception {
    api = KubernetesApiEmulator.start();
    api.client().apps().deployments().inNamespace("shop").resource(new DeploymentBuilder().withNewMetadata()
        .withName("cart").withNamespace("shop").withLabels(Map.of("app.kubernetes.io/name", "cart")).endMetadata()
        .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "cart")).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "cart")).endMetadata().withNewSpec()
        .addNewContainer().withName("cart").withImage("registry.local/shop/cart:r1").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: emulator",
        "  cluster: {server: '" + api.client().getMasterUrl() + "'}",
        "users:",
        "- name: agent",
        "  user: {token: not-checked-by-the-emulator}",
        "contexts:",
        "- name: test",
        "  context: {cluster: emulator, user: agent, namespace: shop}",
        "current-context: test",
        ""));
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private int run(ByteArrayOutputStream out, String... args) {
    List<String> all = new ArrayList<>(List.of("--otlp", "127.0.0.1:0", "--audit", dir.resolve("audit.jsonl")
        .toString()));
    all.addAll(List.of(args));
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    return RealMode.run(all, ps, ps, new CountDownLatch(0));
  }

  @Test
  void aKubeconfigWiresTopologyEventsAndExecutorsAfterThePermissionCheck() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(run(out, "--kubeconfig", kubeconfig.toString(), "--namespaces", "shop")).as(out.toString(
        StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("sre-agent run: kubernetes " + api.client().getMasterUrl() + " (kubeconfig " + kubeconfig
            + ", context test): namespaces [shop], 1 service, executors restart, scale, rollback, truncate-logs,"
            + " renew-certificate")
        .contains("phase OBSERVE").contains("stopped");
    assertThat(api.exchanges()).anySatisfy(e -> assertThat(e.path())
        .startsWith("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"));
    assertThat(api.exchanges()).filteredOn(KubernetesApiEmulator.Exchange::acceptedWrite)  // observe: no change
        .extracting(KubernetesApiEmulator.Exchange::path).allMatch(p -> p.contains("selfsubjectaccessreviews")
            || p.equals("/apis/apps/v1/namespaces/shop/deployments"));  // the reviews, and the fixture's create
    assertThat(api.writes("/apis/apps/v1/namespaces/shop/deployments/")).isEmpty();
  }

  @Test
  void aMissingVerbStopsTheStartNamingItAndTheManifest() {
    api.deny("create", "pods/exec");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(run(out, "--kubeconfig", kubeconfig.toString(), "--namespaces", "shop")).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("cannot start:").contains("create pods/exec in shop")
        .contains("deploy/kubernetes/rbac.yaml").contains("kubernetes.executors");
    // without the executor that needs it, the same account starts
    ByteArrayOutputStream fewer = new ByteArrayOutputStream();
    Path conf = dir.resolve("run.conf");
    try {
      Files.writeString(conf, "kubernetes.kubeconfig = " + kubeconfig + "\nkubernetes.namespaces = shop\n"
          + "kubernetes.executors = restart, scale, rollback, renew-certificate\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(run(fewer, "--config", conf.toString())).as(fewer.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(fewer.toString(StandardCharsets.UTF_8)).contains("executors restart, scale, rollback,"
        + " renew-certificate");
  }

  @Test
  void inconsistentClusterSettingsAreRefusedBeforeAnyConnection() throws Exception {
    ByteArrayOutputStream noNamespaces = new ByteArrayOutputStream();
    assertThat(run(noNamespaces, "--kubeconfig", kubeconfig.toString())).isEqualTo(2);
    assertThat(noNamespaces.toString(StandardCharsets.UTF_8)).contains("needs kubernetes.namespaces (--namespaces");

    ByteArrayOutputStream both = new ByteArrayOutputStream();
    assertThat(run(both, "--kubeconfig", kubeconfig.toString(), "--in-cluster", "--namespaces", "shop"))
        .isEqualTo(2);
    assertThat(both.toString(StandardCharsets.UTF_8)).contains("exclude each other");

    ByteArrayOutputStream noCluster = new ByteArrayOutputStream();
    assertThat(run(noCluster, "--namespaces", "shop")).isEqualTo(2);
    assertThat(noCluster.toString(StandardCharsets.UTF_8)).contains("without a cluster");

    ByteArrayOutputStream missingFile = new ByteArrayOutputStream();
    assertThat(run(missingFile, "--kubeconfig", dir.resolve("nope").toString(), "--namespaces", "shop"))
        .isEqualTo(2);
    assertThat(missingFile.toString(StandardCharsets.UTF_8)).contains("cannot read the kubeconfig");

    Path conf = dir.resolve("bad.conf");
    Files.writeString(conf, "kubernetes.executors = restart, delete-pods\nkubernetes.namespacez = shop\n");
    ByteArrayOutputStream bad = new ByteArrayOutputStream();
    assertThat(run(bad, "--config", conf.toString())).isEqualTo(2);
    assertThat(bad.toString(StandardCharsets.UTF_8))
        .contains(conf + ":1: kubernetes.executors: unknown Kubernetes executor 'delete-pods'")
        .contains(conf + ":2: unknown key 'kubernetes.namespacez'");
    assertThat(api.exchanges()).hasSize(1);  // the fixture's create only: no run reached the API
  }
}
