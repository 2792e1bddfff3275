package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A StatefulSet with its rollout history as the StatefulSet controller leaves it (the mock API server runs no
 * controller): ControllerRevisions owned by the StatefulSet's uid, named {@code <name>-<hash>}, labelled with the
 * template's labels and {@value #HASH_LABEL}, numbered by {@code revision}, each holding its template as the patch the
 * controller writes ({@code {"spec":{"template":{...,"$patch":"replace"}}}}); the status names the current one in
 * {@code currentRevision} and {@code updateRevision}. Templates are {@link RolloutFixtures#template}'s.
 */
final class StatefulSetFixtures {
  /** The label the StatefulSet controller puts on its ControllerRevisions (and pods): the revision's hash. */
  static final String HASH_LABEL = "controller.kubernetes.io/hash";

  private StatefulSetFixtures() {}

  /** The name of {@code name}'s ControllerRevision of {@code revision}, {@code <name>-<hash>} as the controller names it. */
  static String revisionName(String name, long revision) {
    return name + "-" + hash(name, revision);
  }

  private static String hash(String name, long revision) {
    return "7c" + revision + "d" + Integer.toHexString(name.hashCode() & 0xffff);
  }

  /**
   * StatefulSet {@code ns/name} running the template of {@code revision} ({@code replicas} desired, {@code ready}
   * ready), its status naming that revision's ControllerRevision as current and update revision.
   */
  static StatefulSet statefulSet(KubernetesClient client, String ns, String name, long revision, int replicas,
      int ready) {
    StatefulSet s = new StatefulSetBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .addToLabels("app.kubernetes.io/name", name).endMetadata()
        .withNewSpec().withReplicas(replicas).withServiceName(name).withNewSelector().addToMatchLabels("app", name)
        .endSelector().withTemplate(RolloutFixtures.template(name, revision)).withNewUpdateStrategy()
        .withType("RollingUpdate").endUpdateStrategy().endSpec()
        .withNewStatus().withReplicas(replicas).withReadyReplicas(ready).withAvailableReplicas(ready)
        .withCurrentReplicas(replicas).withUpdatedReplicas(replicas)
        .withCurrentRevision(revisionName(name, revision)).withUpdateRevision(revisionName(name, revision))
        .withObservedGeneration(1L).endStatus().build();
    return client.apps().statefulSets().inNamespace(ns).resource(s).create();
  }

  /** The data the StatefulSet controller stores for {@code template}: the patch that restores it. */
  static Map<String, Object> data(KubernetesClient client, PodTemplateSpec template) {
    @SuppressWarnings("unchecked")
    Map<String, Object> t = new LinkedHashMap<>(client.getKubernetesSerialization().convertValue(template,
        Map.class));
    t.put("$patch", "replace");
    return Map.of("spec", Map.of("template", t));
  }

  /** {@code owner}'s ControllerRevision of {@code revision} (template {@link RolloutFixtures#template}). */
  static ControllerRevision controllerRevision(KubernetesClient client, StatefulSet owner, long revision) {
    String name = owner.getMetadata().getName();
    PodTemplateSpec template = RolloutFixtures.template(name, revision);
    ControllerRevision cr = new ControllerRevisionBuilder().withNewMetadata()
        .withName(revisionName(name, revision)).withNamespace(owner.getMetadata().getNamespace())
        .addToLabels(template.getMetadata().getLabels()).addToLabels(HASH_LABEL, hash(name, revision))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
            .withName(name).withUid(owner.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
            .build())
        .endMetadata().withData(data(client, template)).withRevision(revision).build();
    return client.apps().controllerRevisions().inNamespace(owner.getMetadata().getNamespace()).resource(cr)
        .create();
  }

  /**
   * {@code shop/orders-db} at revision 3 after revisions 1 and 2: 3 replicas, {@code ready} of them ready.
   */
  static StatefulSet ordersDb(KubernetesClient client, int ready) {
    StatefulSet s = statefulSet(client, "shop", "orders-db", 3, 3, ready);
    for (long r = 1; r <= 3; r++) {
      controllerRevision(client, s, r);
    }
    return s;
  }

  static String path(String ns, String name) {
    return "/apis/apps/v1/namespaces/" + ns + "/statefulsets/" + name;
  }
}
