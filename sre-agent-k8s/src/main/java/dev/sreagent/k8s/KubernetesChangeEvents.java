package dev.sreagent.k8s;

import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import dev.sreagent.k8s.ClusterInformers.Kind;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TelemetrySource} of what happens to the workloads of a cluster, from fabric8 shared informers (list +
 * watch, with resync; no polling) over Pods, ReplicaSets, Deployments, StatefulSets and core/v1 Events in the watched
 * namespaces, and Nodes (cluster-wide), mapped onto the signals the built-in detectors and the correlator already read:
 * <ul>
 *   <li>a Deployment's new {@code deployment.kubernetes.io/revision} (a StatefulSet's new
 *       {@code status.updateRevision}; without either, a change of the template's images) is a {@link ChangeEvent}
 *       with that revision: {@link ChangeEvent#DEPLOY} (the evidence of a bad deploy, which the agent rolls back)
 *       for new images or another template change, {@link ChangeEvent#ROLLBACK} when the images are those of an
 *       earlier revision, {@link ChangeEvent#RESTART} when only a {@code ...restartedAt} template annotation changed
 *       ({@link Rollouts}); a scale is none of these;
 *   <li>a container whose {@code lastState.terminated.reason} is {@code OOMKilled}, at a restart count not seen before,
 *       is a {@link ChangeEvent#OOM_KILLED} (the memory-pressure detector opens an OOM_KILL incident on it), with the
 *       container's memory limit in its description;
 *   <li>a container waiting in {@code CrashLoopBackOff} (per restart count) is an ERROR log record; a pod evicted
 *       ({@code status.reason} or an Event {@code Evicted}; once per pod) and an Event {@code FailedMount} (per event
 *       count) are WARN log records; a node whose {@code Ready} condition is not {@code True} is an ERROR log record for
 *       each service with pods on it (once per condition transition);
 *   <li>a cert-manager {@code Certificate} is the {@code tls.certificate.time_to_expiry} gauge (seconds to its
 *       {@code status.notAfter}; the certificate-expiry detector opens an incident within 14 days) of the service
 *       that mounts its secret ({@link CertificateExpiry}): every cached one at {@link #start}, then at every add,
 *       update and resync (a gauge's current value, emitted each time, not once). Where cert-manager is not installed
 *       (the API answers HTTP 404 for certificates) this is left out, logged once at the start.
 * </ul>
 * Each signal names the service of the pod by its owner chain ({@link PodOwners}: the same naming rule as
 * {@link KubernetesTopology}) and is stamped with the configured clock's time of observation.
 *
 * <p>Once only: every signal comes from a fact keyed by object uid plus restart count, revision, event count or
 * condition transition, and a fact is emitted at most once, so resyncs, re-lists and repeated notifications emit
 * nothing new. The initial list is history: {@link #start} waits for every informer to sync, then marks the facts of
 * everything in the caches as seen without emitting them; only what changes afterwards is emitted (a change racing
 * the end of the sync by milliseconds counts as history).
 *
 * <p>The informers are this source's own, or, built by {@link KubernetesAdapter}, the ones its topology reads (each
 * object is then listed, watched and cached once; closing this source removes its handlers, the informers run on).
 *
 * <p>RBAC: {@code list, watch} on pods, events (core), deployments, replicasets, statefulsets and
 * {@code certificates.cert-manager.io} in each watched namespace, and on nodes cluster-wide (a ClusterRoleBinding; or {@link Builder#setWatchNodes} false). See
 * {@link Permissions#changeEvents}.
 */
public final class KubernetesChangeEvents implements TelemetrySource {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesChangeEvents.class);

  private final KubernetesClient client;
  private final Set<String> namespaces;
  private final String serviceLabel;
  private final Clock clock;
  private final long resyncMs;
  private final Duration syncTimeout;
  private final boolean watchNodes;
  /** The informers shared with a topology (see {@link KubernetesAdapter}), or null: {@link #start} makes its own. */
  private final @Nullable ClusterInformers shared;
  private @Nullable ClusterInformers informers;
  /** The handlers this source added, to remove from shared informers at {@link #close}. */
  private final List<Runnable> removals = new ArrayList<>();
  private @Nullable SignalMapper mapper;
  private volatile @Nullable PodOwners owners;

  private KubernetesChangeEvents(Builder b) {
    this.client = b.client;
    this.namespaces = Set.copyOf(b.namespaces);
    this.serviceLabel = b.serviceLabel;
    this.clock = b.clock;
    this.resyncMs = b.resync.toMillis();
    this.syncTimeout = b.syncTimeout;
    this.watchNodes = b.watchNodes;
    this.shared = b.shared;
  }

  /** A builder over {@code client}; {@link Builder#setNamespaces} is required. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  @Override
  public String name() {
    return "kubernetes-change-events";
  }

  /**
   * Starts the informers, waits until each has listed its objects, seeds the state from them and from then on pushes
   * signals into {@code sink}.
   *
   * @throws IllegalStateException when already started, or naming the informers that did not sync within the sync
   *     timeout (all are stopped)
   */
  @Override
  public synchronized void start(TelemetrySink sink) {
    Objects.requireNonNull(sink, "sink");
    if (mapper != null) {
      throw new IllegalStateException(name() + " is already started: start(sink) is called once");
    }
    ClusterInformers in = shared != null ? shared : ClusterInformers.create(client, namespaces,
        Duration.ofMillis(resyncMs), watchNodes ? EnumSet.of(Kind.EVENTS, Kind.CERTIFICATES, Kind.NODES)
            : EnumSet.of(Kind.EVENTS, Kind.CERTIFICATES));
    if (!in.has(Kind.EVENTS) || !in.has(Kind.CERTIFICATES)) {
      throw new IllegalStateException("the shared informers do not watch Events and Certificates, which the change"
          + " events read");
    }
    PodOwners podOwners = new PodOwners(in.namespaces(), serviceLabel);
    SignalMapper m = new SignalMapper(podOwners, clock);
    List<SharedIndexInformer<? extends HasMetadata>> observed = new ArrayList<>();
    in.namespaces().values().forEach(c -> {
      watch(c.pods(), m, observed);
      watch(c.deployments(), m, observed);
      watch(c.statefulSets(), m, observed);
      watch(c.events(), m, observed);
    });
    if (watchNodes && in.nodes() != null) {
      watch(in.nodes(), m, observed);
    }
    informers = in;
    in.start(syncTimeout);
    List<HasMetadata> initial = new ArrayList<>();
    observed.forEach(i -> initial.addAll(i.getStore().list()));
    m.seed(initial, sink);
    mapper = m;
    owners = podOwners;
    if (in.certificatesAbsent() != null) {
      LOG.info("no certificate expiry from cert-manager: {}", in.certificatesAbsent());
    }
    in.namespaces().values().stream().filter(c -> c.certificates() != null)
        .forEach(c -> watchCertificates(c, podOwners, m));
  }

  /**
   * Emits the expiry gauge of every Certificate of {@code c}: each cached one now (a gauge's current value is news,
   * unlike a fact already seen), then on every add, update and resync.
   */
  private void watchCertificates(ClusterInformers.Namespace c, PodOwners podOwners, SignalMapper m) {
    SharedIndexInformer<GenericKubernetesResource> certificates = c.certificates();
    java.util.function.Consumer<GenericKubernetesResource> emit = cert -> {
      try {
        CertificateExpiry.sample(cert, c, podOwners, serviceLabel, clock.now()).ifPresent(m::gauge);
      } catch (RuntimeException e) {
        LOG.warn("could not read the expiry of certificate {}/{}", cert.getMetadata().getNamespace(),
            cert.getMetadata().getName(), e);
      }
    };
    ResourceEventHandler<GenericKubernetesResource> handler = new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource cert) {
        emit.accept(cert);
      }

      @Override
      public void onUpdate(GenericKubernetesResource oldCert, GenericKubernetesResource cert) {
        emit.accept(cert);
      }

      @Override
      public void onDelete(GenericKubernetesResource cert, boolean deletedFinalStateUnknown) {
        // a deleted Certificate serves nothing: no gauge
      }
    };
    certificates.addEventHandler(handler);  // fabric8 replays every cached Certificate to it as an add
    removals.add(() -> certificates.removeEventHandler(handler));
  }

  /**
   * The memory limit of a container of a watched pod, from the pod spec in the informer's cache (no API call): of
   * {@code container}, or, when it is null, of the pod (the sum of its containers' limits). Empty before
   * {@link #start}, for a pod not cached, and when a container concerned has no memory limit.
   */
  public OptionalDouble memoryLimitBytes(String namespace, String pod, @Nullable String container) {
    PodOwners o = owners;
    Pod p = o == null ? null : o.pod(namespace, pod).orElse(null);
    if (p == null || p.getSpec() == null || p.getSpec().getContainers() == null) {
      return OptionalDouble.empty();
    }
    double sum = 0;
    int counted = 0;
    for (Container c : p.getSpec().getContainers()) {
      if (container != null && !container.equals(c.getName())) {
        continue;
      }
      Quantity limit = c.getResources() == null || c.getResources().getLimits() == null ? null
          : c.getResources().getLimits().get("memory");
      if (limit == null) {
        return OptionalDouble.empty();
      }
      sum += Quantity.getAmountInBytes(limit).doubleValue();
      counted++;
    }
    return counted == 0 || sum <= 0 ? OptionalDouble.empty() : OptionalDouble.of(sum);
  }

  /** The service of the watched pod {@code namespace/pod} ({@link PodOwners}); empty before {@link #start}. */
  Optional<String> serviceOf(String namespace, String pod) {
    PodOwners o = owners;
    return o == null ? Optional.empty() : Optional.of(o.service(namespace, pod));
  }

  private <T extends HasMetadata> void watch(SharedIndexInformer<T> informer, SignalMapper m,
      List<SharedIndexInformer<? extends HasMetadata>> observed) {
    ResourceEventHandler<T> handler = new ResourceEventHandler<T>() {
      @Override
      public void onAdd(T obj) {
        handle(m, obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        handle(m, newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        // a deletion is no signal (an eviction shows as a status or an Event before it); only memory is released
        m.forget(obj);
      }
    };
    informer.addEventHandler(handler);
    removals.add(() -> informer.removeEventHandler(handler));
    observed.add(informer);
  }

  private static void handle(SignalMapper m, HasMetadata obj) {
    try {
      m.observe(obj);
    } catch (RuntimeException e) {
      // a malformed object must not stop the informer's notifications
      LOG.warn("could not map {} {}/{} to signals", obj.getKind(), obj.getMetadata().getNamespace(),
          obj.getMetadata().getName(), e);
    }
  }

  /** Signals the sink refused (its queue was full, or the agent stopped); 0 before {@link #start}. */
  public long signalsDropped() {
    SignalMapper m = mapper;
    return m == null ? 0 : m.dropped();
  }

  /** Informer notifications handled so far, resyncs included (lets tests wait for delivery). */
  long observations() {
    SignalMapper m = mapper;
    return m == null ? 0 : m.observations();
  }

  /**
   * Stops the informers, or, when they are shared, removes this source's handlers from them; no signal is pushed
   * afterwards.
   */
  @Override
  public synchronized void close() {
    SignalMapper m = mapper;
    if (m != null) {
      m.stop();
    }
    removals.forEach(Runnable::run);
    removals.clear();
    if (informers != null && shared == null) {
      informers.close();
    }
  }

  /** Builds a {@link KubernetesChangeEvents}; {@link KubernetesChangeEvents#start} starts it. */
  public static final class Builder extends KubernetesInformerBuilder<Builder> {
    private Clock clock = Clock.system();
    private boolean watchNodes = true;
    private @Nullable ClusterInformers shared;

    private Builder(KubernetesClient client) {
      super(client);
    }

    /** The clock stamping the signals with their time of observation (default the system clock). */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether to watch Nodes for {@code NotReady} (default true; needs {@code list, watch} on nodes cluster-wide,
     * which a namespace-scoped RoleBinding cannot grant: set false when the agent has no ClusterRoleBinding).
     */
    public Builder setWatchNodes(boolean watchNodes) {
      this.watchNodes = watchNodes;
      return this;
    }

    /**
     * Reads {@code shared} informers (created with Events) instead of making its own: their namespaces and Nodes
     * informer replace this builder's; {@link KubernetesChangeEvents#close} leaves them running.
     */
    Builder setInformers(ClusterInformers shared) {
      this.shared = Objects.requireNonNull(shared, "shared");
      return this;
    }

    /**
     * The source, not started yet.
     *
     * @throws IllegalStateException when {@link #setNamespaces} was not called
     */
    public KubernetesChangeEvents build() {
      if (shared != null) {
        namespaces.clear();
        namespaces.addAll(shared.namespaces().keySet());
        watchNodes = shared.nodes() != null;
      }
      requireNamespaces();
      return new KubernetesChangeEvents(this);
    }
  }
}
