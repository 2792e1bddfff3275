package dev.sreagent.k8s;

import dev.sreagent.api.port.ActionExecutor;
import dev.sreagent.api.port.Clock;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Everything this module gives an agent on one cluster, wired the same way every time: the {@link KubernetesTopology}
 * (the agent's topology provider), the {@link KubernetesChangeEvents} (a telemetry source the agent starts) and the
 * enabled executors, all on the same allowed namespaces, after a permission check that fails fast naming every verb
 * the service account lacks.
 *
 * <pre>{@code
 * KubernetesClient client = new KubernetesClientBuilder().build();   // kubeconfig or in-cluster
 * KubernetesAdapter k8s = KubernetesAdapter.builder(client).setNamespaces(Set.of("shop")).start();
 * SreAgentBuilder agent = SreAgent.builder().setTopologyProvider(k8s.topology())
 *     .addTelemetrySource(k8s.changeEvents());
 * k8s.executors().forEach(agent::addExecutor);
 * }</pre>
 *
 * <p>The executors get a client of their own derived from {@code client} with fabric8's own retries of HTTP 429 off
 * ({@code requestRetryBackoffLimit = 0}): a PodDisruptionBudget's refusal comes back at once as a refusal and the
 * agent retries with its own policy. {@link #close} stops the informers and closes that client (not {@code client}).
 */
public final class KubernetesAdapter implements AutoCloseable {
  /** The executors this adapter can enable, by the name configuration uses. */
  public enum ExecutorKind {
    /** {@link KubernetesRestartExecutor}: evictions one wave at a time, or a rolling restart by the pod template. */
    RESTART,
    /** {@link KubernetesScaleExecutor}: replicas or an HPA's minimum. */
    SCALE,
    /** {@link KubernetesRollbackExecutor}: the pod template of an earlier ReplicaSet. */
    ROLLBACK,
    /** {@link KubernetesLogTruncateExecutor}: pods/exec with a fixed argument vector. */
    TRUNCATE_LOGS,
    /** {@link KubernetesCertificateExecutor}: cert-manager's Issuing condition. */
    RENEW_CERTIFICATE;

    /** {@code "truncate-logs"}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The kind named {@code name} ({@code restart}, {@code scale}, {@code rollback}, {@code truncate-logs},
     * {@code renew-certificate}).
     *
     * @throws IllegalArgumentException naming the accepted names
     */
    public static ExecutorKind of(String name) {
      String wanted = name.strip().toLowerCase(Locale.ROOT);
      for (ExecutorKind k : values()) {
        if (k.configName().equals(wanted)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown Kubernetes executor '" + name.strip() + "'; known: " + List.of(values())
          .stream().map(ExecutorKind::configName).collect(Collectors.joining(", ")));
    }
  }

  private final Set<String> namespaces;
  private final Set<ExecutorKind> enabled;
  private final List<Permission> required;
  private final ClusterInformers informers;
  private final KubernetesTopology topology;
  private final KubernetesChangeEvents changeEvents;
  private final KubernetesClient executorClient;
  private final List<ActionExecutor> executors;

  private KubernetesAdapter(Builder b, List<Permission> required, ClusterInformers informers,
      KubernetesTopology topology) {
    this.namespaces = Set.copyOf(b.namespaces);
    this.enabled = java.util.Collections.unmodifiableSet(EnumSet.copyOf(b.enabled));
    this.required = required;
    this.informers = informers;
    this.topology = topology;
    this.changeEvents = KubernetesChangeEvents.builder(b.client).setInformers(informers)
        .setServiceLabel(b.serviceLabel).setClock(b.clock).setSyncTimeout(b.syncTimeout).build();
    this.executorClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(b.client.getConfiguration())
        .withRequestRetryBackoffLimit(0).build()).build();
    NamespacePolicy policy = NamespacePolicy.allowing(b.namespaces);
    List<ActionExecutor> list = new ArrayList<>();
    for (ExecutorKind k : b.enabled) {
      list.add(switch (k) {
        case RESTART -> configure(KubernetesRestartExecutor.builder(executorClient), policy, b).build();
        case SCALE -> configure(KubernetesScaleExecutor.builder(executorClient), policy, b).build();
        case ROLLBACK -> configure(KubernetesRollbackExecutor.builder(executorClient), policy, b).build();
        case TRUNCATE_LOGS -> configure(KubernetesLogTruncateExecutor.builder(executorClient), policy, b).build();
        case RENEW_CERTIFICATE -> configure(KubernetesCertificateExecutor.builder(executorClient), policy, b)
            .build();
      });
    }
    this.executors = List.copyOf(list);
  }

  private static <B extends KubernetesExecutorBuilder<B, ?>> B configure(B builder, NamespacePolicy policy,
      Builder b) {
    return builder.setNamespaces(policy).setServiceLabel(b.serviceLabel).setClock(b.clock);
  }

  /** A builder over {@code client} (kubeconfig or in-cluster); {@link Builder#setNamespaces} is required. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /** What {@code kinds} and the informers need in {@code namespaces}, for a check or an RBAC review. */
  public static List<Permission> requiredPermissions(Set<String> namespaces, Set<ExecutorKind> kinds,
      boolean watchNodes) {
    Set<Permission> all = new LinkedHashSet<>(Permissions.topology(namespaces));
    all.addAll(Permissions.changeEvents(namespaces, watchNodes));
    for (ExecutorKind k : kinds) {
      all.addAll(switch (k) {
        case RESTART -> Permissions.restartExecutor(namespaces);
        case SCALE -> Permissions.scaleExecutor(namespaces);
        case ROLLBACK -> Permissions.rollbackExecutor(namespaces);
        case TRUNCATE_LOGS -> Permissions.logTruncateExecutor(namespaces);
        case RENEW_CERTIFICATE -> Permissions.certificateExecutor(namespaces);
      });
    }
    return List.copyOf(all);
  }

  /** The topology provider (informers started and synced). */
  public KubernetesTopology topology() {
    return topology;
  }

  /** The telemetry source of change events; the agent starts it (add it with {@code addTelemetrySource}). */
  public KubernetesChangeEvents changeEvents() {
    return changeEvents;
  }

  /** The enabled executors, in {@link ExecutorKind} order. */
  public List<ActionExecutor> executors() {
    return executors;
  }

  /** The permissions checked at start (the informers' and the enabled executors'). */
  public List<Permission> requiredPermissions() {
    return required;
  }

  /** {@code "namespaces [shop], 12 services, executors restart, scale"}: one line for a start-up log. */
  public String describe() {
    int services = topology.topology().services().size();
    return "namespaces " + new TreeSet<>(namespaces) + ", " + services + (services == 1 ? " service, " : " services, ")
        + (enabled.isEmpty() ? "no executors (observe only)" : "executors " + enabled.stream()
            .map(ExecutorKind::configName).collect(Collectors.joining(", ")));
  }

  /** Stops the informers and closes the executors' client. */
  @Override
  public void close() {
    try {
      changeEvents.close();
      topology.close();
      informers.close();
    } finally {
      executorClient.close();
    }
  }

  /**
   * Builds a {@link KubernetesAdapter}; {@link #start} checks permissions and starts the topology. The namespaces
   * ({@link #setNamespaces}, required) are watched and are the only ones the executors may change; a control-plane
   * namespace such as kube-system is watched, but the executors refuse to change it ({@link NamespacePolicy}).
   */
  public static final class Builder extends KubernetesInformerBuilder<Builder> {
    private final EnumSet<ExecutorKind> enabled = EnumSet.allOf(ExecutorKind.class);
    private Clock clock = Clock.system();
    private boolean watchNodes = true;
    private boolean checkPermissions = true;

    private Builder(KubernetesClient client) {
      super(client);
    }

    /** The executors to enable (default all five; empty for an agent that only observes). */
    public Builder setExecutors(Set<ExecutorKind> kinds) {
      Objects.requireNonNull(kinds, "kinds");
      this.enabled.clear();
      this.enabled.addAll(kinds);
      return this;
    }

    /** The clock of results and signals (default the system clock). */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether change events watch Nodes for NotReady (default true; needs {@code list, watch} on nodes through a
     * ClusterRoleBinding).
     */
    public Builder setWatchNodes(boolean watchNodes) {
      this.watchNodes = watchNodes;
      return this;
    }

    /**
     * Whether {@link #start} checks every permission with {@code SelfSubjectAccessReview}s first (default true; an
     * API server that answers no access reviews needs false).
     */
    public Builder setCheckPermissions(boolean checkPermissions) {
      this.checkPermissions = checkPermissions;
      return this;
    }

    /**
     * Checks the permissions, starts the topology's informers and waits for their first lists, and builds the change
     * events source and the executors.
     *
     * @throws IllegalStateException when no namespace was set, or the informers did not sync in time
     * @throws MissingPermissionsException naming every permission the service account lacks (nothing was started)
     */
    public KubernetesAdapter start() {
      if (namespaces.isEmpty()) {
        throw new IllegalStateException("namespaces must not be empty: call setNamespaces(...) with the namespaces"
            + " the agent may watch and change");
      }
      List<Permission> required = requiredPermissions(namespaces, enabled, watchNodes);
      if (checkPermissions) {
        PermissionCheck.verify(client, required);
      }
      ClusterInformers informers = ClusterInformers.create(client, namespaces, resync,
          watchNodes ? EnumSet.allOf(ClusterInformers.Kind.class) : EnumSet.complementOf(EnumSet.of(
              ClusterInformers.Kind.NODES)));
      try {
        KubernetesTopology topology = KubernetesTopology.builder(client).setNamespaces(namespaces)
            .setServiceLabel(serviceLabel).setSyncTimeout(syncTimeout).start(informers);
        return new KubernetesAdapter(this, required, informers, topology);
      } catch (RuntimeException e) {
        informers.close();
        throw e;
      }
    }
  }
}
