package dev.sreagent.testkit.k8s;

import dev.sreagent.api.LogPaths;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.testkit.ClusterState;
import dev.sreagent.testkit.SimulatedCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SimulatedCluster} behind a real Kubernetes API: a {@link KubernetesApiEmulator} kept in step with the
 * simulation by a small controller emulation, so that Kubernetes executors change the simulation only through HTTP
 * calls to the API.
 *
 * <p><b>Simulation to API</b> ({@link #sync()}, run by {@link #advance} after each step): namespace {@code shop}, the
 * nodes, and per service a Deployment (its status as the deployment controller writes it: every replica updated,
 * {@code readyReplicas} and {@code availableReplicas} counting the ready pods, {@code observedGeneration} the
 * generation published), a ReplicaSet per revision (revision numbers as the deployment controller gives them: a
 * revision that becomes current again gets the next number), the pods (owned by the current ReplicaSet, on their
 * nodes, Ready — except the replacements created since the last step, which are published with {@code Ready=False}
 * and become ready at the next one), a PodDisruptionBudget ({@code minAvailable}; {@code currentHealthy} the ready
 * pods), an HPA ({@code maxReplicas} = the service's
 * maximum; its {@code minReplicas} starts at the initial replicas and is the agent's to change), and the cert-manager
 * {@code Certificate}s with {@code status.notAfter}. Fields the agent may write (annotations, an HPA's minimum) are
 * kept; fields the simulation owns are overwritten, and nothing is written when nothing changed (so an untouched
 * object keeps its {@code resourceVersion}).
 *
 * <p><b>API to simulation</b> (on every stored write, as the controllers would react):
 * <ul>
 *   <li>a Deployment whose {@code spec.replicas} differs from the simulation's: scaled (the deployment controller);
 *   <li>a Deployment whose pod template names another revision's image: rolled to that revision;
 *   <li>an HPA whose {@code minReplicas} is above the replicas: scaled up to it (the HPA controller's bound; metric-
 *       driven autoscaling is not emulated);
 *   <li>an eviction ({@code pods/NAME/eviction}): allowed only while the service keeps {@code minAvailable} ready
 *       pods, counting pods evicted since the last {@link #sync()} as not yet replaced (replacements become ready at
 *       the next step); a refusal is HTTP 429 with the API server's message and the budget's numbers; an allowed one
 *       restarts that pod in the simulation;
 *   <li>a Deployment whose pod template gets a new {@value #RESTARTED_AT} ({@code kubectl rollout restart}, the
 *       restart executor's rolling restart): every pod of the service restarted in the simulation, at once, each
 *       replacement ready at the next step (so a rollout completes one step later);
 *   <li>a Certificate status with the {@code Issuing} condition {@code True}: renewed (cert-manager's part), the new
 *       {@code notAfter} written and the condition cleared at once;
 *   <li>{@code pods/exec} of the log truncation's {@code find PATH ... -exec truncate -s 0 -- {} +} in a pod: the
 *       service's log volume at {@code PATH} on the pod's node is emptied (without {@code truncate}: only listed).
 * </ul>
 * Each effect is reported to the simulation's {@link dev.sreagent.testkit.GuardrailOracle} in the agent's own terms
 * (the revision numbers the API showed, the pods evicted under one key, the node a truncation ran on), attributed
 * by the annotations the Kubernetes executors record on the objects they change ({@value #INCIDENT}, {@value #KEY},
 * {@value #TOKEN}) — for evictions, truncations and renewals when those marks arrive after the change (the pods
 * evicted under one key, in eviction order), for a rolling restart from the same write (the pods it replaced, in the
 * simulation's order); an effect without them is listed in {@link #unattributed()}. Not emulated: commands other than
 * the truncation's in {@code pods/exec}; a rolling restart's pace ({@code maxUnavailable}, {@code maxSurge}) and the
 * new ReplicaSet and revision number it would create; pod readiness delays beyond one step; StatefulSets.
 *
 * <p>Thread-safe: requests may arrive on any thread (an executor on an agent's action thread) while {@link #sync()}
 * runs; a step is published under the emulator's lock ({@link KubernetesApiEmulator#atomically}), so no request sees
 * half of one.
 */
public final class KubernetesSimulation implements AutoCloseable {
  /** The annotation naming the incident of a change (written by the Kubernetes executors). */
  public static final String INCIDENT = "sre-agent.dev/incident";
  /** The annotation holding the idempotency key of a change. */
  public static final String KEY = "sre-agent.dev/idempotency-key";
  /** The annotation holding the fencing token of a change. */
  public static final String TOKEN = "sre-agent.dev/fencing-token";
  /** The pod-template annotation of a rolling restart ({@code kubectl rollout restart}). */
  public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesSimulation.class);
  private static final Pattern OBJECT = Pattern.compile(
      "/(?:api|apis/[^/]+)/v[^/]+/namespaces/([^/]+)/([a-z]+)/([^/]+)(/status)?");

  private final SimulatedCluster cluster;
  private final KubernetesApiEmulator api;
  private final String ns = SimulatedCluster.NAMESPACE;
  private final Map<String, Map<String, Integer>> numbers = new HashMap<>();
  private final Map<String, String> publishedRevision = new HashMap<>();
  private final Map<String, List<String>> evictedSinceSync = new HashMap<>();
  private final Map<String, List<String>> pendingRestarts = new HashMap<>();
  /** Per service, the replacement pods created since the last {@link #sync()}: published not ready until it. */
  private final Map<String, Set<String>> unready = new HashMap<>();
  /** Per service, the {@value #RESTARTED_AT} of its pod template last acted on. */
  private final Map<String, String> restartedAt = new HashMap<>();
  private final Map<String, String> lastKey = new HashMap<>();
  /** Effects waiting for the executor's marks on the object that carries them (workload or Certificate), by object. */
  private final Map<String, Action> awaitingMarks = new HashMap<>();
  private final List<String> unattributed = Collections.synchronizedList(new ArrayList<>());
  /** What the API showed at the last publication (services, pods and nodes, certificates), to skip unchanged steps. */
  private @Nullable Object published;

  private KubernetesSimulation(SimulatedCluster cluster, KubernetesApiEmulator api) {
    this.cluster = cluster;
    this.api = api;
  }

  /** Starts an API emulator for {@code cluster} and publishes the cluster's state. */
  public static KubernetesSimulation start(SimulatedCluster cluster) {
    KubernetesSimulation sim = new KubernetesSimulation(Objects.requireNonNull(cluster, "cluster"),
        KubernetesApiEmulator.start());
    sim.api.onEviction(sim::evictionRefusal);
    sim.api.onWrite(sim::written);
    sim.api.onExec(sim::exec);
    sim.sync();
    return sim;
  }

  /** The API emulator. */
  public KubernetesApiEmulator api() {
    return api;
  }

  /** A client of the API (no retry on 429: a PDB refusal reaches the caller at once). */
  public KubernetesClient client() {
    return api.client();
  }

  /** The simulated cluster. */
  public SimulatedCluster cluster() {
    return cluster;
  }

  /** The namespace every object lives in. */
  public String namespace() {
    return ns;
  }

  /** The revision number the API shows for {@code service}'s current revision (as the deployment controller counts). */
  public synchronized String revisionNumber(String service) {
    Map<String, Integer> n = numbers.get(service);
    Integer v = n == null ? null : n.get(cluster.currentRevision(service));
    return v == null ? "unknown" : v.toString();
  }

  /** Moves the simulation by {@code step}, then {@link #sync()}s the API. */
  public void advance(Duration step) {
    cluster.advance(step);
    sync();
  }

  /** Effects the API caused that no executor annotation attributed to an incident (a test usually expects none). */
  public List<String> unattributed() {
    synchronized (unattributed) {
      return List.copyOf(unattributed);
    }
  }

  /**
   * Publishes the simulation's state to the API (see the class comment): one step of the controllers. Pods evicted
   * before it count as ready again after it.
   */
  public void sync() {
    api.atomically(() -> {  // the emulator's lock first, as on a request's thread: no lock inversion
      synchronized (this) {
        evictedSinceSync.clear();
        unready.clear();
      }
      publish();
    });
  }

  private void publish() {
    ClusterState state = cluster.snapshot();
    Map<String, ServiceInfo> services = cluster.topology().services();
    Map<String, Map<String, String>> podNodes = new LinkedHashMap<>();
    services.keySet().forEach(name -> podNodes.put(name, cluster.podNodes(name)));
    synchronized (this) {
      Map<String, Set<String>> notReady = new java.util.TreeMap<>();
      unready.forEach((service, pods) -> notReady.put(service, new TreeSet<>(pods)));
      List<Object> fingerprint = List.of(services, podNodes, state.certificates(), notReady);
      if (fingerprint.equals(published)) {
        return;  // nothing the API shows changed since the last publication: no store traffic at all
      }
      api.upsert(ClusterObjects.NAMESPACES, ClusterObjects.namespace(ns), o -> o);
      List<Pod> stored = api.list(ClusterObjects.pods(ns), Pod.class);
      Set<String> nodes = new TreeSet<>();
      for (ServiceInfo s : services.values()) {
        nodes.addAll(podNodes.get(s.name()).values());
        syncService(s, podNodes.get(s.name()), stored);
      }
      nodes.forEach(n -> api.upsert(ClusterObjects.NODES, ClusterObjects.node(n), o -> o));
      for (ClusterState.CertificateState c : state.certificates()) {
        GenericKubernetesResource cert = ClusterObjects.certificate(ns, c.name(), c.service(), c.expiresAt());
        api.upsert(ClusterObjects.certificates(ns), cert, o -> o);
        api.upsertStatus(ClusterObjects.certificates(ns) + "/" + c.name(), GenericKubernetesResource.class,
            o -> withNotAfter(o, c.expiresAt()));
      }
      published = fingerprint;
    }
  }

  private static GenericKubernetesResource withNotAfter(GenericKubernetesResource stored, java.time.Instant at) {
    @SuppressWarnings("unchecked")
    Map<String, Object> status = (Map<String, Object>) stored.getAdditionalProperties().get("status");
    if (status == null || !at.toString().equals(status.get("notAfter"))) {
      stored.getAdditionalProperties().put("status", ClusterObjects.readyStatus(at));
    }
    return stored;
  }

  private void syncService(ServiceInfo s, Map<String, String> podNodes, List<Pod> storedPods) {
    String name = s.name();
    Map<String, Integer> byRevision = numbers.computeIfAbsent(name, k -> new LinkedHashMap<>());
    if (byRevision.isEmpty()) {
      int n = 1;
      for (Revision r : s.revisions()) {
        byRevision.put(r.id(), n++);
      }
    }
    if (!s.currentRevision().equals(publishedRevision.get(name)) && publishedRevision.containsKey(name)) {
      byRevision.put(s.currentRevision(), byRevision.values().stream().mapToInt(i -> i).max().orElse(0) + 1);
    }
    publishedRevision.put(name, s.currentRevision());
    int number = byRevision.get(s.currentRevision());
    Set<String> notReady = unready.getOrDefault(name, Set.of());
    int ready = (int) podNodes.keySet().stream().filter(p -> !notReady.contains(p)).count();
    api.upsert(ClusterObjects.deployments(ns), ClusterObjects.deployment(ns, name, s.replicas(),
        s.currentRevision(), number), stored -> {
          stored.getSpec().setReplicas(s.replicas());
          stored.getSpec().getTemplate().getSpec().getContainers().get(0)
              .setImage(ClusterObjects.image(name, s.currentRevision()));
          stored.getMetadata().getAnnotations().put(ClusterObjects.REVISION, Integer.toString(number));
          var status = stored.getStatus() == null ? new io.fabric8.kubernetes.api.model.apps.DeploymentStatus()
              : stored.getStatus();
          status.setReplicas(podNodes.size());
          status.setUpdatedReplicas(podNodes.size());
          status.setReadyReplicas(ready);
          status.setAvailableReplicas(ready);
          stored.setStatus(status);
          return stored;
        });
    // the deployment controller has observed the generation it just published (a separate write: the store bumps
    // the generation of a spec change, which the updater above cannot know)
    api.upsert(ClusterObjects.deployments(ns), ClusterObjects.deployment(ns, name, s.replicas(),
        s.currentRevision(), number), stored -> {
          stored.getStatus().setObservedGeneration(stored.getMetadata().getGeneration());
          return stored;
        });
    Deployment owner = api.read(ClusterObjects.deployments(ns) + "/" + name, Deployment.class).orElseThrow();
    ReplicaSet current = null;
    for (Revision r : s.revisions()) {
      int replicas = r.id().equals(s.currentRevision()) ? s.replicas() : 0;
      ReplicaSet rs = ClusterObjects.replicaSet(ns, owner, name, r.id(), byRevision.getOrDefault(r.id(), 0),
          replicas);
      api.upsert(ClusterObjects.replicaSets(ns), rs, stored -> {
        stored.getMetadata().getAnnotations().put(ClusterObjects.REVISION, rs.getMetadata().getAnnotations()
            .get(ClusterObjects.REVISION));
        stored.setSpec(rs.getSpec());
        stored.setStatus(rs.getStatus());
        return stored;
      });
      if (r.id().equals(s.currentRevision())) {
        current = rs;
      }
    }
    Set<String> wanted = podNodes.keySet();
    for (Pod p : storedPods) {
      String app = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels()
          .get(ClusterObjects.SELECTOR_LABEL);
      if (name.equals(app) && !wanted.contains(p.getMetadata().getName())) {
        api.remove(ClusterObjects.pods(ns) + "/" + p.getMetadata().getName());
      }
    }
    for (Map.Entry<String, String> p : podNodes.entrySet()) {
      Pod pod = ClusterObjects.pod(ns, Objects.requireNonNull(current), name, p.getKey(), p.getValue(),
          s.currentRevision(), !notReady.contains(p.getKey()));
      api.upsert(ClusterObjects.pods(ns), pod, stored -> {
        stored.setStatus(pod.getStatus());
        return stored;
      });
    }
    if (s.minAvailable() > 0) {
      budget(name, s.minAvailable(), ready, s.replicas());
    }
    api.upsert(ClusterObjects.autoscalers(ns), ClusterObjects.autoscaler(ns, name, s.replicas(), s.maxReplicas(),
        s.replicas()), stored -> {
          stored.getSpec().setMaxReplicas(s.maxReplicas());
          stored.setStatus(ClusterObjects.autoscaler(ns, name, 1, s.maxReplicas(), s.replicas()).getStatus());
          return stored;
        });
  }

  private void budget(String name, int minAvailable, int healthy, int expected) {
    var pdb = ClusterObjects.budget(ns, name, minAvailable, healthy, expected);
    api.upsert(ClusterObjects.budgets(ns), pdb, stored -> {
      stored.setSpec(pdb.getSpec());
      stored.setStatus(pdb.getStatus());
      return stored;
    });
  }

  // ------------------------------------------------------------------ API to simulation

  private synchronized Optional<String> evictionRefusal(String namespace, String pod, boolean dryRun) {
    Optional<ServiceInfo> owner = serviceOfPod(pod);
    if (owner.isEmpty()) {
      return Optional.empty();  // not a pod of the simulation: the store deletes it, nothing else happens
    }
    ServiceInfo s = owner.get();
    int gone = evictedSinceSync.getOrDefault(s.name(), List.of()).size();
    int ready = s.pods().size() - gone;
    if (ready - 1 < s.minAvailable()) {
      return Optional.of("Cannot evict pod as it would violate the pod's disruption budget. The disruption budget "
          + s.name() + " needs " + s.minAvailable() + " healthy pods and has " + ready + " currently");
    }
    return Optional.empty();
  }

  private Optional<ServiceInfo> serviceOfPod(String pod) {
    return cluster.topology().services().values().stream().filter(s -> s.pods().contains(pod)).findFirst();
  }

  private synchronized void written(String method, String path) {
    Matcher m = OBJECT.matcher(path);
    if (!m.matches() || !ns.equals(m.group(1))) {
      return;
    }
    String kind = m.group(2);
    String name = m.group(3);
    boolean status = m.group(4) != null;
    try {
      if ("DELETE".equals(method) && "pods".equals(kind)) {
        podGone(name);
      } else if ("deployments".equals(kind) && !status) {
        deploymentWritten(name);
      } else if ("horizontalpodautoscalers".equals(kind) && !status) {
        autoscalerWritten(name);
      } else if ("certificates".equals(kind)) {
        certificateWritten(name);
      }
    } catch (IllegalStateException e) {
      LOG.warn("the simulation refused what the API accepted at {} {}: {}; the controllers restore its state",
          method, path, e.getMessage());
      published = null;
      publish();
    }
  }

  private void podGone(String pod) {
    Optional<ServiceInfo> owner = serviceOfPod(pod);
    if (owner.isEmpty()) {
      return;
    }
    String service = owner.get().name();
    restart(service, List.of(pod));
    evictedSinceSync.computeIfAbsent(service, k -> new ArrayList<>()).add(pod);
    pendingRestarts.computeIfAbsent(service, k -> new ArrayList<>()).add(pod);
    syncAfterChange();  // the ReplicaSet controller creates the replacement at once (ready at the next step)
  }

  /** Restarts {@code pods} of {@code service} in the simulation; the replacements are not ready until the next step. */
  private void restart(String service, List<String> pods) {
    Set<String> before = cluster.podNodes(service).keySet();
    cluster.applyExternally(new Action.RestartPods(service, pods));
    Set<String> replacements = unready.computeIfAbsent(service, k -> new TreeSet<>());
    cluster.podNodes(service).keySet().stream().filter(p -> !before.contains(p)).forEach(replacements::add);
  }

  private void deploymentWritten(String service) {
    Optional<Deployment> found = api.read(ClusterObjects.deployments(ns) + "/" + service, Deployment.class);
    if (found.isEmpty() || !cluster.snapshot().services().containsKey(service)) {
      return;
    }
    Deployment d = found.get();
    int replicas = cluster.replicas(service);
    String current = cluster.currentRevision(service);
    Integer wanted = d.getSpec().getReplicas();
    if (wanted != null && wanted != replicas) {
      cluster.applyExternally(new Action.ScaleReplicas(service, replicas, wanted));
      effect(d, new Action.ScaleReplicas(service, replicas, wanted));
    }
    String target = ClusterObjects.revisionOf(d.getSpec().getTemplate().getSpec().getContainers().get(0)
        .getImage());
    if (target != null && !target.equals(current)) {
      Map<String, Integer> n = numbers.get(service);
      Action asSeen = new Action.RollBack(service, String.valueOf(n.get(current)), String.valueOf(n.get(target)));
      cluster.applyExternally(new Action.RollBack(service, current, target));
      effect(d, asSeen);
    }
    String at = templateAnnotation(d, RESTARTED_AT);
    if (at != null && !at.equals(restartedAt.get(service))) {
      // the deployment controller rolls every pod to the new template (here all at once, each replacement ready at
      // the next step); the marks came in the same write, so the effect is attributed at once
      List<String> pods = List.copyOf(cluster.podNodes(service).keySet());
      restart(service, pods);
      restartedAt.put(service, at);
      effect(d, new Action.RestartPods(service, pods));
    }
    List<String> restarted = pendingRestarts.get(service);
    String key = annotation(d, KEY);
    if (key != null && !key.equals(lastKey.get(service))) {
      if (restarted != null && !restarted.isEmpty()) {
        effect(d, new Action.RestartPods(service, List.copyOf(restarted)));
        restarted.clear();
      }
      Action waiting = awaitingMarks.remove("Deployment/" + service);
      if (waiting != null) {
        effect(d, waiting);
      }
      lastKey.put(service, key);
    }
    syncAfterChange();
  }

  private void autoscalerWritten(String service) {
    Optional<HorizontalPodAutoscaler> found = api.read(ClusterObjects.autoscalers(ns) + "/" + service,
        HorizontalPodAutoscaler.class);
    if (found.isEmpty() || !cluster.snapshot().services().containsKey(service)) {
      return;
    }
    HorizontalPodAutoscaler h = found.get();
    int replicas = cluster.replicas(service);
    Integer min = h.getSpec().getMinReplicas();
    if (min != null && min > replicas) {
      int to = Math.min(min, h.getSpec().getMaxReplicas());
      cluster.applyExternally(new Action.ScaleReplicas(service, replicas, to));
      effect(h, new Action.ScaleReplicas(service, replicas, to));
      syncAfterChange();
    }
  }

  private void certificateWritten(String name) {
    Optional<GenericKubernetesResource> found = api.read(ClusterObjects.certificates(ns) + "/" + name,
        GenericKubernetesResource.class);
    if (found.isEmpty()) {
      return;
    }
    GenericKubernetesResource c = found.get();
    @SuppressWarnings("unchecked")
    Map<String, Object> status = (Map<String, Object>) c.getAdditionalProperties().getOrDefault("status", Map.of());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> conditions = (List<Map<String, Object>>) status.getOrDefault("conditions", List.of());
    boolean issuing = conditions.stream().anyMatch(x -> "Issuing".equals(x.get("type"))
        && "True".equals(x.get("status")));
    String service = c.getMetadata().getLabels() == null ? null : c.getMetadata().getLabels()
        .get(ClusterObjects.SERVICE_LABEL);
    if (issuing && service != null) {
      Action renew = new Action.RenewCertificate(service, name);
      cluster.applyExternally(renew);
      awaitingMarks.put("Certificate/" + name, renew);
      syncAfterChange();  // cert-manager issued: the new notAfter is written and Issuing cleared at once
      return;
    }
    String key = annotation(c, KEY);
    if (key != null && !key.equals(lastKey.get("Certificate/" + name))) {
      Action waiting = awaitingMarks.remove("Certificate/" + name);
      if (waiting != null) {
        effect(c, waiting);
      }
      lastKey.put("Certificate/" + name, key);
    }
  }

  /**
   * {@code pods/exec}: the log truncation's script or its probe ({@link LogPaths#truncateArgv},
   * {@link LogPaths#probeArgv}) against the log volume of the pod's service on the pod's node (the file listed is
   * {@code ./POD.log}); the truncation empties the volume in the simulation. Any other command exits 126.
   */
  private synchronized KubernetesApiEmulator.ExecReply exec(KubernetesApiEmulator.ExecCall call) {
    List<String> argv = call.argv();
    Optional<ServiceInfo> owner = serviceOfPod(call.pod());
    boolean truncating = argv.size() == 5 && argv.equals(LogPaths.truncateArgv(argv.get(4)));
    boolean probing = argv.size() == 5 && argv.equals(LogPaths.probeArgv(argv.get(4)));
    if ((!truncating && !probing) || owner.isEmpty()) {
      return new KubernetesApiEmulator.ExecReply(126, "", "the simulation runs only the log truncation's script"
          + " (LogPaths.truncateArgv / probeArgv), not " + argv);
    }
    String service = owner.get().name();
    String path = argv.get(4);
    String node = cluster.podNodes(service).get(call.pod());
    boolean volume = cluster.snapshot().volumes().stream().anyMatch(v -> v.service().equals(service)
        && v.node().equals(node) && v.path().equals(path));
    if (!volume) {
      return new KubernetesApiEmulator.ExecReply(1, "", "find: '" + path + "': No such file or directory");
    }
    if (truncating) {
      Action truncate = new Action.TruncateLogs(service, node, path);
      cluster.applyExternally(truncate);
      awaitingMarks.put("Deployment/" + service, truncate);
    }
    return new KubernetesApiEmulator.ExecReply(0, "./" + call.pod() + ".log\n", "");
  }

  /** The controllers' immediate reaction to a change (replacement pods are published but still count as evicted). */
  private void syncAfterChange() {
    publish();
  }

  private void effect(HasMetadata changed, Action asSeen) {
    String incident = annotation(changed, INCIDENT);
    String key = annotation(changed, KEY);
    if (incident == null || key == null) {
      unattributed.add(asSeen.canonical() + " on " + changed.getKind() + " " + changed.getMetadata().getName());
      return;
    }
    long token;
    try {
      token = Long.parseLong(Objects.requireNonNullElse(annotation(changed, TOKEN), "0"));
    } catch (NumberFormatException e) {
      token = 0;
    }
    cluster.oracle().onEffect(cluster.clock().now(), asSeen, new ExecutionContext(incident, key, token, false));
  }

  private static @Nullable String templateAnnotation(Deployment d, String name) {
    var meta = d.getSpec().getTemplate().getMetadata();
    Map<String, String> a = meta == null ? null : meta.getAnnotations();
    return a == null ? null : a.get(name);
  }

  private static String annotation(HasMetadata o, String name) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(name);
  }

  @Override
  public void close() {
    api.close();
  }
}
