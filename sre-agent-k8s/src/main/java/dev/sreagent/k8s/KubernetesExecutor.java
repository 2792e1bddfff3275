package dev.sreagent.k8s;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;

/**
 * What the Kubernetes executors share: the refusal of actions they do not carry out, finding the one workload of a
 * service in the allowed namespaces, and {@link #reconcile} from the {@link ChangeMarks} recorded on objects.
 *
 * @param <A> the action type the executor carries out
 */
abstract class KubernetesExecutor<A extends Action> implements ActionExecutor {
  final KubernetesClient client;
  final NamespacePolicy namespaces;
  final String serviceLabel;
  final Executions executions;
  /** Stamps results and paces waits (a virtual clock in simulations). */
  final Clock clock;
  private final Class<A> actionType;

  KubernetesExecutor(KubernetesExecutorBuilder<?, ?> b, Class<A> actionType) {
    this.client = b.client;
    this.namespaces = b.namespaces;
    this.serviceLabel = b.serviceLabel;
    this.executions = new Executions(b.clock);
    this.clock = b.clock;
    this.actionType = actionType;
  }

  @Override
  public final boolean supports(Action action) {
    return actionType.isInstance(action);
  }

  @Override
  public final ActionResult execute(Action action, ExecutionContext context) {
    if (!supports(action)) {
      return executions.result(context, ActionResult.Status.REJECTED, name() + " does not support "
          + action.canonical());
    }
    return run(actionType.cast(action), context);
  }

  /** Carries out {@code action}; API errors are turned into results by {@link Executions}, never thrown. */
  abstract ActionResult run(A action, ExecutionContext context);

  /** The one workload of {@code service} in an allowed namespace, or the result that says why there is none. */
  record Target(HasMetadata workload, ActionResult refusal) {
    boolean found() {
      return workload != null;
    }
  }

  Target target(String service, ExecutionContext context) {
    List<HasMetadata> found = Workloads.find(client, namespaces.namespaces(), serviceLabel, service);
    if (found.size() != 1) {
      return new Target(null, executions.result(context, ActionResult.Status.FAILED, found.isEmpty()
          ? "no Deployment or StatefulSet of service " + service + " in " + namespaces.namespaces()
          : "service " + service + " names " + found.size() + " workloads: "
              + found.stream().map(Workloads::describe).toList()));
    }
    HasMetadata workload = found.get(0);
    Optional<String> refused = namespaces.refusal(workload.getMetadata().getNamespace());
    return refused.map(r -> new Target(null, executions.result(context, ActionResult.Status.REJECTED, r)))
        .orElseGet(() -> new Target(workload, null));
  }

  /** The answer to {@link #reconcile} when a change under {@code key} is recorded on a workload (or an HPA). */
  Optional<ActionResult> recordedOn(String key, boolean withHpas) {
    return Workloads.markedWith(client, namespaces.namespaces(), key, withHpas)
        .map(o -> executions.result(key, ActionResult.Status.SUCCEEDED, "took effect: key " + key
            + " is recorded on " + Workloads.describe(o)));
  }
}
