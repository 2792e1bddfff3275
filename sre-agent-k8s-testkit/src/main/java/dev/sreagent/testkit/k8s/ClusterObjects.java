package dev.sreagent.testkit.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Kubernetes objects a simulated service is published as, and where they live in the API: one Deployment per
 * service (label {@code app.kubernetes.io/name}, selector {@code app}), one ReplicaSet per revision, its pods, a
 * PodDisruptionBudget when the service has a budget, an HPA bounded by the service's maximum, and a cert-manager
 * {@code Certificate} per TLS certificate. Images are {@code registry.local/shop/SERVICE:REVISION}, so the running
 * revision of a pod template can be read back from its image tag.
 */
final class ClusterObjects {
  static final String SERVICE_LABEL = "app.kubernetes.io/name";
  static final String SELECTOR_LABEL = "app";
  static final String HASH_LABEL = "pod-template-hash";
  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String IMAGE_PREFIX = "registry.local/shop/";

  private ClusterObjects() {}

  static String deployments(String ns) {
    return "/apis/apps/v1/namespaces/" + ns + "/deployments";
  }

  static String replicaSets(String ns) {
    return "/apis/apps/v1/namespaces/" + ns + "/replicasets";
  }

  static String pods(String ns) {
    return "/api/v1/namespaces/" + ns + "/pods";
  }

  static String budgets(String ns) {
    return "/apis/policy/v1/namespaces/" + ns + "/poddisruptionbudgets";
  }

  static String autoscalers(String ns) {
    return "/apis/autoscaling/v2/namespaces/" + ns + "/horizontalpodautoscalers";
  }

  static String certificates(String ns) {
    return "/apis/cert-manager.io/v1/namespaces/" + ns + "/certificates";
  }

  static final String NAMESPACES = "/api/v1/namespaces";
  static final String NODES = "/api/v1/nodes";

  /** A stable uid for an object (the CRUD store does not assign one). */
  static String uid(String kind, String ns, String name) {
    return UUID.nameUUIDFromBytes((kind + "/" + ns + "/" + name).getBytes(StandardCharsets.UTF_8)).toString();
  }

  static String image(String service, String revision) {
    return IMAGE_PREFIX + service + ":" + revision;
  }

  /** The revision an image names, or null when it is not one of the simulation's images. */
  static String revisionOf(String image) {
    int colon = image == null ? -1 : image.lastIndexOf(':');
    return colon < 0 || !image.startsWith(IMAGE_PREFIX) ? null : image.substring(colon + 1);
  }

  static Namespace namespace(String ns) {
    return new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build();
  }

  static Node node(String name) {
    return new NodeBuilder().withNewMetadata().withName(name).withUid(uid("Node", "", name)).endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
  }

  static PodTemplateSpec template(String service, String revision) {
    return new PodTemplateSpecBuilder().withNewMetadata().addToLabels(SELECTOR_LABEL, service).endMetadata()
        .withNewSpec().addNewContainer().withName(service).withImage(image(service, revision)).endContainer()
        .endSpec().build();
  }

  static Deployment deployment(String ns, String service, int replicas, String revision, int number) {
    return new DeploymentBuilder().withNewMetadata().withName(service).withNamespace(ns)
        .withUid(uid("Deployment", ns, service)).addToLabels(SERVICE_LABEL, service)
        .addToAnnotations(REVISION, Integer.toString(number)).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels(SELECTOR_LABEL, service)
        .endSelector().withTemplate(template(service, revision)).endSpec()
        .withNewStatus().withReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas)
        .withUpdatedReplicas(replicas).endStatus().build();
  }

  static OwnerReference owner(HasMetadata o) {
    return new OwnerReferenceBuilder().withApiVersion(o.getApiVersion()).withKind(o.getKind())
        .withName(o.getMetadata().getName()).withUid(o.getMetadata().getUid()).withController(true).build();
  }

  static String replicaSetName(String service, String revision) {
    return service + "-" + revision.toLowerCase(java.util.Locale.ROOT);
  }

  static ReplicaSet replicaSet(String ns, Deployment owner, String service, String revision, int number,
      int replicas) {
    PodTemplateSpec t = template(service, revision);
    t.getMetadata().getLabels().put(HASH_LABEL, revision.toLowerCase(java.util.Locale.ROOT));
    return new ReplicaSetBuilder().withNewMetadata().withName(replicaSetName(service, revision)).withNamespace(ns)
        .withUid(uid("ReplicaSet", ns, replicaSetName(service, revision)))
        .addToLabels(SELECTOR_LABEL, service).addToLabels(HASH_LABEL, revision.toLowerCase(java.util.Locale.ROOT))
        .addToAnnotations(REVISION, Integer.toString(number)).withOwnerReferences(owner(owner)).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels(SELECTOR_LABEL, service)
        .addToMatchLabels(HASH_LABEL, revision.toLowerCase(java.util.Locale.ROOT)).endSelector().withTemplate(t)
        .endSpec().withNewStatus().withReplicas(replicas).withReadyReplicas(replicas)
        .withAvailableReplicas(replicas).endStatus().build();
  }

  /** A running pod of {@code service}; {@code ready}: its {@code Ready} condition and container readiness. */
  static Pod pod(String ns, ReplicaSet owner, String service, String name, String node, String revision,
      boolean ready) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withUid(uid("Pod", ns, name))
        .addToLabels(SELECTOR_LABEL, service).addToLabels(HASH_LABEL, revision.toLowerCase(java.util.Locale.ROOT))
        .withOwnerReferences(owner(owner)).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName(service).withImage(image(service, revision))
        .endContainer().endSpec()
        .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
        .endCondition().addNewContainerStatus().withName(service).withReady(ready).withRestartCount(0)
        .withImage(image(service, revision)).endContainerStatus().endStatus().build();
  }

  static PodDisruptionBudget budget(String ns, String service, int minAvailable, int healthy, int expected) {
    return new PodDisruptionBudgetBuilder().withNewMetadata().withName(service).withNamespace(ns).endMetadata()
        .withNewSpec().withNewMinAvailable(minAvailable).withNewSelector()
        .addToMatchLabels(SELECTOR_LABEL, service).endSelector().endSpec()
        .withNewStatus().withCurrentHealthy(healthy).withDesiredHealthy(minAvailable).withExpectedPods(expected)
        .withDisruptionsAllowed(Math.max(0, healthy - minAvailable)).endStatus().build();
  }

  static HorizontalPodAutoscaler autoscaler(String ns, String service, int min, int max, int current) {
    return new HorizontalPodAutoscalerBuilder().withNewMetadata().withName(service).withNamespace(ns).endMetadata()
        .withNewSpec().withMinReplicas(min).withMaxReplicas(max).withNewScaleTargetRef().withApiVersion("apps/v1")
        .withKind("Deployment").withName(service).endScaleTargetRef().endSpec()
        .withNewStatus().withCurrentReplicas(current).withDesiredReplicas(current).endStatus().build();
  }

  static GenericKubernetesResource certificate(String ns, String name, String service, Instant notAfter) {
    GenericKubernetesResource c = new GenericKubernetesResource();
    c.setApiVersion("cert-manager.io/v1");
    c.setKind("Certificate");
    c.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(ns)
        .withUid(uid("Certificate", ns, name)).addToLabels(SERVICE_LABEL, service).build());
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("secretName", name + "-tls");
    spec.put("dnsNames", List.of(service + "." + ns + ".svc"));
    spec.put("issuerRef", Map.of("name", "cluster-issuer", "kind", "ClusterIssuer"));
    c.getAdditionalProperties().put("spec", spec);
    c.getAdditionalProperties().put("status", readyStatus(notAfter));
    return c;
  }

  static Map<String, Object> readyStatus(Instant notAfter) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("notAfter", notAfter.toString());
    List<Object> conditions = new ArrayList<>();
    conditions.add(Map.of("type", "Ready", "status", "True", "reason", "Ready",
        "message", "Certificate is up to date and has not expired"));
    status.put("conditions", conditions);
    return status;
  }
}
