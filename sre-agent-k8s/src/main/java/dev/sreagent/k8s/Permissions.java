package dev.sreagent.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The permissions each component of this module needs, for {@link PermissionCheck}: pass the namespaces it is built
 * with (for an executor, {@code NamespacePolicy.namespaces()}). Concatenate the lists of the components you enable;
 * duplicates are checked once.
 */
public final class Permissions {
  private static final List<String> READ = List.of("get", "list");
  private static final List<String> INFORM = List.of("list", "watch");

  private Permissions() {}

  /**
   * {@link KubernetesTopology}: {@code list, watch} on deployments, statefulsets, replicasets, controllerrevisions,
   * pods, HPAs and PDBs.
   */
  public static List<Permission> topology(Set<String> namespaces) {
    List<Permission> out = new ArrayList<>();
    for (String ns : sorted(namespaces)) {
      add(out, INFORM, "apps", List.of("deployments", "statefulsets", "replicasets", "controllerrevisions"), ns);
      add(out, INFORM, "", List.of("pods"), ns);
      add(out, INFORM, "autoscaling", List.of("horizontalpodautoscalers"), ns);
      add(out, INFORM, "policy", List.of("poddisruptionbudgets"), ns);
    }
    return List.copyOf(out);
  }

  /**
   * {@link KubernetesChangeEvents}: {@code list, watch} on pods, events, deployments, replicasets, statefulsets and
   * cert-manager certificates in each namespace (granted whether or not cert-manager is installed), and on nodes
   * cluster-wide.
   */
  public static List<Permission> changeEvents(Set<String> namespaces) {
    return changeEvents(namespaces, true);
  }

  /** {@link KubernetesChangeEvents} with {@code setWatchNodes(watchNodes)}: without nodes, nothing cluster-wide. */
  public static List<Permission> changeEvents(Set<String> namespaces, boolean watchNodes) {
    List<Permission> out = new ArrayList<>();
    for (String ns : sorted(namespaces)) {
      add(out, INFORM, "", List.of("pods", "events"), ns);
      add(out, INFORM, "apps", List.of("deployments", "replicasets", "statefulsets"), ns);
      add(out, INFORM, "cert-manager.io", List.of("certificates"), ns);
    }
    if (watchNodes) {
      INFORM.forEach(v -> out.add(Permission.clusterWide(v, "", "nodes")));
    }
    return List.copyOf(out);
  }

  /**
   * {@link KubernetesScaleExecutor}: {@code get, list, update} on deployments, statefulsets and
   * horizontalpodautoscalers.
   */
  public static List<Permission> scaleExecutor(Set<String> namespaces) {
    List<Permission> out = new ArrayList<>();
    for (String ns : sorted(namespaces)) {
      List<String> verbs = List.of("get", "list", "update");
      add(out, verbs, "apps", List.of("deployments", "statefulsets"), ns);
      add(out, verbs, "autoscaling", List.of("horizontalpodautoscalers"), ns);
    }
    return List.copyOf(out);
  }

  /**
   * {@link KubernetesRestartExecutor}: {@code get, list} on pods and poddisruptionbudgets, {@code get, list, update}
   * on deployments and statefulsets (the annotations, the pod-template annotation of a rolling restart, and their
   * status read with them), {@code create} on {@code pods/eviction}.
   */
  public static List<Permission> restartExecutor(Set<String> namespaces) {
    List<Permission> out = new ArrayList<>();
    for (String ns : sorted(namespaces)) {
      add(out, READ, "", List.of("pods"), ns);
      add(out, READ, "policy", List.of("poddisruptionbudgets"), ns);
      add(out, List.of("get", "list", "update"), "apps", List.of("deployments", "statefulsets"), ns);
      out.add(new Permission("create", "", "pods", "eviction", ns));
    }
    return List.copyOf(out);
  }

  /**
   * {@link KubernetesRollbackExecutor}: {@code get, list} on replicasets and controllerrevisions (the revision to
   * restore: a Deployment's, a StatefulSet's), {@code get, list, update} on deployments and statefulsets (the pod
   * template and the annotations).
   */
  public static List<Permission> rollbackExecutor(Set<String> namespaces) {
    List<Permission> out = new ArrayList<>();
    for (String ns : sorted(namespaces)) {
      add(out, READ, "apps", List.of("replicasets", "controllerrevisions"), ns);
      add(out, List.of("get", "list", "update"), "apps", List.of("deployments", "statefulsets"), ns);
    }
    return List.copyOf(out);
  }

  /**
   * {@link KubernetesLogTruncateExecutor}: {@code get, list} on pods, {@code create} and {@code get} on
   * {@code pods/exec} (the websocket upgrade is a GET; API servers from 1.30 also check {@code create}), {@code get,
   * list, update} on deployments and statefulsets (the annotations).
   */
  public static List<Permission> logTruncateExecutor(Set<String> namespaces) {
    List<Permission> out = new ArrayList<>();
    for (String ns : sorted(namespaces)) {
      add(out, READ, "", List.of("pods"), ns);
      out.add(new Permission("create", "", "pods", "exec", ns));
      out.add(new Permission("get", "", "pods", "exec", ns));
      add(out, List.of("get", "list", "update"), "apps", List.of("deployments", "statefulsets"), ns);
    }
    return List.copyOf(out);
  }

  /**
   * {@link KubernetesCertificateExecutor}: {@code get, list, update} on cert-manager {@code certificates} (the
   * annotations) and {@code update} on {@code certificates/status} (the Issuing condition).
   */
  public static List<Permission> certificateExecutor(Set<String> namespaces) {
    List<Permission> out = new ArrayList<>();
    for (String ns : sorted(namespaces)) {
      add(out, List.of("get", "list", "update"), "cert-manager.io", List.of("certificates"), ns);
      out.add(new Permission("update", "cert-manager.io", "certificates", "status", ns));
    }
    return List.copyOf(out);
  }

  private static void add(List<Permission> out, List<String> verbs, String group, List<String> resources, String ns) {
    for (String r : resources) {
      for (String v : verbs) {
        out.add(Permission.inNamespace(v, group, r, ns));
      }
    }
  }

  private static Set<String> sorted(Set<String> namespaces) {
    Objects.requireNonNull(namespaces, "namespaces");
    if (namespaces.isEmpty()) {
      throw new IllegalArgumentException("namespaces must not be empty: pass the namespaces the component watches"
          + " or may change");
    }
    return new TreeSet<>(namespaces);
  }
}
