package dev.sreagent.k8s;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.TelemetrySink;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Turns cluster objects into the SDK's signals, each fact once. Every object yields facts, each with a key that names
 * it (object uid plus restart count, event count, revision or condition transition); a fact whose key was seen is not
 * emitted again, so a resync, a re-list after a dropped watch or a repeated notification re-emits nothing. {@link #seed}
 * marks every fact of the objects already in the caches as seen without emitting: the initial list is history. At
 * most {@link #MAX_SEEN} keys are remembered, the least recently observed forgotten first (every resync observes the
 * facts of the objects still there again, so what is forgotten is the facts of objects gone). Thread-safe: informers
 * deliver on their own threads.
 */
final class SignalMapper {
  /** How many fact keys are remembered. */
  static final int MAX_SEEN = 100_000;
  /** The Event reasons that become log records. */
  static final String FAILED_MOUNT = "FailedMount";
  static final String EVICTED = "Evicted";
  static final String CRASH_LOOP = "CrashLoopBackOff";
  static final String OOM_KILLED = "OOMKilled";

  private record Fact(String key, Supplier<List<Signal>> signals) {}

  private final PodOwners owners;
  private final Clock clock;
  private final Map<String, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MAX_SEEN;
    }
  };
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong observations = new AtomicLong();
  private final Rollouts rollouts = new Rollouts();
  private TelemetrySink sink = TelemetrySink.noop();
  private boolean live;

  SignalMapper(PodOwners owners, Clock clock) {
    this.owners = owners;
    this.clock = clock;
  }

  /** Marks the facts of {@code objects} seen without emitting; from now on new facts are emitted into {@code sink}. */
  synchronized void seed(List<? extends HasMetadata> objects, TelemetrySink sink) {
    for (HasMetadata o : objects) {
      try {
        facts(o).forEach(f -> seen.put(f.key(), Boolean.TRUE));
        if (o instanceof Deployment || o instanceof StatefulSet) {
          rollouts.seed(id(o), Rollouts.Template.of(o));
        }
      } catch (RuntimeException e) {
        // a malformed object must not stop the start; its later notifications are handled (and logged) one by one
      }
    }
    this.sink = Objects.requireNonNull(sink, "sink");
    this.live = true;
  }

  /**
   * Emits the facts of {@code object} not seen before. Before {@link #seed} nothing is emitted (the seed reads the
   * caches, which already hold whatever a notification carried).
   */
  synchronized void observe(HasMetadata object) {
    observations.incrementAndGet();
    if (!live) {
      return;
    }
    for (Fact f : facts(object)) {
      if (seen.put(f.key(), Boolean.TRUE) == null) {
        for (Signal s : f.signals().get()) {
          if (!sink.accept(s)) {
            dropped.incrementAndGet();
          }
        }
      }
    }
  }

  /** Emits {@code sample} (a gauge's current value: emitted each time, not once) when live. */
  synchronized void gauge(Signal sample) {
    observations.incrementAndGet();
    if (live && !sink.accept(sample)) {
      dropped.incrementAndGet();
    }
  }

  /** Emits nothing from now on. */
  synchronized void stop() {
    live = false;
  }

  /** Forgets what was remembered about {@code object}, deleted (its fact keys stay: they age out). */
  synchronized void forget(HasMetadata object) {
    if (object instanceof Deployment || object instanceof StatefulSet) {
      rollouts.forget(id(object));
    }
  }

  /** Notifications handled so far (adds and updates, resyncs included). */
  long observations() {
    return observations.get();
  }

  /** Signals the sink refused. */
  long dropped() {
    return dropped.get();
  }

  private List<Fact> facts(HasMetadata o) {
    if (o instanceof Pod p) {
      return podFacts(p);
    }
    if (o instanceof Deployment || o instanceof StatefulSet) {
      return List.of(rollout(o));
    }
    if (o instanceof Event e) {
      return eventFacts(e);
    }
    if (o instanceof Node n) {
      return nodeFacts(n);
    }
    return List.of();
  }

  private Fact rollout(HasMetadata w) {
    String revision;
    if (w instanceof Deployment d) {
      Map<String, String> a = d.getMetadata().getAnnotations();
      revision = a == null ? null : a.get("deployment.kubernetes.io/revision");
    } else {
      StatefulSet s = (StatefulSet) w;
      revision = s.getStatus() == null ? null : s.getStatus().getUpdateRevision();
    }
    Rollouts.Template template = Rollouts.Template.of(w);
    String rev = revision == null || revision.isBlank() ? null : revision;
    String version = rev == null ? "images " + template.images() : "revision " + rev;
    return new Fact("rollout/" + id(w) + "/" + version, () -> {
      String kind = rollouts.classify(id(w), template);
      String what = ChangeEvent.ROLLBACK.equals(kind) ? "rolled back " : ChangeEvent.RESTART.equals(kind)
          ? "restarted (rolling, template restartedAt " + template.restartedAt() + ") " : "rolled out ";
      return List.of(new ChangeEvent(clock.now(), owners.service(w), kind, rev, what + Workloads.describe(w)
          + (rev == null ? "" : " to revision " + rev) + " (" + String.join(", ", template.images()) + ")"));
    });
  }

  private List<Fact> podFacts(Pod pod) {
    List<Fact> out = new ArrayList<>();
    if (pod.getStatus() == null) {
      return out;
    }
    String uid = id(pod);
    String where = "pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    List<ContainerStatus> statuses = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getContainerStatuses());
    }
    for (ContainerStatus c : statuses) {
      int restarts = c.getRestartCount() == null ? 0 : c.getRestartCount();
      var terminated = c.getLastState() == null ? null : c.getLastState().getTerminated();
      if (terminated != null && OOM_KILLED.equals(terminated.getReason())) {
        out.add(new Fact("oom/" + uid + "/" + c.getName() + "/" + restarts, () -> List.of(new ChangeEvent(
            clock.now(), owners.service(pod), ChangeEvent.OOM_KILLED, null, where + " container " + c.getName()
            + " OOMKilled (exit " + terminated.getExitCode() + ")" + memoryLimit(pod, c.getName()) + ", restart "
            + restarts))));
      }
      var waiting = c.getState() == null ? null : c.getState().getWaiting();
      if (waiting != null && CRASH_LOOP.equals(waiting.getReason())) {
        out.add(new Fact("crashloop/" + uid + "/" + c.getName() + "/" + restarts, () -> List.of(log(pod, "ERROR",
            where + " container " + c.getName() + " is in CrashLoopBackOff after " + restarts + " restarts"
            + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()), CRASH_LOOP))));
      }
    }
    if (EVICTED.equals(pod.getStatus().getReason())) {
      out.add(new Fact("evicted/" + uid, () -> List.of(log(pod, "WARN", where + " was evicted"
          + (pod.getStatus().getMessage() == null ? "" : ": " + pod.getStatus().getMessage()), EVICTED))));
    }
    return out;
  }

  private static String memoryLimit(Pod pod, String container) {
    if (pod.getSpec() == null) {
      return "";
    }
    return pod.getSpec().getContainers().stream().filter(c -> container.equals(c.getName())).findFirst()
        .map(c -> c.getResources() == null || c.getResources().getLimits() == null ? null
            : c.getResources().getLimits().get("memory"))
        .map(q -> ", memory limit " + q).orElse("");
  }

  private List<Fact> eventFacts(Event e) {
    String reason = e.getReason();
    var involved = e.getInvolvedObject();
    if (involved == null || !"Pod".equals(involved.getKind())
        || !(FAILED_MOUNT.equals(reason) || EVICTED.equals(reason))) {
      return List.of();
    }
    String ns = involved.getNamespace() != null ? involved.getNamespace() : e.getMetadata().getNamespace();
    String pod = involved.getName();
    int count = e.getCount() == null ? 1 : e.getCount();
    String key = EVICTED.equals(reason)
        ? "evicted/" + (involved.getUid() != null && !involved.getUid().isBlank() ? involved.getUid()
        : "Pod:" + ns + "/" + pod)
        : "event/" + id(e) + "/" + count;
    return List.of(new Fact(key, () -> {
      Map<String, String> attributes = new TreeMap<>(Map.of(Attributes.K8S_NAMESPACE, ns, Attributes.K8S_POD_NAME,
          pod, "k8s.event.reason", reason));
      String service = owners.service(ns, pod);
      attributes.put(Attributes.SERVICE_NAME, service);
      owners.pod(ns, pod).map(p -> p.getSpec() == null ? null : p.getSpec().getNodeName())
          .ifPresent(node -> attributes.put(Attributes.HOST_NAME, node));
      return List.of(new LogRecord(clock.now(), service, "WARN", "pod " + ns + "/" + pod + ": " + reason + ": "
          + Objects.toString(e.getMessage(), "") + (count > 1 ? " (seen " + count + " times)" : ""), attributes));
    }));
  }

  private List<Fact> nodeFacts(Node node) {
    NodeCondition ready = node.getStatus() == null || node.getStatus().getConditions() == null ? null
        : node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
            .orElse(null);
    if (ready == null || "True".equals(ready.getStatus())) {
      return List.of();
    }
    String name = node.getMetadata().getName();
    return List.of(new Fact("notready/" + id(node) + "/" + ready.getLastTransitionTime(), () -> {
      Map<String, TreeSet<String>> podsByService = new TreeMap<>();
      for (Pod p : owners.podsOn(name)) {
        podsByService.computeIfAbsent(owners.service(p), s -> new TreeSet<>())
            .add(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
      }
      List<Signal> out = new ArrayList<>();
      podsByService.forEach((service, pods) -> out.add(new LogRecord(clock.now(), service, "ERROR", "node " + name
          + " is NotReady (Ready=" + ready.getStatus() + (ready.getReason() == null ? "" : ", " + ready.getReason())
          + (ready.getMessage() == null ? "" : ": " + ready.getMessage()) + "); pods of " + service + " on it: "
          + pods, Map.of(Attributes.SERVICE_NAME, service, Attributes.HOST_NAME, name, "k8s.node.condition",
          "NotReady"))));
      return out;
    }));
  }

  /** The object's uid; its namespace and name when the server set none. */
  private static String id(HasMetadata o) {
    String uid = o.getMetadata().getUid();
    return uid != null && !uid.isBlank() ? uid
        : o.getKind() + ":" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  private LogRecord log(Pod pod, String severity, String body, String reason) {
    String service = owners.service(pod);
    Map<String, String> attributes = new TreeMap<>(Map.of(Attributes.SERVICE_NAME, service,
        Attributes.K8S_NAMESPACE, pod.getMetadata().getNamespace(), Attributes.K8S_POD_NAME,
        pod.getMetadata().getName(), "k8s.event.reason", reason));
    if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
      attributes.put(Attributes.HOST_NAME, pod.getSpec().getNodeName());
    }
    return new LogRecord(clock.now(), service, severity, body, attributes);
  }
}
