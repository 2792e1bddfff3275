package dev.sreagent.k8s;

import dev.sreagent.api.Require;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One thing the agent's service account must be allowed to do, as RBAC and a {@code SelfSubjectAccessReview} name it.
 *
 * @param verb {@code get}, {@code list}, {@code watch}, {@code create}, {@code update}, ...
 * @param group the API group ({@code ""} for the core group, {@code "apps"}, ...)
 * @param resource the resource, plural ({@code "pods"})
 * @param subresource the subresource ({@code "eviction"}), or null
 * @param namespace the namespace, or null for a cluster-scoped resource (or all namespaces)
 */
public record Permission(String verb, String group, String resource, @Nullable String subresource,
    @Nullable String namespace) {
  /**
   * A permission; a blank subresource or namespace is none.
   *
   * @throws IllegalArgumentException when the verb or resource is blank
   */
  public Permission {
    Require.notBlank(verb, "verb");
    Objects.requireNonNull(group, "group");
    Require.notBlank(resource, "resource");
    subresource = subresource == null || subresource.isBlank() ? null : subresource;
    namespace = namespace == null || namespace.isBlank() ? null : namespace;
  }

  /** {@code verb} on {@code group/resource} in {@code namespace}. */
  public static Permission inNamespace(String verb, String group, String resource, String namespace) {
    return new Permission(verb, group, resource, null, Require.notBlank(namespace, "namespace"));
  }

  /** {@code verb} on the cluster-scoped {@code group/resource} (a ClusterRoleBinding grants it). */
  public static Permission clusterWide(String verb, String group, String resource) {
    return new Permission(verb, group, resource, null, null);
  }

  /** {@code "create pods/eviction in shop"}, {@code "list apps/deployments in shop"}, {@code "watch nodes (cluster-wide)"}. */
  @Override
  public String toString() {
    return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + (subresource == null ? "" : "/" + subresource)
        + (namespace == null ? " (cluster-wide)" : " in " + namespace);
  }
}
