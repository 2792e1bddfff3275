package dev.sreagent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PermissionCheckTest {
  private final AccessReviewServer api = new AccessReviewServer();

  @AfterEach
  void close() {
    api.close();
  }

  private static List<Permission> everything() {
    Set<String> ns = Set.of("shop", "search");
    List<Permission> all = new ArrayList<>(Permissions.topology(ns));
    all.addAll(Permissions.changeEvents(ns));
    all.addAll(Permissions.scaleExecutor(ns));
    all.addAll(Permissions.restartExecutor(ns));
    return all;
  }

  @Test
  void allAllowedPassesAskingEachDistinctPermissionOnce() {
    List<Permission> required = everything();
    assertThatCode(() -> PermissionCheck.verify(api.client, required)).doesNotThrowAnyException();
    assertThat(api.asked()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(Set.copyOf(required));
    assertThat(api.asked()).contains(new Permission("create", "", "pods", "eviction", "shop"),
        Permission.clusterWide("watch", "", "nodes"), Permission.inNamespace("list", "", "events", "search"),
        Permission.inNamespace("update", "autoscaling", "horizontalpodautoscalers", "shop"));
  }

  @Test
  void theMissingOnesAreNamedExactlyWithTheManifest() {
    Permission eviction = new Permission("create", "", "pods", "eviction", "shop");
    Permission nodes = Permission.clusterWide("watch", "", "nodes");
    Permission replicaSets = Permission.inNamespace("list", "apps", "replicasets", "search");
    api.deny(eviction);
    api.deny(nodes);
    api.deny(replicaSets);
    assertThatThrownBy(() -> PermissionCheck.verify(api.client, everything()))
        .isInstanceOfSatisfying(MissingPermissionsException.class, e -> {
          assertThat(e.missing()).containsExactlyInAnyOrder(eviction, nodes, replicaSets);
          assertThat(e.getMessage()).contains("lacks 3 permission(s)", "create pods/eviction in shop",
              "watch nodes (cluster-wide)", "list apps/replicasets in search",
              "src/main/resources/rbac/sre-agent-rbac.yaml", "ClusterRoleBinding");
        });
  }

  @Test
  void withoutNodesNothingClusterWideIsAsked() {
    assertThat(Permissions.changeEvents(Set.of("shop"), false)).allSatisfy(p -> assertThat(p.namespace())
        .isEqualTo("shop"));
    assertThat(Permissions.changeEvents(Set.of("shop"))).filteredOn(p -> p.namespace() == null)
        .extracting(Permission::toString).containsExactly("list nodes (cluster-wide)", "watch nodes (cluster-wide)");
  }

  @Test
  void anApiServerThatCannotBeAskedIsAnErrorNamingThePermission() {
    api.failWith(403);  // not 5xx: fabric8 retries those with backoff (about 20 s)
    assertThatThrownBy(() -> PermissionCheck.verify(api.client, Permissions.restartExecutor(Set.of("shop"))))
        .isInstanceOf(IllegalStateException.class).isNotInstanceOf(MissingPermissionsException.class)
        .hasMessageContaining("get pods in shop").hasMessageContaining("SelfSubjectAccessReview");
  }

  @Test
  void noNamespacesIsRefusedWithTheFix() {
    assertThatThrownBy(() -> Permissions.topology(Set.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespaces must not be empty");
  }
}
