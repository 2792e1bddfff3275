package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Workloads (Deployments and StatefulSets) as services: a workload's service name is the value of the configured
 * label, or its own name when the label is absent. Reads go to the API server (executors need fresh state and the
 * object's {@code resourceVersion}); the topology reads its informers' caches instead.
 */
final class Workloads {
  /** The default label naming a workload's service. */
  static final String DEFAULT_SERVICE_LABEL = "app.kubernetes.io/name";

  private Workloads() {}

  static String serviceName(HasMetadata workload, String serviceLabel) {
    Map<String, String> labels = workload.getMetadata().getLabels();
    String v = labels == null ? null : labels.get(serviceLabel);
    return v == null || v.isBlank() ? workload.getMetadata().getName() : v;
  }

  /** The workloads of {@code service} in {@code namespaces}, in namespace order, Deployments first. */
  static List<HasMetadata> find(KubernetesClient client, Iterable<String> namespaces, String serviceLabel,
      String service) {
    List<HasMetadata> out = new ArrayList<>();
    for (String ns : namespaces) {
      for (Deployment d : client.apps().deployments().inNamespace(ns).list().getItems()) {
        if (serviceName(d, serviceLabel).equals(service)) {
          out.add(d);
        }
      }
      for (StatefulSet s : client.apps().statefulSets().inNamespace(ns).list().getItems()) {
        if (serviceName(s, serviceLabel).equals(service)) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** Reads {@code workload} again from the API server; empty when it is gone. */
  static Optional<HasMetadata> reread(KubernetesClient client, HasMetadata workload) {
    String ns = workload.getMetadata().getNamespace();
    String name = workload.getMetadata().getName();
    HasMetadata fresh = workload instanceof Deployment
        ? client.apps().deployments().inNamespace(ns).withName(name).get()
        : client.apps().statefulSets().inNamespace(ns).withName(name).get();
    return Optional.ofNullable(fresh);
  }

  static int replicas(HasMetadata workload) {
    Integer r = workload instanceof Deployment d ? d.getSpec().getReplicas()
        : ((StatefulSet) workload).getSpec().getReplicas();
    return r == null ? 1 : r;  // the API server's default
  }

  static void setReplicas(HasMetadata workload, int replicas) {
    if (workload instanceof Deployment d) {
      d.getSpec().setReplicas(replicas);
    } else {
      ((StatefulSet) workload).getSpec().setReplicas(replicas);
    }
  }

  static LabelSelector selector(HasMetadata workload) {
    return workload instanceof Deployment d ? d.getSpec().getSelector()
        : ((StatefulSet) workload).getSpec().getSelector();
  }

  static PodTemplateSpec template(HasMetadata workload) {
    return workload instanceof Deployment d ? d.getSpec().getTemplate()
        : ((StatefulSet) workload).getSpec().getTemplate();
  }

  /** The pods in {@code workload}'s namespace that its selector matches (terminating ones included). */
  static List<Pod> pods(KubernetesClient client, HasMetadata workload) {
    LabelSelector selector = selector(workload);
    return client.pods().inNamespace(workload.getMetadata().getNamespace()).list().getItems().stream()
        .filter(p -> matches(selector, p.getMetadata().getLabels())).toList();
  }

  /** Whether {@code pod} is being deleted (it has a {@code deletionTimestamp}). */
  static boolean terminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  /** Whether {@code pod} reports the condition {@code Ready=True}. */
  static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** "deployment shop/cart". */
  static String describe(HasMetadata object) {
    return object.getKind().toLowerCase(java.util.Locale.ROOT) + " " + object.getMetadata().getNamespace() + "/"
        + object.getMetadata().getName();
  }

  /** Whether {@code hpa} scales {@code workload} (same namespace, kind and name in its {@code scaleTargetRef}). */
  static boolean targets(HorizontalPodAutoscaler hpa, HasMetadata workload) {
    var ref = hpa.getSpec() == null ? null : hpa.getSpec().getScaleTargetRef();
    return ref != null && workload.getKind().equals(ref.getKind())
        && workload.getMetadata().getName().equals(ref.getName())
        && workload.getMetadata().getNamespace().equals(hpa.getMetadata().getNamespace());
  }

  /** Whether {@code labels} satisfy {@code selector} (matchLabels and matchExpressions); a null selector matches none. */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (var e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(l.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String v = l.get(r.getKey());
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        boolean ok = switch (r.getOperator()) {
          case "In" -> v != null && values.contains(v);
          case "NotIn" -> v == null || !values.contains(v);
          case "Exists" -> v != null;
          case "DoesNotExist" -> v == null;
          default -> false;
        };
        if (!ok) {
          return false;
        }
      }
    }
    return (selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty())
        || (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty());
  }

  /** The first object (workload, or HPA when {@code withHpas}) in {@code namespaces} recording a change under {@code key}. */
  static Optional<HasMetadata> markedWith(KubernetesClient client, Iterable<String> namespaces, String key,
      boolean withHpas) {
    return firstWhere(client, namespaces, withHpas, o -> ChangeMarks.applied(o, key));
  }

  /**
   * The first workload in {@code namespaces} on which a change under {@code key} was started ({@link
   * ChangeMarks#markStarted}) but is not recorded as made.
   */
  static Optional<HasMetadata> startedWith(KubernetesClient client, Iterable<String> namespaces, String key) {
    return firstWhere(client, namespaces, false, o -> ChangeMarks.started(o, key) && !ChangeMarks.applied(o, key));
  }

  private static Optional<HasMetadata> firstWhere(KubernetesClient client, Iterable<String> namespaces,
      boolean withHpas, java.util.function.Predicate<HasMetadata> wanted) {
    for (String ns : namespaces) {
      List<HasMetadata> objects = new ArrayList<>(client.apps().deployments().inNamespace(ns).list().getItems());
      objects.addAll(client.apps().statefulSets().inNamespace(ns).list().getItems());
      if (withHpas) {
        objects.addAll(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).list().getItems());
      }
      for (HasMetadata o : objects) {
        if (wanted.test(o)) {
          return Optional.of(o);
        }
      }
    }
    return Optional.empty();
  }
}
