package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A Deployment with its rollout history as the Deployment controller leaves it (the mock API server runs no
 * controller): ReplicaSets owned by the Deployment's uid, numbered by {@code deployment.kubernetes.io/revision}, each
 * with the template of its revision plus a {@code pod-template-hash} label, the current one scaled up.
 */
final class RolloutFixtures {
  private RolloutFixtures() {}

  static String image(String name, long revision) {
    return "registry.example/" + name + ":" + revision;
  }

  /** Deployment {@code ns/name} at {@code revision} (image {@link #image}), with an env var and a port. */
  static Deployment deployment(KubernetesClient client, String ns, String name, long revision, int replicas) {
    Deployment d = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .addToLabels("app.kubernetes.io/name", name)
        .addToAnnotations(ReplicaSets.REVISION, Long.toString(revision)).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
        .withTemplate(template(name, revision)).endSpec().build();
    return client.apps().deployments().inNamespace(ns).resource(d).create();
  }

  static PodTemplateSpec template(String name, long revision) {
    return new DeploymentBuilder().withNewSpec().withNewTemplate().withNewMetadata().addToLabels("app", name)
        .addToAnnotations("build", "b" + revision).endMetadata().withNewSpec().addNewContainer().withName(name)
        .withImage(image(name, revision)).addNewEnv().withName("REVISION").withValue(Long.toString(revision))
        .endEnv().addNewPort().withContainerPort(8080).endPort().endContainer().endSpec().endTemplate().endSpec()
        .build().getSpec().getTemplate();
  }

  /** The ReplicaSet of {@code revision} of {@code owner}, with {@code replicas} desired and {@code ready} ready. */
  static ReplicaSet replicaSet(KubernetesClient client, Deployment owner, long revision, int replicas, int ready) {
    String name = owner.getMetadata().getName();
    String hash = "h" + revision + "x" + Integer.toHexString(name.hashCode() & 0xffff);
    PodTemplateSpec t = template(name, revision);
    t.getMetadata().getLabels().put(ReplicaSets.POD_TEMPLATE_HASH, hash);
    ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withName(name + "-" + hash)
        .withNamespace(owner.getMetadata().getNamespace()).addToLabels("app", name)
        .addToLabels(ReplicaSets.POD_TEMPLATE_HASH, hash)
        .addToAnnotations(ReplicaSets.REVISION, Long.toString(revision))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
            .withName(name).withUid(owner.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
            .build())
        .endMetadata().withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name)
        .addToMatchLabels(ReplicaSets.POD_TEMPLATE_HASH, hash).endSelector().withTemplate(t).endSpec()
        .withNewStatus().withReplicas(replicas).withReadyReplicas(ready).withAvailableReplicas(ready).endStatus()
        .build();
    return client.apps().replicaSets().inNamespace(owner.getMetadata().getNamespace()).resource(rs).create();
  }

  /** {@code shop/cart} at revision 3 (3 replicas, all ready), after revisions 1 and 2 (scaled to 0). */
  static Deployment cart(KubernetesClient client) {
    Deployment d = deployment(client, "shop", "cart", 3, 3);
    replicaSet(client, d, 1, 0, 0);
    replicaSet(client, d, 2, 0, 0);
    replicaSet(client, d, 3, 3, 3);
    return d;
  }

  /** Sets the ready replicas of {@code rs} (through the status subresource, as the ReplicaSet controller does). */
  static void ready(KubernetesClient client, ReplicaSet rs, int ready) {
    client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).withName(rs.getMetadata().getName())
        .editStatus(r -> {
          r.getStatus().setReadyReplicas(ready);
          return r;
        });
  }

  static String path(String ns, String name) {
    return Fixtures.deploymentPath(ns, name);
  }
}
