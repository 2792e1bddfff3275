package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Objects as a cluster holds them: a Deployment with its pods, an HPA targeting it. */
final class Fixtures {
  private Fixtures() {}

  static Deployment deployment(KubernetesClient client, String ns, String name, int replicas) {
    Deployment d = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .addToLabels("app.kubernetes.io/name", name).addToAnnotations("deployment.kubernetes.io/revision", "3")
        .endMetadata().withNewSpec().withReplicas(replicas)
        .withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName(name).withImage(name + ":1").endContainer().endSpec()
        .endTemplate().endSpec().build();
    return client.apps().deployments().inNamespace(ns).resource(d).create();
  }

  static void pod(KubernetesClient client, String ns, String name, String app) {
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .addToLabels("app", app).endMetadata().build()).create();
  }

  /** A running pod of {@code app} that reports {@code Ready=True}. */
  static void readyPod(KubernetesClient client, String ns, String name, String app) {
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .addToLabels("app", app).endMetadata().withNewStatus().withPhase("Running").addNewCondition()
        .withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
  }

  static HorizontalPodAutoscaler hpa(KubernetesClient client, String ns, String target, int min, int max) {
    HorizontalPodAutoscaler h = new HorizontalPodAutoscalerBuilder().withNewMetadata().withName(target)
        .withNamespace(ns).endMetadata().withNewSpec().withMinReplicas(min).withMaxReplicas(max)
        .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(target)
        .endScaleTargetRef().endSpec().build();
    return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).resource(h).create();
  }

  static String deploymentPath(String ns, String name) {
    return "/apis/apps/v1/namespaces/" + ns + "/deployments/" + name;
  }

  static String hpaPath(String ns, String name) {
    return "/apis/autoscaling/v2/namespaces/" + ns + "/horizontalpodautoscalers/" + name;
  }

  /** A pod of {@code app} on {@code node} with the named containers (exec needs them: fabric8 checks the name). */
  static void pod(KubernetesClient client, String ns, String name, String app, String node, String... containers) {
    var spec = new io.fabric8.kubernetes.api.model.PodSpecBuilder().withNodeName(node);
    for (String c : containers) {
      spec.addNewContainer().withName(c).withImage(c + ":1").endContainer();
    }
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .addToLabels("app", app).endMetadata().withSpec(spec.build()).build()).create();
  }
}
