package dev.sreagent.k8s;

import dev.sreagent.api.Require;
import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;

/**
 * What every Kubernetes executor is built from: the client, the namespaces it may change (required), the label that
 * names a workload's service and the clock that stamps results. Each executor's {@code builder(client)} returns its own
 * subclass, which may add settings of its own.
 *
 * @param <B> the concrete builder (setters return it)
 * @param <E> the executor it builds
 */
public abstract class KubernetesExecutorBuilder<B extends KubernetesExecutorBuilder<B, E>, E extends ActionExecutor> {
  final KubernetesClient client;
  NamespacePolicy namespaces;
  String serviceLabel = Workloads.DEFAULT_SERVICE_LABEL;
  Clock clock = Clock.system();

  KubernetesExecutorBuilder(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** The namespaces it may change (required). */
  public B setNamespaces(NamespacePolicy namespaces) {
    this.namespaces = Objects.requireNonNull(namespaces, "namespaces");
    return self();
  }

  /** The label naming a workload's service (default {@code app.kubernetes.io/name}; else the workload's name). */
  public B setServiceLabel(String serviceLabel) {
    this.serviceLabel = Require.notBlank(serviceLabel, "serviceLabel");
    return self();
  }

  /** The clock stamping results (default the system clock). */
  public B setClock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /**
   * The executor.
   *
   * @throws IllegalStateException when {@link #setNamespaces} was not called
   */
  public final E build() {
    if (namespaces == null) {
      throw new IllegalStateException("namespaces are required: call setNamespaces(NamespacePolicy.allowing(...))");
    }
    return create();
  }

  abstract E create();

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
