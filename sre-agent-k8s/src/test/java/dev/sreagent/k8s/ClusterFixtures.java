package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.UUID;

/**
 * Objects as a cluster's controllers leave them, for the change-event tests: a Deployment with its ReplicaSet and pods
 * (owner references, {@code pod-template-hash}, a node), pod statuses (OOMKilled, CrashLoopBackOff, Evicted), core/v1
 * Events and Nodes. The CRUD mock has no controllers: these write what they would.
 */
final class ClusterFixtures {
  static final String HASH = "5d8f7c";

  private ClusterFixtures() {}

  /** Deployment {@code name} labelled service {@code name} (revision 3) and its ReplicaSet {@code name-HASH}. */
  static Deployment workload(KubernetesClient client, String ns, String name) {
    Deployment d = Fixtures.deployment(client, ns, name, 2);
    client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata()
        .withName(name + "-" + HASH).withNamespace(ns).addToLabels("app", name).addToLabels("pod-template-hash", HASH)
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
            .withName(name).withUid(d.getMetadata().getUid()).withController(true).build())
        .endMetadata().withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", name).endSelector()
        .endSpec().build()).create();
    return d;
  }

  /** A running pod of Deployment {@code app} (through its ReplicaSet) on {@code node}, with a 256Mi memory limit. */
  static Pod pod(KubernetesClient client, String ns, String name, String app, String node) {
    Pod p = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withUid(UUID.randomUUID().toString())
        .addToLabels("app", app).addToLabels("pod-template-hash", HASH)
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
            .withName(app + "-" + HASH).withController(true).build())
        .endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName(app).withImage(app + ":1")
        .withNewResources().addToLimits("memory", new Quantity("256Mi")).endResources().endContainer().endSpec()
        .withNewStatus().withPhase("Running").addToContainerStatuses(new ContainerStatusBuilder().withName(app)
            .withRestartCount(0).withNewState().withNewRunning().endRunning().endState().build()).endStatus()
        .build();
    return client.pods().inNamespace(ns).resource(p).create();
  }

  /** Pod {@code name}'s container restarted after an OOM kill: restart count {@code restarts}. */
  static Pod oomKilled(KubernetesClient client, String ns, String name, int restarts) {
    return client.pods().inNamespace(ns).withName(name).edit(p -> {
      var c = p.getStatus().getContainerStatuses().get(0);
      c.setRestartCount(restarts);
      c.setLastState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewTerminated()
          .withReason("OOMKilled").withExitCode(137).endTerminated().build());
      return p;
    });
  }

  /** Pod {@code name}'s container waits in CrashLoopBackOff after {@code restarts} restarts. */
  static Pod crashLooping(KubernetesClient client, String ns, String name, int restarts) {
    return client.pods().inNamespace(ns).withName(name).edit(p -> {
      var c = p.getStatus().getContainerStatuses().get(0);
      c.setRestartCount(restarts);
      c.setState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewWaiting()
          .withReason("CrashLoopBackOff").withMessage("back-off 40s restarting failed container").endWaiting()
          .build());
      return p;
    });
  }

  /** A core/v1 Event about pod {@code pod}. */
  static void event(KubernetesClient client, String ns, String name, String pod, String reason, int count) {
    client.v1().events().inNamespace(ns).resource(new EventBuilder().withNewMetadata().withName(name)
        .withNamespace(ns).withUid(UUID.randomUUID().toString()).endMetadata().withType("Warning").withReason(reason)
        .withMessage(reason + " happened").withCount(count).withNewInvolvedObject().withKind("Pod").withName(pod)
        .withNamespace(ns).endInvolvedObject().build()).create();
  }

  /** A node whose Ready condition is {@code ready} ("True", "False", "Unknown") since {@code since}. */
  static void node(KubernetesClient client, String name, String ready, String since) {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withUid(UUID.randomUUID().toString())
        .endMetadata().withNewStatus().addNewCondition().withType("Ready").withStatus(ready)
        .withReason(ready.equals("True") ? "KubeletReady" : "NodeStatusUnknown").withLastTransitionTime(since)
        .endCondition().endStatus().build()).createOr(r -> r.update());
  }
}
