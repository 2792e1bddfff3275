package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The shipped RBAC manifest grants exactly what {@link KubernetesAdapter#requiredPermissions} checks: every required
 * permission through a binding of the agent's ServiceAccount (namespaced ones by a RoleBinding in that namespace,
 * cluster-wide ones by a ClusterRoleBinding), and no verb on any resource that no required permission needs.
 * What it does not evaluate: wildcards and aggregated roles (the manifest uses neither; a wildcard fails this test).
 */
class RbacManifestTest {
  private static final String SA = "sre-agent";

  private final List<HasMetadata> objects = load();

  private static List<HasMetadata> load() {
    try (InputStream in = RbacManifestTest.class.getResourceAsStream("/rbac/sre-agent-rbac.yaml")) {
      Object parsed = new KubernetesSerialization().unmarshal(in);
      @SuppressWarnings("unchecked")
      List<HasMetadata> list = parsed instanceof List<?> l ? (List<HasMetadata>) l : List.of((HasMetadata) parsed);
      return list;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** "verb group/resource[/sub]" granted by the rules of ClusterRole {@code name}. */
  private Set<String> grants(String name) {
    Set<String> out = new HashSet<>();
    for (HasMetadata o : objects) {
      if (o instanceof ClusterRole role && role.getMetadata().getName().equals(name)) {
        for (PolicyRule r : role.getRules()) {
          for (String g : r.getApiGroups()) {
            for (String res : r.getResources()) {
              for (String v : r.getVerbs()) {
                assertThat(List.of(g, res, v)).as("no wildcards in " + name).doesNotContain("*");
                out.add(v + " " + g + "/" + res);
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static boolean bindsAgent(List<Subject> subjects) {
    return subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind()) && SA.equals(s.getName()));
  }

  /** What the manifest grants the agent: namespace (null for cluster-wide) → "verb group/resource[/sub]". */
  private Map<String, Set<String>> granted() {
    Map<String, Set<String>> out = new java.util.HashMap<>();
    for (HasMetadata o : objects) {
      if (o instanceof RoleBinding b && bindsAgent(b.getSubjects()) && "ClusterRole".equals(b.getRoleRef()
          .getKind())) {
        out.computeIfAbsent(b.getMetadata().getNamespace(), k -> new HashSet<>()).addAll(grants(b.getRoleRef()
            .getName()));
      } else if (o instanceof ClusterRoleBinding b && bindsAgent(b.getSubjects())) {
        out.computeIfAbsent("(cluster-wide)", k -> new HashSet<>()).addAll(grants(b.getRoleRef().getName()));
      }
    }
    return out;
  }

  private static String key(Permission p) {
    return p.verb() + " " + p.group() + "/" + p.resource() + (p.subresource() == null ? "" : "/" + p.subresource());
  }

  @Test
  void everyPermissionTheAdapterChecksIsGrantedInTheBoundNamespace() {
    Map<String, Set<String>> granted = granted();
    List<Permission> required = KubernetesAdapter.requiredPermissions(Set.of("shop"),
        EnumSet.allOf(KubernetesAdapter.ExecutorKind.class), true);
    List<Permission> missing = new ArrayList<>();
    for (Permission p : required) {
      String where = p.namespace() == null ? "(cluster-wide)" : p.namespace();
      if (!granted.getOrDefault(where, Set.of()).contains(key(p))) {
        missing.add(p);
      }
    }
    assertThat(missing).as("required but not granted by rbac/sre-agent-rbac.yaml").isEmpty();
  }

  @Test
  void nothingIsGrantedThatNoComponentNeeds() {
    Set<String> needed = KubernetesAdapter.requiredPermissions(Set.of("shop"),
        EnumSet.allOf(KubernetesAdapter.ExecutorKind.class), true).stream().map(RbacManifestTest::key)
        .collect(Collectors.toSet());
    Set<String> extra = new HashSet<>();
    granted().values().forEach(extra::addAll);
    extra.removeAll(needed);
    assertThat(extra).as("granted by the manifest but needed by no component (least privilege)").isEmpty();
    assertThat(granted().get("shop")).doesNotContain("delete /pods", "create /pods", "patch apps/deployments");
  }

  @Test
  void theNamespacedRoleIsNeverBoundInAControlPlaneNamespace() {
    assertThat(objects).filteredOn(o -> o instanceof RoleBinding || o instanceof ClusterRoleBinding)
        .allSatisfy(b -> assertThat(NamespacePolicy.CONTROL_PLANE).doesNotContain(b.getMetadata().getNamespace()));
    assertThat(objects).filteredOn(ClusterRoleBinding.class::isInstance)
        .extracting(b -> ((ClusterRoleBinding) b).getRoleRef().getName()).containsExactly("sre-agent-nodes");
  }
}
