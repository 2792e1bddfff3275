package dev.sreagent.gitops;

import dev.sreagent.api.Require;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link RollbackImages} read from the cluster: a plan's revisions are a Deployment's
 * {@code deployment.kubernetes.io/revision} numbers, and each revision's images are those of the pod template of the
 * ReplicaSet (owned by the Deployment named as the service) that carries that revision, as {@code kubectl rollout
 * history} shows them. Read through fabric8 at each resolution (a list of the namespace's ReplicaSets); the agent's
 * service account needs {@code list} on {@code replicasets.apps} there. Deployments only: StatefulSets and DaemonSets
 * keep their history in ControllerRevisions, which this does not read (use the Kubernetes adapter's rollout history
 * and {@link RollbackImages#fromRevisionImages} for them).
 */
public final class ReplicaSetImages {
  static final String REVISION = "deployment.kubernetes.io/revision";

  private ReplicaSetImages() {}

  /**
   * The rollback images of services whose Deployments live in {@code namespace}.
   *
   * @param client the cluster's client (the caller closes it)
   * @param namespace the workloads' namespace
   */
  public static RollbackImages of(KubernetesClient client, String namespace) {
    Objects.requireNonNull(client, "client");
    Require.notBlank(namespace, "namespace");
    return RollbackImages.fromRevisionImages(service -> namespace, (service, revision) -> images(client, namespace,
        service, revision));
  }

  /** The images (init containers, then containers) of revision {@code revision} of Deployment {@code service}. */
  static List<String> images(KubernetesClient client, String namespace, String service, String revision) {
    for (ReplicaSet rs : client.apps().replicaSets().inNamespace(namespace).list().getItems()) {
      Map<String, String> annotations = rs.getMetadata().getAnnotations();
      boolean owned = rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences().stream()
          .anyMatch((OwnerReference o) -> "Deployment".equals(o.getKind()) && service.equals(o.getName()));
      if (owned && annotations != null && revision.equals(annotations.get(REVISION)) && rs.getSpec() != null
          && rs.getSpec().getTemplate() != null && rs.getSpec().getTemplate().getSpec() != null) {
        List<String> out = new ArrayList<>();
        var pod = rs.getSpec().getTemplate().getSpec();
        for (List<Container> cs : List.of(orEmpty(pod.getInitContainers()), orEmpty(pod.getContainers()))) {
          cs.stream().map(Container::getImage).filter(Objects::nonNull).forEach(out::add);
        }
        return out;
      }
    }
    return List.of();
  }

  private static List<Container> orEmpty(List<Container> cs) {
    return cs == null ? List.of() : cs;
  }
}
