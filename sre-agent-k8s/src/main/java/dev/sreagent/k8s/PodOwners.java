package dev.sreagent.k8s;

import dev.sreagent.api.model.Attributes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The service a pod belongs to, from the informers' caches (no API call): the pod's controller owner chain, ReplicaSet
 * to Deployment, or a StatefulSet, named by the same rule as {@link KubernetesTopology} (the service label, else the
 * workload's name; {@code namespace/name} when that service name occurs in two watched namespaces).
 *
 * <p>When a link of the chain is not cached (yet, or no longer), the name is inferred: a ReplicaSet named
 * {@code NAME-HASH} whose pods carry {@code pod-template-hash=HASH} belongs to Deployment {@code NAME}; another
 * controller (DaemonSet, Job, ...) names the service by its own name; a pod without a controller by its service label,
 * else its own name. A pod that is gone (an event about it arrives later) is matched to the cached workload whose name
 * is the longest prefix of the pod's name, else {@value Attributes#UNKNOWN_SERVICE}.
 */
final class PodOwners {
  private static final String TEMPLATE_HASH = "pod-template-hash";
  private final Map<String, ClusterInformers.Namespace> byNamespace;
  private final String serviceLabel;

  PodOwners(Map<String, ClusterInformers.Namespace> byNamespace, String serviceLabel) {
    this.byNamespace = byNamespace;
    this.serviceLabel = serviceLabel;
  }

  /** The cached pod {@code namespace/name}, if any. */
  Optional<Pod> pod(String namespace, String name) {
    ClusterInformers.Namespace c = byNamespace.get(namespace);
    return c == null ? Optional.empty() : Optional.ofNullable(c.pods().getStore().getByKey(namespace + "/" + name));
  }

  /** Every cached pod scheduled on {@code node}, in every watched namespace. */
  List<Pod> podsOn(String node) {
    List<Pod> out = new ArrayList<>();
    for (ClusterInformers.Namespace c : byNamespace.values()) {
      for (Pod p : c.pods().getStore().list()) {
        if (p.getSpec() != null && node.equals(p.getSpec().getNodeName())) {
          out.add(p);
        }
      }
    }
    return out;
  }

  /** The service of {@code pod}. */
  String service(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    OwnerReference owner = controller(pod);
    if (owner == null) {
      String labelled = label(pod, serviceLabel);
      return qualified(ns, labelled != null ? labelled : pod.getMetadata().getName());
    }
    if ("ReplicaSet".equals(owner.getKind())) {
      return qualified(ns, deploymentService(ns, owner.getName(), label(pod, TEMPLATE_HASH)));
    }
    if ("StatefulSet".equals(owner.getKind())) {
      return qualified(ns, cached(ns, owner.getName(), false)
          .map(w -> Workloads.serviceName(w, serviceLabel)).orElse(owner.getName()));
    }
    return qualified(ns, owner.getName());
  }

  /** The service of the pod {@code namespace/name}, cached or gone. */
  String service(String namespace, String podName) {
    Optional<Pod> pod = pod(namespace, podName);
    if (pod.isPresent()) {
      return service(pod.get());
    }
    ClusterInformers.Namespace c = byNamespace.get(namespace);
    if (c == null) {
      return Attributes.UNKNOWN_SERVICE;
    }
    List<HasMetadata> workloads = new ArrayList<>(c.deployments().getStore().list());
    workloads.addAll(c.statefulSets().getStore().list());
    return workloads.stream().filter(w -> podName.startsWith(w.getMetadata().getName() + "-"))
        .max(java.util.Comparator.comparingInt(w -> w.getMetadata().getName().length()))
        .map(this::service).orElse(Attributes.UNKNOWN_SERVICE);
  }

  /** The service of a Deployment or StatefulSet. */
  String service(HasMetadata workload) {
    return qualified(workload.getMetadata().getNamespace(), Workloads.serviceName(workload, serviceLabel));
  }

  private String deploymentService(String ns, String replicaSetName, @Nullable String hash) {
    ClusterInformers.Namespace c = byNamespace.get(ns);
    ReplicaSet rs = c == null ? null : c.replicaSets().getStore().getByKey(ns + "/" + replicaSetName);
    String deployment = null;
    if (rs != null) {
      OwnerReference owner = controller(rs);
      if (owner == null || !"Deployment".equals(owner.getKind())) {
        return owner == null ? replicaSetName : owner.getName();
      }
      deployment = owner.getName();
    } else if (hash != null && replicaSetName.endsWith("-" + hash)) {
      deployment = replicaSetName.substring(0, replicaSetName.length() - hash.length() - 1);
    }
    if (deployment == null) {
      return replicaSetName;
    }
    String name = deployment;
    return cached(ns, name, true).map(w -> Workloads.serviceName(w, serviceLabel)).orElse(name);
  }

  private Optional<HasMetadata> cached(String ns, String name, boolean deployment) {
    ClusterInformers.Namespace c = byNamespace.get(ns);
    if (c == null) {
      return Optional.empty();
    }
    String key = ns + "/" + name;
    return Optional.ofNullable(deployment ? c.deployments().getStore().getByKey(key)
        : c.statefulSets().getStore().getByKey(key));
  }

  /** {@code name}, or {@code namespace/name} when a workload in another watched namespace has that service name. */
  private String qualified(String namespace, String name) {
    for (var e : byNamespace.entrySet()) {
      if (e.getKey().equals(namespace)) {
        continue;
      }
      List<HasMetadata> workloads = new ArrayList<>(e.getValue().deployments().getStore().list());
      workloads.addAll(e.getValue().statefulSets().getStore().list());
      if (workloads.stream().anyMatch(w -> Workloads.serviceName(w, serviceLabel).equals(name))) {
        return namespace + "/" + name;
      }
    }
    return name;
  }

  private static @Nullable OwnerReference controller(HasMetadata o) {
    List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
    if (refs == null) {
      return null;
    }
    return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst()
        .orElse(refs.isEmpty() ? null : refs.get(0));
  }

  private static @Nullable String label(HasMetadata o, String key) {
    Map<String, String> labels = o.getMetadata().getLabels();
    String v = labels == null ? null : labels.get(key);
    return v == null || v.isBlank() ? null : v;
  }
}
