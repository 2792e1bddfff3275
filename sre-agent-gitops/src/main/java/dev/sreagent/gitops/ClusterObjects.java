package dev.sreagent.gitops;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reads one custom object (an Argo CD {@code Application}, a Flux {@code Kustomization}) through fabric8 as a
 * {@link GenericKubernetesResource}, telling apart the failures an operator fixes differently: the resource type is
 * not served (the CRD is missing: the tool is not installed, or serves another version), the object does not exist
 * (a wrong name or namespace), or the agent may not read it (RBAC). Used only by the sync status adapters, so fabric8
 * is needed on the class path only when they are.
 */
final class ClusterObjects {
  private ClusterObjects() {}

  /**
   * The object, or an {@link IllegalStateException} naming what is wrong and the fix.
   *
   * @param what the tool and kind for messages, for example {@code Argo CD Application}
   * @param setting the setting that names the object, for the "wrong name" fix
   */
  static GenericKubernetesResource get(KubernetesClient client, ResourceDefinitionContext type, String namespace,
      String name, String what, String setting) {
    String resource = type.getPlural() + "." + type.getGroup() + "/" + type.getVersion();
    GenericKubernetesResource object;
    try {
      object = client.genericKubernetesResources(type).inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        throw new IllegalStateException(what + " " + namespace + "/" + name + ": the agent may not read it (HTTP "
            + e.getCode() + "): grant its service account get on " + type.getPlural() + "." + type.getGroup()
            + " in namespace " + namespace, e);
      }
      throw new IllegalStateException(what + " " + namespace + "/" + name + ": could not read it: " + e.getMessage(),
          e);
    }
    if (object != null) {
      return object;
    }
    Optional<Boolean> served = served(client, type);
    if (served.isPresent() && !served.get()) {
      throw new IllegalStateException("the cluster does not serve " + resource + ": the " + what + " CRD is missing"
          + " (the tool is not installed in this cluster, or it serves another version); install it, or configure the"
          + " sync status of the tool that runs this cluster");
    }
    throw new IllegalStateException(what + " " + namespace + "/" + name + " not found" + (served.isEmpty()
        ? " (or the cluster does not serve " + resource + ")" : "") + ": check " + setting + " (name and namespace"
        + " of the object that syncs this workload)");
  }

  /** Whether the API serves the type (discovery), empty when discovery could not answer. */
  private static Optional<Boolean> served(KubernetesClient client, ResourceDefinitionContext type) {
    try {
      APIResourceList list = client.getApiResources(type.getGroup() + "/" + type.getVersion());
      return Optional.of(list != null && list.getResources() != null && list.getResources().stream()
          .anyMatch(r -> type.getPlural().equals(r.getName())));
    } catch (KubernetesClientException e) {
      return e.getCode() == 404 ? Optional.of(false) : Optional.empty();
    }
  }

  /** The map at {@code path} (for example {@code status}, {@code sync}), empty when absent or not a map. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> from, String... path) {
    Map<String, Object> at = from;
    for (String key : path) {
      Object v = at.get(key);
      if (!(v instanceof Map<?, ?> m)) {
        return Map.of();
      }
      at = (Map<String, Object>) m;
    }
    return at;
  }

  /** The maps in the list at {@code key}, empty when absent. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Map<String, Object> from, String key) {
    Object v = from.get(key);
    List<Map<String, Object>> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> m) {
          out.add((Map<String, Object>) m);
        }
      }
    }
    return out;
  }

  /** The text at {@code key}, or null when absent or blank. */
  static @Nullable String text(Map<String, Object> from, String key) {
    Object v = from.get(key);
    return v == null || v.toString().isBlank() ? null : v.toString();
  }
}
