package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One set of fabric8 shared informers (list + watch, with resync) over a cluster's watched namespaces, read by the
 * {@link KubernetesTopology} and the {@link KubernetesChangeEvents} alike, so that each object is listed, watched,
 * decoded and cached once ({@link KubernetesAdapter} shares one between both; each alone makes its own).
 *
 * <p>Per namespace: Deployments, StatefulSets, ReplicaSets (indexed by the uid of the Deployment controlling them) and
 * Pods (indexed by each {@code label=value}, so a workload's pods are found from its selector without a scan of every
 * pod); and, as asked for ({@link Kind}), HorizontalPodAutoscalers and PodDisruptionBudgets, Events, cert-manager
 * Certificates (left out, with the reason kept, where the API server does not serve them: no CRD),
 * ControllerRevisions (indexed like ReplicaSets, by the StatefulSet controlling them), and Nodes
 * cluster-wide. Handlers may be added before or after {@link #start}; one added after gets every cached object as an add first
 * (fabric8 replays the cache to a new handler). {@link #start} is idempotent.
 */
final class ClusterInformers implements AutoCloseable {
  /** The ReplicaSet and ControllerRevision index: the uid of the Deployment or StatefulSet that controls it. */
  static final String OWNER_INDEX = "controlling-owner-uid";
  /** The Pod index: each of its labels as {@code key=value}. */
  static final String LABEL_INDEX = "label";

  /** The kinds watched beside workloads, ReplicaSets and Pods, as asked for. */
  enum Kind {
    /**
     * HorizontalPodAutoscalers, PodDisruptionBudgets and ControllerRevisions (the topology's bounds, budgets and
     * StatefulSets' rollout history).
     */
    TOPOLOGY,
    /** Events (the change events' log records). */
    EVENTS,
    /** cert-manager Certificates, where served (the change events' certificate expiry). */
    CERTIFICATES,
    /** Nodes, cluster-wide (the change events' NotReady). */
    NODES
  }

  /** The informers of one namespace (those of a {@link Kind} not asked for, or not served, are null). */
  record Namespace(SharedIndexInformer<Deployment> deployments, SharedIndexInformer<StatefulSet> statefulSets,
      SharedIndexInformer<ReplicaSet> replicaSets, SharedIndexInformer<Pod> pods,
      @Nullable SharedIndexInformer<HorizontalPodAutoscaler> hpas,
      @Nullable SharedIndexInformer<PodDisruptionBudget> pdbs,
      @Nullable SharedIndexInformer<ControllerRevision> controllerRevisions, @Nullable SharedIndexInformer<Event> events,
      @Nullable SharedIndexInformer<GenericKubernetesResource> certificates) {

    /** The ReplicaSets {@code d} controls (from the owner index). */
    List<ReplicaSet> owned(Deployment d) {
      String uid = d.getMetadata().getUid();
      return uid == null ? List.of() : replicaSets.getIndexer().byIndex(OWNER_INDEX, uid).stream()
          .filter(rs -> ReplicaSets.ownedBy(rs, d)).toList();
    }

    /** The ControllerRevisions {@code s} controls (from the owner index; none when they are not watched). */
    List<ControllerRevision> owned(StatefulSet s) {
      String uid = s.getMetadata().getUid();
      return uid == null || controllerRevisions == null ? List.of() : controllerRevisions.getIndexer()
          .byIndex(OWNER_INDEX, uid).stream().filter(r -> ControllerRevisions.ownedBy(r, s)).toList();
    }

    /**
     * The cached pods {@code selector} matches: from the label index when it has a {@code matchLabels} entry (the
     * candidates of the first one, then every term checked), else every cached pod checked.
     */
    List<Pod> podsSelectedBy(LabelSelector selector) {
      Map<String, String> labels = selector == null ? null : selector.getMatchLabels();
      List<Pod> candidates = labels == null || labels.isEmpty() ? pods.getStore().list()
          : pods.getIndexer().byIndex(LABEL_INDEX, term(labels.entrySet().iterator().next()));
      return candidates.stream().filter(p -> Workloads.matches(selector, p.getMetadata().getLabels())).toList();
    }

    private Map<String, SharedIndexInformer<?>> named(String ns) {
      Map<String, SharedIndexInformer<?>> named = new LinkedHashMap<>();
      named.put("deployments in " + ns, deployments);
      named.put("statefulsets in " + ns, statefulSets);
      named.put("replicasets in " + ns, replicaSets);
      named.put("pods in " + ns, pods);
      if (hpas != null) {
        named.put("horizontalpodautoscalers in " + ns, hpas);
        named.put("poddisruptionbudgets in " + ns, pdbs);
        named.put("controllerrevisions in " + ns, controllerRevisions);
      }
      if (events != null) {
        named.put("events in " + ns, events);
      }
      if (certificates != null) {
        named.put("certificates.cert-manager.io in " + ns, certificates);
      }
      return named;
    }
  }

  private final Map<String, Namespace> byNamespace;
  private final @Nullable SharedIndexInformer<Node> nodes;
  private final Set<Kind> kinds;
  private final @Nullable String certificatesAbsent;
  private boolean started;
  private boolean closed;

  private ClusterInformers(Map<String, Namespace> byNamespace, @Nullable SharedIndexInformer<Node> nodes,
      Set<Kind> kinds, @Nullable String certificatesAbsent) {
    this.byNamespace = Collections.unmodifiableMap(byNamespace);
    this.nodes = nodes;
    this.kinds = Set.copyOf(kinds);
    this.certificatesAbsent = certificatesAbsent;
  }

  /**
   * The informers (not started) for {@code namespaces}, with those of {@code kinds}. For Certificates one list of
   * at most one object per namespace asks whether the API server serves them: HTTP 404 (no CRD) leaves them out (see
   * {@link #certificatesAbsent}); another error is thrown.
   */
  static ClusterInformers create(KubernetesClient client, Set<String> namespaces, Duration resync, Set<Kind> kinds) {
    Objects.requireNonNull(client, "client");
    long ms = resync.toMillis();
    boolean budgets = kinds.contains(Kind.TOPOLOGY);
    String absent = kinds.contains(Kind.CERTIFICATES) ? certificatesAbsent(client, namespaces) : "not asked for";
    Map<String, Namespace> byNamespace = new TreeMap<>();
    for (String ns : namespaces) {
      Namespace in = new Namespace(client.apps().deployments().inNamespace(ns).runnableInformer(ms),
          client.apps().statefulSets().inNamespace(ns).runnableInformer(ms),
          client.apps().replicaSets().inNamespace(ns).runnableInformer(ms),
          client.pods().inNamespace(ns).runnableInformer(ms),
          budgets ? client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).runnableInformer(ms) : null,
          budgets ? client.policy().v1().podDisruptionBudget().inNamespace(ns).runnableInformer(ms) : null,
          budgets ? client.apps().controllerRevisions().inNamespace(ns).runnableInformer(ms) : null,
          kinds.contains(Kind.EVENTS) ? client.v1().events().inNamespace(ns).runnableInformer(ms) : null,
          absent == null ? client.genericKubernetesResources(CertManager.CERTIFICATES).inNamespace(ns)
              .runnableInformer(ms) : null);
      in.replicaSets().addIndexers(Map.of(OWNER_INDEX, ReplicaSets::controllingDeploymentUids));
      in.pods().addIndexers(Map.of(LABEL_INDEX, ClusterInformers::labelTerms));
      if (in.controllerRevisions() != null) {
        in.controllerRevisions().addIndexers(Map.of(OWNER_INDEX, ClusterInformers::controllingStatefulSetUids));
      }
      byNamespace.put(ns, in);
    }
    return new ClusterInformers(byNamespace, kinds.contains(Kind.NODES) ? client.nodes().runnableInformer(ms)
        : null, kinds, kinds.contains(Kind.CERTIFICATES) ? absent : null);
  }

  /** Why Certificates are not watched (HTTP 404: cert-manager not installed), or null when they are served. */
  private static @Nullable String certificatesAbsent(KubernetesClient client, Set<String> namespaces) {
    for (String ns : namespaces) {
      try {
        client.genericKubernetesResources(CertManager.CERTIFICATES).inNamespace(ns)
            .list(new ListOptionsBuilder().withLimit(1L).build());
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return "the API server does not serve certificates.cert-manager.io/v1 (HTTP 404 listing them in " + ns
              + "): cert-manager is not installed";
        }
        throw e;
      }
    }
    return null;
  }

  /** Whether the informers of {@code kind} were asked for (Certificates: even when not served). */
  boolean has(Kind kind) {
    return kinds.contains(kind);
  }

  /** Why Certificates were asked for but are not watched, or null. */
  @Nullable String certificatesAbsent() {
    return certificatesAbsent;
  }

  /** The informers of each watched namespace, in namespace order. */
  Map<String, Namespace> namespaces() {
    return byNamespace;
  }

  /** The Nodes informer, when created with nodes. */
  @Nullable SharedIndexInformer<Node> nodes() {
    return nodes;
  }

  /**
   * Starts every informer and waits for their first lists; does nothing when started already.
   *
   * @throws IllegalStateException naming the informers that did not sync in {@code timeout} (all are stopped), or
   *     when closed
   */
  synchronized void start(Duration timeout) {
    if (closed) {
      throw new IllegalStateException("the informers are closed");
    }
    if (started) {
      return;
    }
    InformerSync.start(named(), timeout);
    started = true;
  }

  /** Every informer by the name an error shows ({@code "pods in shop"}). */
  Map<String, SharedIndexInformer<?>> named() {
    Map<String, SharedIndexInformer<?>> named = new LinkedHashMap<>();
    byNamespace.forEach((ns, in) -> named.putAll(in.named(ns)));
    if (nodes != null) {
      named.put("nodes", nodes);
    }
    return named;
  }

  /** Stops every informer. */
  @Override
  public synchronized void close() {
    closed = true;
    InformerSync.stopAll(named());
  }

  private static List<String> controllingStatefulSetUids(ControllerRevision r) {
    List<OwnerReference> refs = r.getMetadata().getOwnerReferences();
    return refs == null ? List.of() : refs.stream().filter(o -> "StatefulSet".equals(o.getKind())
        && Boolean.TRUE.equals(o.getController()) && o.getUid() != null).map(OwnerReference::getUid).toList();
  }

  private static List<String> labelTerms(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels == null || labels.isEmpty()) {
      return List.of();
    }
    List<String> terms = new ArrayList<>(labels.size());
    labels.entrySet().forEach(e -> terms.add(term(e)));
    return terms;
  }

  private static String term(Map.Entry<String, String> label) {
    return label.getKey() + "=" + label.getValue();
  }
}
