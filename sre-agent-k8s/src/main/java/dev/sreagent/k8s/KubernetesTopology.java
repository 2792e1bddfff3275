package dev.sreagent.k8s;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.TopologyProvider;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import dev.sreagent.api.model.Revision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@link TopologyProvider} of a cluster, from fabric8 shared informers (list + watch, with resync; no polling)
 * over Deployments, StatefulSets, Pods, HorizontalPodAutoscalers and PodDisruptionBudgets in the given namespaces.
 *
 * <p>Each workload is a service, named by a label ({@code app.kubernetes.io/name} by default) or else by its own name;
 * two workloads with one service name in different namespaces are keyed {@code namespace/name}. Replicas are the
 * workload's desired replicas; the ceiling is the HPA's {@code maxReplicas}, else the configured one; the PDB budget is
 * its {@code minAvailable} (or replicas less {@code maxUnavailable}; percentages rounded up); the current revision is
 * the Deployment's {@code deployment.kubernetes.io/revision} annotation or the StatefulSet's
 * {@code status.currentRevision} ({@code "unknown"} when absent); pods are those the workload's selector matches.
 *
 * <p>Rollout history ({@link ServiceInfo#revisions()}, oldest first; {@link #rolloutHistory} for the detail): for a
 * Deployment, one revision per ReplicaSet it controls (an {@code ownerReference} with its uid and
 * {@code controller: true}) that carries a {@code deployment.kubernetes.io/revision} number; {@code deployedAt} is the
 * ReplicaSet's creation time. "Healthy" means Kubernetes readiness only, not error rates or latency: a revision is
 * healthy when, the last time the informers saw it as the Deployment's current revision with pods wanted, every
 * desired pod was ready ({@code readyReplicas == replicas > 0}) and the Deployment did not report
 * {@code ProgressDeadlineExceeded}. So a revision that became ready and later degraded while current counts as
 * unhealthy, and one that passed its readiness probes while serving errors counts as healthy. This is observed by the
 * informers, in memory: a revision superseded before this topology started was never seen as current and its health
 * is unknown, which counts as <em>not healthy</em> (the agent only vouches for what it saw: right after a start it
 * proposes no rollback to such a revision) unless {@link Builder#setHistoryBeforeStartHealthy(boolean)} says to trust
 * it. For a StatefulSet, one revision per ControllerRevision it controls, by its {@code revision} number (as
 * {@code kubectl rollout history statefulset} lists them and {@link KubernetesRollbackExecutor} takes them); its
 * current revision is the number of {@code status.updateRevision} (its template's); healthy means that, the last time
 * the informers saw that revision as the template's with the status caught up, every pod ran it
 * ({@code currentRevision == updateRevision}) and every desired replica was ready. Call edges come from spans
 * ({@code CallGraph}), not from here.
 *
 * <p>{@link #topology()} reads the informers' caches: no API call; a workload's pods come from an index of pods by
 * label, not a scan of every pod. The informers are the topology's own, or, built by {@link KubernetesAdapter}, shared
 * with the {@link KubernetesChangeEvents} ({@link ClusterInformers}). RBAC: {@code list, watch} on deployments,
 * statefulsets, replicasets, controllerrevisions, pods, horizontalpodautoscalers and poddisruptionbudgets.
 */
public final class KubernetesTopology implements TopologyProvider, AutoCloseable {
  /** The ceiling of a workload without an HPA, unless set. */
  public static final int DEFAULT_MAX_REPLICAS = 10;
  /** How long {@link Builder#start()} waits for the informers' first lists, unless set. */
  public static final Duration DEFAULT_SYNC_TIMEOUT = KubernetesInformerBuilder.DEFAULT_SYNC_TIMEOUT;
  /** The informers' resync period, unless set. */
  public static final Duration DEFAULT_RESYNC = KubernetesInformerBuilder.DEFAULT_RESYNC;

  private final ClusterInformers informers;
  /** Whether {@link #close} stops the informers (false when they are shared, and their owner stops them). */
  private final boolean ownsInformers;
  private final Map<String, ClusterInformers.Namespace> byNamespace;
  private final String serviceLabel;
  private final int defaultMaxReplicas;
  private final boolean historyBeforeStartHealthy;
  private final RolloutObserver observer;

  private KubernetesTopology(ClusterInformers informers, boolean ownsInformers, RolloutObserver observer, Builder b) {
    this.informers = informers;
    this.ownsInformers = ownsInformers;
    this.byNamespace = informers.namespaces();
    this.observer = observer;
    this.historyBeforeStartHealthy = b.historyBeforeStartHealthy;
    this.serviceLabel = b.serviceLabel;
    this.defaultMaxReplicas = b.defaultMaxReplicas;
  }

  /** A builder over {@code client}. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public Topology topology() {
    List<ServiceInfo> services = new ArrayList<>();
    for (var e : byNamespace.entrySet()) {
      ClusterInformers.Namespace in = e.getValue();
      List<HasMetadata> workloads = new ArrayList<>(in.deployments().getStore().list());
      workloads.addAll(in.statefulSets().getStore().list());
      for (HasMetadata w : workloads) {
        services.add(service(w, in));
      }
    }
    Map<String, Integer> counts = new HashMap<>();
    services.forEach(s -> counts.merge(s.name(), 1, Integer::sum));
    Map<String, ServiceInfo> byName = new LinkedHashMap<>();
    for (ServiceInfo s : services) {
      byName.put(counts.get(s.name()) > 1 ? s.namespace() + "/" + s.name() : s.name(), s);
    }
    return new Topology(byName, Set.of());
  }

  private ServiceInfo service(HasMetadata w, ClusterInformers.Namespace in) {
    int replicas = Workloads.replicas(w);
    int max = in.hpas().getStore().list().stream().filter(h -> Workloads.targets(h, w))
        .mapToInt(h -> h.getSpec().getMaxReplicas()).findFirst().orElse(defaultMaxReplicas);
    List<String> pods = in.podsSelectedBy(Workloads.selector(w)).stream().map(p -> p.getMetadata().getName())
        .sorted().toList();
    Map<String, String> templateLabels = w instanceof Deployment d ? d.getSpec().getTemplate().getMetadata()
        .getLabels() : ((StatefulSet) w).getSpec().getTemplate().getMetadata().getLabels();
    int minAvailable = in.pdbs().getStore().list().stream()
        .filter(p -> Workloads.matches(p.getSpec().getSelector(), templateLabels))
        .mapToInt(p -> minAvailable(p, replicas)).max().orElse(0);
    if (w instanceof StatefulSet s) {
      List<ControllerRevision> owned = in.owned(s);
      String update = s.getStatus() == null ? null : s.getStatus().getUpdateRevision();
      String current = ControllerRevisions.numberOf(owned, update).stream().mapToObj(Long::toString).findFirst()
          .orElse(revision(w));
      return new ServiceInfo(Workloads.serviceName(w, serviceLabel), w.getMetadata().getNamespace(), replicas,
          Math.max(1, max), minAvailable, current, revisions(s, owned), pods);
    }
    return new ServiceInfo(Workloads.serviceName(w, serviceLabel), w.getMetadata().getNamespace(), replicas,
        Math.max(1, max), minAvailable, revision(w), revisions((Deployment) w, in), pods);
  }

  /** A StatefulSet's ControllerRevisions, oldest number first, with the health observed of each. */
  private List<Revision> revisions(StatefulSet s, List<ControllerRevision> owned) {
    return owned.stream().filter(r -> r.getRevision() != null)
        .sorted(Comparator.comparingLong(ControllerRevision::getRevision))
        .map(r -> new Revision(Long.toString(r.getRevision()), ReplicaSets.createdAt(r),
            healthy(observer.health(s, r)))).toList();
  }

  private List<Revision> revisions(Deployment d, ClusterInformers.Namespace in) {
    return history(d, in).stream().map(r -> new Revision(r.revision(), r.createdAt(), healthy(r.health()))).toList();
  }

  /** Whether a revision of {@code health} counts as healthy (unknown: {@link Builder#setHistoryBeforeStartHealthy}). */
  private boolean healthy(RolloutRevision.Health health) {
    return health == RolloutRevision.Health.HEALTHY
        || (health == RolloutRevision.Health.UNKNOWN && historyBeforeStartHealthy);
  }

  private List<RolloutRevision> history(Deployment d, ClusterInformers.Namespace in) {
    OptionalLong current = ReplicaSets.revision(d);
    return in.owned(d).stream().filter(rs -> ReplicaSets.revision(rs).isPresent())
        .sorted(Comparator.comparingLong(rs -> ReplicaSets.revision(rs).getAsLong()))
        .map(rs -> {
          long n = ReplicaSets.revision(rs).getAsLong();
          return new RolloutRevision(Long.toString(n), rs.getMetadata().getName(), ReplicaSets.createdAt(rs),
              ReplicaSets.images(rs.getSpec().getTemplate()), observer.health(rs),
              current.isPresent() && current.getAsLong() == n);
        }).toList();
  }

  /**
   * The rollout history of Deployment {@code namespace/name}, oldest first, from the informers' caches (no API call):
   * each revision's ReplicaSet, images and observed health (see the class comment for what "healthy" means). Empty
   * when the Deployment is not in the cache or has no numbered ReplicaSets.
   */
  public List<RolloutRevision> rolloutHistory(String namespace, String name) {
    ClusterInformers.Namespace in = byNamespace.get(namespace);
    Deployment d = in == null ? null : in.deployments().getStore().getByKey(namespace + "/" + name);
    return d == null ? List.of() : history(d, in);
  }

  static int minAvailable(PodDisruptionBudget pdb, int replicas) {
    IntOrString min = pdb.getSpec().getMinAvailable();
    if (min != null) {
      return Math.min(replicas, scaled(min, replicas));
    }
    IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
    return maxUnavailable == null ? 0 : Math.max(0, replicas - scaled(maxUnavailable, replicas));
  }

  private static int scaled(IntOrString v, int replicas) {
    if (v.getIntVal() != null) {
      return v.getIntVal();
    }
    String s = v.getStrVal().trim();
    if (s.endsWith("%")) {
      return (int) Math.ceil(Double.parseDouble(s.substring(0, s.length() - 1)) * replicas / 100.0);
    }
    return Integer.parseInt(s);
  }

  private static String revision(HasMetadata w) {
    String r = null;
    if (w instanceof Deployment d) {
      Map<String, String> a = d.getMetadata().getAnnotations();
      r = a == null ? null : a.get("deployment.kubernetes.io/revision");
    } else if (((StatefulSet) w).getStatus() != null) {
      r = ((StatefulSet) w).getStatus().getCurrentRevision();
    }
    return r == null || r.isBlank() ? "unknown" : r;
  }

  /** Stops every informer (unless they are shared: then whoever shared them stops them). */
  @Override
  public void close() {
    if (ownsInformers) {
      informers.close();
    }
  }

  /** Builds and starts a {@link KubernetesTopology}. */
  public static final class Builder extends KubernetesInformerBuilder<Builder> {
    private int defaultMaxReplicas = DEFAULT_MAX_REPLICAS;
    private boolean historyBeforeStartHealthy;

    private Builder(KubernetesClient client) {
      super(client);
    }

    /** The scale-out ceiling of a workload no HPA targets (default {@value #DEFAULT_MAX_REPLICAS}). */
    public Builder setDefaultMaxReplicas(int defaultMaxReplicas) {
      this.defaultMaxReplicas = Require.atLeast(defaultMaxReplicas, 1, "defaultMaxReplicas");
      return this;
    }

    /**
     * Whether a revision superseded before the topology started (its health never observed) counts as healthy
     * (default false: only observed readiness counts, so the agent proposes no rollback to a revision it never saw
     * run). True trusts that whatever ran before ran well: choose it only where rolled-over revisions were healthy.
     */
    public Builder setHistoryBeforeStartHealthy(boolean historyBeforeStartHealthy) {
      this.historyBeforeStartHealthy = historyBeforeStartHealthy;
      return this;
    }

    /**
     * Starts the informers and waits until each has listed its objects.
     *
     * @throws IllegalStateException naming the informers that did not sync within the timeout (all are stopped)
     */
    public KubernetesTopology start() {
      requireNamespaces();
      return start(ClusterInformers.create(client, namespaces, resync,
          Set.of(ClusterInformers.Kind.TOPOLOGY)), true);
    }

    /**
     * Starts on {@code shared} informers (their namespaces, not this builder's; the resync is theirs), waiting for
     * their first lists unless they are started already; {@link KubernetesTopology#close} leaves them running.
     */
    KubernetesTopology start(ClusterInformers shared) {
      if (!shared.has(ClusterInformers.Kind.TOPOLOGY)) {
        throw new IllegalStateException("the shared informers do not watch HPAs, PDBs and ControllerRevisions, which the topology reads");
      }
      return start(shared, false);
    }

    private KubernetesTopology start(ClusterInformers informers, boolean owned) {
      RolloutObserver observer = new RolloutObserver();
      informers.namespaces().values().forEach(in -> watchRollouts(in, observer));
      KubernetesTopology topology = new KubernetesTopology(informers, owned, observer, this);
      informers.start(syncTimeout);
      return topology;
    }

    /** Feeds the observer from both sides (either event may come first). */
    private static void watchRollouts(ClusterInformers.Namespace in, RolloutObserver observer) {
      in.deployments().addEventHandler(handler(d -> in.owned(d).forEach(rs -> observer.observe(d, rs)), d -> {}));
      in.statefulSets().addEventHandler(handler(observer::observe, observer::forget));
      in.replicaSets().addEventHandler(handler(rs -> {
        String owner = ReplicaSets.controllingDeploymentName(rs);
        Deployment d = owner == null ? null : in.deployments().getStore()
            .getByKey(rs.getMetadata().getNamespace() + "/" + owner);
        if (d != null) {
          observer.observe(d, rs);
        }
      }, observer::forget));
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> changed, Consumer<T> deleted) {
      return new ResourceEventHandler<>() {
        @Override
        public void onAdd(T obj) {
          changed.accept(obj);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
          changed.accept(newObj);
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
          deleted.accept(obj);
        }
      };
    }
  }
}
