package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/kubernetes/} holds together: its RBAC is the one the Kubernetes module ships (which
 * {@code RbacManifestTest} holds to what the adapter checks), its config is a valid {@code run} configuration for
 * the pod's service account, the Deployment runs that config with that account, and the namespaces the config
 * watches are the ones the RoleBindings grant.
 */
class DeployManifestsTest {
  private static final Path DIR = Path.of("..", "..", "deploy", "kubernetes");
  private final KubernetesSerialization yaml = new KubernetesSerialization();

  private List<HasMetadata> load(String file) throws IOException {
    Object parsed = yaml.unmarshal(Files.readString(DIR.resolve(file)));
    List<HasMetadata> out = new ArrayList<>();
    if (parsed instanceof List<?> l) {
      l.forEach(o -> out.add((HasMetadata) o));
    } else {
      out.add((HasMetadata) parsed);
    }
    return out;
  }

  @Test
  void theRbacIsTheOneTheKubernetesModuleShips() throws IOException {
    try (InputStream in = dev.sreagent.k8s.KubernetesAdapter.class.getResourceAsStream("/rbac/sre-agent-rbac.yaml")) {
      assertThat(Files.readString(DIR.resolve("rbac.yaml"))).isEqualTo(new String(in.readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  void theConfigIsAValidInClusterRunConfigForTheBoundNamespaces() throws IOException {
    ConfigMap cm = (ConfigMap) load("config.yaml").get(0);
    Path conf = Files.createTempFile("sre-agent", ".conf");
    Files.writeString(conf, cm.getData().get("sre-agent.conf"));
    RunConfig c = RunConfig.read(conf);  // throws listing every problem
    assertThat(c.inCluster).isTrue();
    assertThat(c.kubernetesProblem()).isNull();
    assertThat(c.phase).isEqualTo(dev.sreagent.api.model.Phase.OBSERVE);
    Set<String> bound = load("rbac.yaml").stream().filter(RoleBinding.class::isInstance)
        .map(o -> o.getMetadata().getNamespace()).collect(Collectors.toSet());
    assertThat(c.kubeNamespaces).isNotEmpty().isSubsetOf(bound);
    assertThat(c.audit.toString()).startsWith("/var/lib/sre-agent/");
    assertThat(c.adminHost).as("the probes reach the pod's address").isEqualTo("0.0.0.0");
  }

  @Test
  void theProbesAndThePrometheusAnnotationsReachTheConfiguredAdminPort() throws IOException {
    ConfigMap cm = (ConfigMap) load("config.yaml").get(0);
    Path conf = Files.createTempFile("sre-agent", ".conf");
    Files.writeString(conf, cm.getData().get("sre-agent.conf"));
    int adminPort = RunConfig.read(conf).adminPort;
    Deployment d = load("deployment.yaml").stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .findFirst().orElseThrow();
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getPorts()).anySatisfy(p -> {
      assertThat(p.getName()).isEqualTo("admin");
      assertThat(p.getContainerPort()).isEqualTo(adminPort);
    });
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    // one slow answer is not a dead agent: three failures in a row, each given 5 s
    assertThat(c.getLivenessProbe().getFailureThreshold()).isGreaterThanOrEqualTo(3);
    assertThat(c.getLivenessProbe().getTimeoutSeconds()).isGreaterThanOrEqualTo(5);
    // out of memory on a thread other than the loop's is invisible to /healthz: the JVM exits instead
    assertThat(c.getEnv()).anySatisfy(e -> assertThat(e.getValue()).contains("-XX:+ExitOnOutOfMemoryError"));
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/port", Integer.toString(adminPort)).containsEntry("prometheus.io/path", "/metrics");
  }

  @Test
  void theDeploymentRunsThatConfigWithTheAgentsAccountAndOneReplica() throws IOException {
    Deployment d = load("deployment.yaml").stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .findFirst().orElseThrow();
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("sre-agent");
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getArgs()).containsExactly("run", "--config", "/etc/sre-agent/sre-agent.conf");
    assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath)
        .contains("/etc/sre-agent", "/var/lib/sre-agent", "/tmp");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("SRE_AGENT_AUDIT_KEY"));
    assertThat(Files.readString(DIR.resolve("kustomization.yaml"))).contains("namespace.yaml", "rbac.yaml",
        "config.yaml", "deployment.yaml");
  }
}
