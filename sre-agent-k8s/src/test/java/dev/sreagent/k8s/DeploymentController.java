package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.util.List;

/**
 * What the ReplicaSet and deployment controllers would do for one Deployment, which the CRUD mock does not run: a
 * test calls a step when it wants the cluster to move (typically from a {@link SteppingClock} sleep). Pods are created
 * through the API (they appear in {@link ApiServer#exchanges}); the status is stored straight into the store, as a
 * controller's own write, not counted among the writes under test.
 */
final class DeploymentController {
  private final ApiServer api;
  private final String ns;
  private final String name;
  private int created;

  DeploymentController(ApiServer api, String ns, String name) {
    this.api = api;
    this.ns = ns;
    this.name = name;
  }

  private Deployment deployment() {
    return api.client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  private List<Pod> live() {
    return api.client.pods().inNamespace(ns).withLabel("app", name).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  /** The ReplicaSet controller: new ready pods ({@code NAME-rN}) until {@code spec.replicas} pods are live. */
  void replacePods() {
    int replicas = deployment().getSpec().getReplicas();
    for (int i = live().size(); i < replicas; i++) {
      Fixtures.readyPod(api.client, ns, name + "-r" + ++created, name);
    }
  }

  /**
   * The deployment controller: the status of a rollout that has caught up with the current generation, with
   * {@code ready} replicas ready and available.
   */
  void publishStatus(int ready) {
    Deployment d = deployment();
    int replicas = d.getSpec().getReplicas();
    d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(ready).withAvailableReplicas(ready)
        .build());
    api.putDirectly(Fixtures.deploymentPath(ns, name), d);
  }

  /** The deployment controller giving up: {@code Progressing=False, ProgressDeadlineExceeded}. */
  void publishDeadlineExceeded() {
    Deployment d = deployment();
    d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(d.getSpec().getReplicas()).withUpdatedReplicas(1).withReadyReplicas(0).addToConditions(
            new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
                .withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet \"" + name + "-2\" has timed out"
                    + " progressing.").build()).build());
    api.putDirectly(Fixtures.deploymentPath(ns, name), d);
  }

  /** Both controllers, one step: pods replaced, then the status counting every live ready pod. */
  void step() {
    replacePods();
    publishStatus((int) live().stream().filter(Workloads::ready).count());
  }
}
