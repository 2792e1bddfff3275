package dev.sreagent.k8s;

import dev.sreagent.api.Require;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What everything built on the module's informers is built from ({@link KubernetesTopology},
 * {@link KubernetesChangeEvents}, {@link KubernetesAdapter}): the client, the namespaces to watch (required), the label
 * that names a workload's service, how long a start waits for the informers' first lists and their resync period.
 * Each {@code builder(client)} returns its own subclass, which adds settings of its own.
 *
 * @param <B> the concrete builder (setters return it)
 */
public abstract class KubernetesInformerBuilder<B extends KubernetesInformerBuilder<B>> {
  /** How long a start waits for the informers' first lists, unless set. */
  public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(30);
  /** The informers' resync period, unless set. */
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(5);

  final KubernetesClient client;
  final Set<String> namespaces = new TreeSet<>();
  String serviceLabel = Workloads.DEFAULT_SERVICE_LABEL;
  Duration syncTimeout = DEFAULT_SYNC_TIMEOUT;
  Duration resync = DEFAULT_RESYNC;

  KubernetesInformerBuilder(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** The namespaces to watch (required, at least one). */
  public B setNamespaces(Set<String> namespaces) {
    Objects.requireNonNull(namespaces, "namespaces").forEach(n -> Require.notBlank(n, "namespaces"));
    this.namespaces.clear();
    this.namespaces.addAll(namespaces);
    return self();
  }

  /** The label naming a workload's service (default {@code app.kubernetes.io/name}; else the workload's name). */
  public B setServiceLabel(String serviceLabel) {
    this.serviceLabel = Require.notBlank(serviceLabel, "serviceLabel");
    return self();
  }

  /** How long a start waits for every informer's first list (default 30 s); then it fails naming the laggards. */
  public B setSyncTimeout(Duration syncTimeout) {
    this.syncTimeout = Require.positive(syncTimeout, "syncTimeout");
    return self();
  }

  /** The informers' resync period (default 5 min): how often every cached object is delivered again. */
  public B setResync(Duration resync) {
    this.resync = Require.positive(resync, "resync");
    return self();
  }

  /** Fails naming the fix when no namespace was set. */
  void requireNamespaces() {
    if (namespaces.isEmpty()) {
      throw new IllegalStateException("namespaces must not be empty: call setNamespaces(...) with the namespaces"
          + " to watch");
    }
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
