package dev.sreagent.bench;

import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.model.Topology;
import dev.sreagent.k8s.KubernetesAdapter;
import dev.sreagent.k8s.KubernetesChangeEvents;
import dev.sreagent.k8s.KubernetesTopology;
import dev.sreagent.k8s.RolloutRevision;
import dev.sreagent.testkit.k8s.KubernetesApiEmulator;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * {@code k8s-informers}: what a {@link KubernetesAdapter}'s informers, its {@link KubernetesTopology} and its
 * {@link KubernetesChangeEvents} (both on the adapter's one set of informers) cost on a cluster of
 * {@code --pods} pods in {@code --workloads} workloads ({@link LargeCluster}: 5,000 / 500 by default), served by a
 * {@link KubernetesApiEmulator} (fabric8's mock API server, in this JVM, on loopback).
 *
 * <p>In order, on one cluster:
 * <ol>
 *   <li>{@code --events} pod status PUTs with no informer running: the API round trip alone (the writer is a plain
 *       JDK HTTP client, so the emulator's own client carries nothing but the informers);
 *   <li>the adapter's start (observe-only, no permission check): the time until {@code start()} returned (every
 *       informer listed and watching, Events and Nodes included), the time
 *       until the emulator and the informers were idle, the CPU both spent until then, the heap it retains, and
 *       {@code --repeats} {@code topology()} snapshots (after {@value #SNAPSHOT_WARM_UP} + 1 untimed, the first
 *       checked against what was stored);
 *   <li>{@code --events} pod status PUTs, each timed until the topology's pod informer delivered it
 *       ({@link InformerProbe}), then {@code --events} ReplicaSet status PUTs (readyReplicas one short, then back),
 *       each timed until delivered after the topology's rollout observer, and checked in {@code rolloutHistory()};
 *   <li>the change events' start on the same informers (the same figures: their handlers get every cached object
 *       once, no list or watch is opened), then {@code --events} pod status PUTs with both running: every
 *       other one an {@code OOMKilled} restart, timed until its {@code oom-killed} change event reached the sink.
 * </ol>
 * Pod events alternate a readiness flip (the app container's {@code ready} and the {@code Ready} and
 * {@code ContainersReady} conditions) and a restart (restart count + 1, last state {@code OOMKilled}, exit 137); each
 * hits another workload. Every phase is preceded by a quarter as many untimed events (JIT warm-up).
 *
 * <p>What the figures include. Latencies are medians and 95th percentiles of wall time from just before the PUT: the
 * emulator's work (its store scans every stored object per request, then the watch fan-out) and both sides of the
 * loopback HTTP are in them. CPU is thread CPU time, split by thread: the emulator's (Vert.x) threads, the writer's
 * (this thread and its HTTP client's) and all others, the informers' (the fabric8 client's HTTP and websocket
 * threads: decoding, caches, handlers). The emulator's share of a start is larger than a real API server's would be
 * for another reason too: when a watch opens it sends every stored object again as an {@code ADDED} event, ignoring
 * the list's resourceVersion (a real server sends only what changed since), so the informers decode each object twice
 * during a start; the "until idle" time and the start's CPU include that replay, the sync time does not wait for it.
 * Heap is a GC-based estimate: used heap after repeated full GCs once the start is idle, less the same just before it
 * (MB and bytes per pod; it covers every cached kind, not pods alone). Resync is set to 1 h, so no resync falls into
 * a run.
 */
final class KubernetesInformersRun {
  /** The bench's subcommand. */
  static final String COMMAND = "k8s-informers";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Untimed {@code topology()} calls before the timed ones (after the one whose content is checked). */
  private static final int SNAPSHOT_WARM_UP = 5;
  /** Vert.x logs a stack trace when the emulator's event loop is busy for 2 s (its watch replay is): kept quiet. */
  private static final java.util.logging.Logger VERTX_BLOCKED = quiet("io.vertx.core.impl.BlockedThreadChecker");
  private static final String CPU_SERVER = "API server (mock)";
  private static final String CPU_CLIENT = "informers (client)";
  private static final String CPU_WRITER = "writer";

  private KubernetesInformersRun() {}

  /** What to run: the cluster's size, events per phase, snapshot repeats, and where to write JSON (or null). */
  record Options(int pods, int workloads, int namespaces, int events, int repeats, @Nullable Path json) {
    static final Options DEFAULTS = new Options(5_000, 500, 1, 500, 10, null);

    /**
     * Reads {@code --pods N --workloads N --namespaces N --events N --repeats N --json FILE} after the command.
     *
     * @throws IllegalArgumentException naming the bad option and value
     */
    static Options parse(String[] args) {
      Map<String, String> o = new HashMap<>();
      for (int k = 1; k < args.length; k++) {
        if (!args[k].startsWith("--") || k + 1 >= args.length) {
          throw new IllegalArgumentException("unknown or incomplete option '" + args[k] + "'; usage: " + usage());
        }
        o.put(args[k], args[++k]);
      }
      Set<String> known = Set.of("--pods", "--workloads", "--namespaces", "--events", "--repeats", "--json");
      for (String k : o.keySet()) {
        if (!known.contains(k)) {
          throw new IllegalArgumentException("unknown option '" + k + "'; usage: " + usage());
        }
      }
      Options d = DEFAULTS;
      Options r = new Options(positive(o, "--pods", d.pods()), positive(o, "--workloads", d.workloads()),
          positive(o, "--namespaces", d.namespaces()), positive(o, "--events", d.events()),
          positive(o, "--repeats", d.repeats()), o.containsKey("--json") ? Path.of(o.get("--json")) : null);
      if (r.pods() < r.workloads() || r.workloads() < r.namespaces()) {
        throw new IllegalArgumentException("--pods must be >= --workloads >= --namespaces, but was " + r.pods()
            + " / " + r.workloads() + " / " + r.namespaces());
      }
      return r;
    }

    static String usage() {
      return COMMAND + " [--pods 5000] [--workloads 500] [--namespaces 1] [--events 500] [--repeats 10]"
          + " [--json FILE]";
    }

    private static int positive(Map<String, String> o, String key, int fallback) {
      String v = o.get(key);
      if (v == null) {
        return fallback;
      }
      try {
        int n = Integer.parseInt(v);
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(key + " must be a positive integer, but was '" + v + "'");
    }
  }

  /**
   * One measured figure: its JSON key, its label in the table, the median (or the single value) and, where there is
   * one, a second value (the 95th percentile, or what {@code secondLabel} says), in {@code unit}.
   */
  record Figure(String key, String label, double value, double second, String secondLabel, String unit) {
    static Figure single(String key, String label, double value, String unit) {
      return new Figure(key, label, value, Double.NaN, "", unit);
    }
  }

  /**
   * A run's outcome: what the cluster holds, how long storing it took, the system load average (1 min) before and
   * after the measurements, and every figure, in table order.
   */
  record Result(LargeCluster.Counts cluster, double storeSeconds, double loadBefore, double loadAfter,
      List<Figure> figures) {
  }

  /** Parses {@code args}, runs, prints the table on {@code out} (progress on {@code err}); the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    Result result;
    try {
      result = measure(options, err);
    } catch (IllegalStateException e) {
      err.println(COMMAND + ": " + e.getMessage());
      return 1;
    }
    print(result, options, out);
    if (options.json() != null) {
      try {
        Files.writeString(options.json(), json(result, options));
      } catch (IOException e) {
        err.println("cannot write " + options.json() + ": " + e.getMessage());
        return 1;
      }
      out.println("written to " + options.json());
    }
    return 0;
  }

  /**
   * Builds the cluster and measures (see the class comment); progress goes to {@code progress}.
   *
   * @throws IllegalStateException when the topology or the change events do not show what was written
   */
  static Result measure(Options o, PrintStream progress) {
    List<Figure> figures = new ArrayList<>();
    long emulatorStart = System.nanoTime();
    try (KubernetesApiEmulator api = KubernetesApiEmulator.start()) {
      progress.printf(Locale.ROOT, "%s: emulator started in %.1f s%n", COMMAND,
          (System.nanoTime() - emulatorStart) / 1e9);
      long storeStart = System.nanoTime();
      int step = Math.max(1, o.workloads() / 10);
      LargeCluster cluster = LargeCluster.create(api, o.pods(), o.workloads(), o.namespaces(), n -> {
        if (n % step == 0) {
          progress.printf(Locale.ROOT, "%s: stored %d of %d workloads%n", COMMAND, n, o.workloads());
        }
      });
      double storeSeconds = (System.nanoTime() - storeStart) / 1e9;
      LargeCluster.Counts counts = cluster.counts();
      progress.printf(Locale.ROOT, "%s: %s stored in %.1f s%n", COMMAND, counts.asMap(), storeSeconds);
      double loadBefore = load();
      try (Writer writer = new Writer(api)) {
        ThreadCpu cpu = new ThreadCpu(writer.threads());
        Events events = new Events(cluster, writer, o.events(), cpu, progress);

        Phase alone = events.pods("pod status PUTs, no informer running", null, null);
        figures.add(latency("write_no_informers", "pod status PUT, no informer running", alone.write()));
        Map<String, Double> aloneCpu = alone.cpu();

        Started<KubernetesAdapter> t = start(cpu, () -> KubernetesAdapter.builder(api.client())
            .setNamespaces(Set.copyOf(cluster.namespaces())).setExecutors(Set.of()).setCheckPermissions(false)
            .setResync(Duration.ofHours(1)).setSyncTimeout(Duration.ofMinutes(5)).start());
        try (KubernetesAdapter adapter = t.component()) {
          KubernetesTopology topology = adapter.topology();
          progress.printf(Locale.ROOT, "%s: informers and topology synced in %.0f ms, idle after %.0f ms, %.1f MB%n",
              COMMAND, t.syncMs(), t.idleMs(), mb(t.heapBytes()));
          startFigures(figures, "topology", "KubernetesAdapter (shared informers, topology)", t, counts.pods());
          figures.addAll(snapshot(topology, cluster, o.repeats(), progress));

          InformerProbe probe = InformerProbe.attach(topology);
          Phase withTopology = events.pods("pod status PUTs, topology running", probe, null);
          figures.add(latency("write_topology", "pod status PUT, topology running", withTopology.write()));
          figures.add(latency("pod_to_topology_cache", "pod status PUT -> topology's pod cache",
              withTopology.delivered()));
          Phase rollouts = events.replicaSets(topology, probe);
          figures.add(latency("replicaset_to_rollout_history", "ReplicaSet status PUT -> rolloutHistory() health",
              rollouts.delivered()));

          Signals signals = new Signals();
          KubernetesChangeEvents source = adapter.changeEvents();
          Started<KubernetesChangeEvents> c = start(cpu, () -> {
            source.start(signals::accept);
            return source;
          });
          try (KubernetesChangeEvents changes = c.component()) {
            progress.printf(Locale.ROOT, "%s: change events synced in %.0f ms, idle after %.0f ms, %.1f MB%n",
                COMMAND, c.syncMs(), c.idleMs(), mb(c.heapBytes()));
            startFigures(figures, "change_events", "KubernetesChangeEvents on the shared informers", c,
                counts.pods());
            Phase both = events.pods("pod status PUTs, topology and change events running", probe, signals);
            figures.add(latency("write_both", "pod status PUT, both running", both.write()));
            figures.add(latency("pod_to_topology_cache_both", "pod status PUT -> topology's pod cache, both",
                both.delivered()));
            figures.add(latency("oom_restart_to_change_event", "OOMKilled restart PUT -> change event",
                both.signalled()));
            if (signals.received() != both.expectedSignals()) {
              throw new IllegalStateException("the change events emitted " + signals.received()
                  + " signals for " + both.expectedSignals() + " OOMKilled restarts");
            }
            cpuFigures(figures, "no_informers", "pod PUT, no informer", aloneCpu, false);
            cpuFigures(figures, "topology", "pod PUT, topology", withTopology.cpu(), true);
            cpuFigures(figures, "replicaset_topology", "ReplicaSet PUT, topology", rollouts.cpu(), true);
            cpuFigures(figures, "both", "pod PUT, both running", both.cpu(), true);
          }
        }
        return new Result(counts, storeSeconds, loadBefore, load(), List.copyOf(figures));
      }
    }
  }

  /**
   * {@code topology()} timed {@code repeats} times after untimed ones, the first checked against the cluster: the
   * median wall time (and the least), then the median CPU time of the calling thread (less disturbed by other load on
   * the machine).
   */
  private static List<Figure> snapshot(KubernetesTopology topology, LargeCluster cluster, int repeats,
      PrintStream progress) {
    check(topology.topology(), cluster);
    for (int r = 0; r < SNAPSHOT_WARM_UP; r++) {
      topology.topology();
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double[] ms = new double[repeats];
    double[] cpuMs = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long cpu = mx.getCurrentThreadCpuTime();
      long t = System.nanoTime();
      Topology snapshot = topology.topology();
      ms[r] = (System.nanoTime() - t) / 1e6;
      cpuMs[r] = (mx.getCurrentThreadCpuTime() - cpu) / 1e6;
      if (snapshot.services().size() != cluster.counts().workloads()) {
        throw new IllegalStateException("snapshot " + r + " has " + snapshot.services().size() + " services");
      }
    }
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    Arrays.sort(cpuMs);
    progress.printf(Locale.ROOT, "%s: topology() in %s ms%n", COMMAND, Arrays.stream(ms)
        .mapToObj(v -> String.format(Locale.ROOT, "%.1f", v)).collect(Collectors.joining(", ")));
    return List.of(new Figure("snapshot_ms", "  topology() snapshot, " + repeats + " repeats", median(sorted),
        sorted[0], "min", "ms"), new Figure("snapshot_cpu_ms", "  topology() snapshot, CPU of the caller",
        median(cpuMs), cpuMs[0], "min", "ms"));
  }

  private static void check(Topology t, LargeCluster cluster) {
    int pods = t.services().values().stream().mapToInt(s -> s.pods().size()).sum();
    long withHistory = t.services().values().stream()
        .filter(s -> s.revisions().size() == LargeCluster.REVISIONS).count();
    LargeCluster.Counts c = cluster.counts();
    if (t.services().size() != c.workloads() || pods != c.pods() || withHistory != c.deployments()) {
      throw new IllegalStateException("the topology shows " + t.services().size() + " services, " + pods
          + " pods and " + withHistory + " Deployments with " + LargeCluster.REVISIONS + " revisions; stored: "
          + c.asMap());
    }
    for (LargeCluster.Workload w : cluster.workloads()) {
      ServiceInfo s = t.services().get(w.name());
      if (s == null || !s.pods().equals(w.pods().stream().sorted().toList())) {
        throw new IllegalStateException("the topology's pods of " + w.name() + " are " + (s == null ? "missing"
            : s.pods()) + ", stored: " + w.pods());
      }
    }
  }

  /**
   * A started component and what its start cost: until {@code start()} returned, until the emulator and the informers
   * were idle (the emulator replays every object as a watch event when a watch opens: see the class comment), the CPU
   * ms by thread group until then, and the heap retained.
   */
  private record Started<T>(T component, double syncMs, double idleMs, Map<String, Double> cpuMs, long heapBytes) {}

  /** Starts a component with {@code starter} and measures the start. */
  private static <T> Started<T> start(ThreadCpu cpu, Supplier<T> starter) {
    long before = heapAfterGc();
    Map<Long, Long> cpuBefore = cpu.snapshot();
    long start = System.nanoTime();
    T component = starter.get();
    double syncMs = (System.nanoTime() - start) / 1e6;
    double idleMs = cpu.awaitQuiet(start);
    Map<String, Double> cpuMs = cpu.millisSince(cpuBefore);
    return new Started<>(component, syncMs, idleMs, cpuMs, heapAfterGc() - before);
  }

  private static void startFigures(List<Figure> figures, String key, String name, Started<?> s, int pods) {
    figures.add(Figure.single(key + "_sync_ms", name + " start, until synced", s.syncMs(), "ms"));
    figures.add(Figure.single(key + "_idle_ms", "  until the emulator and the informers are idle", s.idleMs(), "ms"));
    figures.add(Figure.single(key + "_start_cpu_server_ms", "  CPU until then: " + CPU_SERVER,
        s.cpuMs().get(CPU_SERVER), "ms"));
    figures.add(Figure.single(key + "_start_cpu_informers_ms", "  CPU until then: " + CPU_CLIENT,
        s.cpuMs().get(CPU_CLIENT), "ms"));
    figures.add(new Figure(key + "_heap_mb", "  heap retained (GC estimate)", mb(s.heapBytes()),
        s.heapBytes() / (double) pods, "bytes per pod", "MB"));
  }

  private static void cpuFigures(List<Figure> figures, String key, String label, Map<String, Double> cpu,
      boolean informers) {
    String prefix = "cpu_" + key + "_";
    figures.add(Figure.single(prefix + "server_us", "CPU per event, " + label + ": " + CPU_SERVER,
        cpu.get(CPU_SERVER), "µs"));
    if (informers) {
      figures.add(Figure.single(prefix + "informers_us", "CPU per event, " + label + ": " + CPU_CLIENT,
          cpu.get(CPU_CLIENT), "µs"));
    }
    figures.add(Figure.single(prefix + "writer_us", "CPU per event, " + label + ": " + CPU_WRITER,
        cpu.get(CPU_WRITER), "µs"));
  }

  private static Figure latency(String key, String label, double[] micros) {
    double[] sorted = micros.clone();
    Arrays.sort(sorted);
    return new Figure(key + "_us", label, median(sorted), percentile(sorted, 0.95), "p95", "µs");
  }

  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Nearest rank. */
  static double percentile(double[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static long heapAfterGc() {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return least;
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(name);
    log.setLevel(java.util.logging.Level.OFF);
    return log;
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static double mb(long bytes) {
    return bytes / 1024.0 / 1024.0;
  }

  static void print(Result r, Options o, PrintStream out) {
    LargeCluster.Counts c = r.cluster();
    out.printf(Locale.ROOT, "%n%s: %,d pods in %,d workloads (%,d Deployments with %,d ReplicaSets, %,d"
        + " StatefulSets), %,d HPAs, %,d PDBs, %,d Services, %,d nodes, %d namespace%s; stored in %.1f s; %,d events"
        + " per phase; %d cores, load average %.1f before, %.1f after%n", COMMAND, c.pods(), c.workloads(),
        c.deployments(), c.replicaSets(), c.statefulSets(), c.hpas(), c.pdbs(), c.services(), c.nodes(),
        c.namespaces(), c.namespaces() == 1 ? "" : "s", r.storeSeconds(), o.events(),
        Runtime.getRuntime().availableProcessors(), r.loadBefore(), r.loadAfter());
    out.printf(Locale.ROOT, "%-62s %12s %24s%n", "", "median", "");
    for (Figure f : r.figures()) {
      String second = Double.isNaN(f.second()) ? "" : f.secondLabel().equals("bytes per pod")
          ? String.format(Locale.ROOT, "%,.0f %s", f.second(), f.secondLabel())
          : String.format(Locale.ROOT, "%s %s %s", f.secondLabel(), number(f.second()), f.unit());
      out.printf(Locale.ROOT, "%-62s %12s %24s%n", f.label(), number(f.value()) + " " + f.unit(), second);
    }
    out.println("latencies: wall time from just before the PUT, emulator (same JVM) and loopback HTTP included;"
        + " CPU: thread time per event; heap: used heap after full GCs, after less before each start");
  }

  private static String number(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

  static String json(Result r, Options o) {
    StringBuilder s = new StringBuilder("{\n  \"command\": \"" + COMMAND + "\",\n  \"events\": " + o.events()
        + ",\n  \"repeats\": " + o.repeats() + ",\n  \"cores\": " + Runtime.getRuntime().availableProcessors()
        + ",\n  \"cluster\": {");
    s.append(r.cluster().asMap().entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue())
        .collect(Collectors.joining(", ")));
    s.append(String.format(Locale.ROOT, "},\n  \"store_seconds\": %.3f,\n  \"load_average_before\": %.2f,\n"
        + "  \"load_average_after\": %.2f,\n  \"figures\": {", r.storeSeconds(), r.loadBefore(), r.loadAfter()));
    List<String> fields = new ArrayList<>();
    for (Figure f : r.figures()) {
      fields.add(String.format(Locale.ROOT, "\n    \"%s\": %.3f", f.key(), f.value()));
      if (!Double.isNaN(f.second())) {
        String suffix = f.secondLabel().equals("bytes per pod") ? "bytes_per_pod" : f.secondLabel();
        fields.add(String.format(Locale.ROOT, "\n    \"%s_%s\": %.3f", f.key(), suffix, f.second()));
      }
    }
    return s.append(String.join(",", fields)).append("\n  }\n}\n").toString();
  }

  /**
   * What one phase of events measured: per-event wall times in µs (the PUT; until the topology's informer delivered
   * it; until the change event arrived, for timed restarts), the restarts written in all (untimed ones included) and
   * CPU µs per timed event by thread group.
   */
  record Phase(double[] write, double[] delivered, double[] signalled, int expectedSignals,
      Map<String, Double> cpu) {}

  /** The sink of the change events: each {@code oom-killed} change event's description and time of arrival. */
  private static final class Signals {
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final AtomicInteger received = new AtomicInteger();
    private volatile Thread waiter = Thread.currentThread();

    boolean accept(Signal signal) {
      received.incrementAndGet();
      if (signal instanceof ChangeEvent e && ChangeEvent.OOM_KILLED.equals(e.kind())) {
        arrivals.put(e.description(), System.nanoTime());
        LockSupport.unpark(waiter);
      }
      return true;
    }

    int received() {
      return received.get();
    }

    /** Waits for the {@code oom-killed} event of {@code pod} at {@code restarts}; its time of arrival. */
    long await(Pod pod, int restarts) {
      waiter = Thread.currentThread();
      String where = "pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + " container ";
      String tail = ", restart " + restarts;
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (true) {
        for (Map.Entry<String, Long> e : arrivals.entrySet()) {
          if (e.getKey().startsWith(where) && e.getKey().endsWith(tail)) {
            return e.getValue();
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no oom-killed change event for " + where + "at" + tail + " within "
              + TIMEOUT);
        }
        LockSupport.parkNanos(1_000_000L);
      }
    }
  }

  /** The phases of events: which object each event writes, how, and what is timed. */
  private static final class Events {
    private final LargeCluster cluster;
    private final Writer writer;
    private final int count;
    private final ThreadCpu cpu;
    private final PrintStream progress;
    private int next;

    Events(LargeCluster cluster, Writer writer, int count, ThreadCpu cpu, PrintStream progress) {
      this.cluster = cluster;
      this.writer = writer;
      this.count = count;
      this.cpu = cpu;
      this.progress = progress;
    }

    /** {@code count} pod status PUTs (after a tenth as many untimed), each on another workload than the last. */
    Phase pods(String what, @Nullable InformerProbe probe, @Nullable Signals signals) {
      int warmUp = warmUp(count);
      List<String> paths = new ArrayList<>();
      for (int k = 0; k < warmUp + count; k++) {
        int e = next + k;
        List<LargeCluster.Workload> ws = cluster.workloads();
        LargeCluster.Workload w = ws.get(e % ws.size());
        paths.add(LargeCluster.core(w.namespace(), "pods") + "/" + w.pods().get(e / ws.size() % w.pods().size()));
      }
      Map<String, Pod> pods = writer.read(paths, Pod.class);
      double[] write = new double[count];
      double[] delivered = new double[count];
      List<Double> signalled = new ArrayList<>();
      int restarts = 0;
      Map<Long, Long> cpuBefore = Map.of();
      for (int k = 0; k < warmUp + count; k++) {
        int i = k - warmUp;
        if (i == 0) {
          cpuBefore = cpu.snapshot();
        }
        boolean restart = (next + k) % 2 == 1;
        String path = paths.get(k);
        Pod pod = pods.get(path);
        int restartCount = restart ? restart(pod) : flipReadiness(pod);
        long t0 = System.nanoTime();
        Pod stored = writer.put(path + "/status", pod, Pod.class);
        long t1 = System.nanoTime();
        pods.put(path, stored);
        long arrived = probe == null ? t1 : probe.await(InformerProbe.key(stored), TIMEOUT);
        if (signals != null && restart) {
          long signal = signals.await(stored, restartCount);
          restarts++;
          if (i >= 0) {
            signalled.add((signal - t0) / 1e3);
          }
        }
        if (i >= 0) {
          write[i] = (t1 - t0) / 1e3;
          delivered[i] = (arrived - t0) / 1e3;
        }
      }
      Map<String, Double> perEvent = cpu.perEvent(cpuBefore, count);
      next += warmUp + count;
      progress.printf(Locale.ROOT, "%s: %d %s%n", COMMAND, count, what);
      return new Phase(write, delivered, signalled.stream().mapToDouble(Double::doubleValue).toArray(), restarts,
          perEvent);
    }

    /** {@code count} ReplicaSet status PUTs on the Deployments' current ReplicaSets, checked in rolloutHistory(). */
    Phase replicaSets(KubernetesTopology topology, InformerProbe probe) {
      List<LargeCluster.Workload> deployments = cluster.workloads().stream().filter(w -> !w.statefulSet()).toList();
      int warmUp = warmUp(count);
      List<String> paths = new ArrayList<>();
      for (int k = 0; k < warmUp + count; k++) {
        LargeCluster.Workload w = deployments.get(k % deployments.size());
        paths.add(LargeCluster.apps(w.namespace(), "replicasets") + "/" + w.currentReplicaSet());
      }
      Map<String, ReplicaSet> sets = writer.read(paths, ReplicaSet.class);
      double[] delivered = new double[count];
      Map<Long, Long> cpuBefore = Map.of();
      for (int k = 0; k < warmUp + count; k++) {
        int i = k - warmUp;
        if (i == 0) {
          cpuBefore = cpu.snapshot();
        }
        LargeCluster.Workload w = deployments.get(k % deployments.size());
        String path = paths.get(k);
        ReplicaSet rs = sets.get(path);
        int desired = rs.getSpec().getReplicas();
        boolean healthy = rs.getStatus().getReadyReplicas() != desired;
        rs.getStatus().setReadyReplicas(healthy ? desired : desired - 1);
        rs.getStatus().setAvailableReplicas(rs.getStatus().getReadyReplicas());
        long t0 = System.nanoTime();
        ReplicaSet stored = writer.put(path + "/status", rs, ReplicaSet.class);
        sets.put(path, stored);
        long arrived = probe.await(InformerProbe.key(stored), TIMEOUT);
        if (i >= 0) {
          delivered[i] = (arrived - t0) / 1e3;
        }
        List<RolloutRevision> history = topology.rolloutHistory(w.namespace(), w.name());
        RolloutRevision.Health want = healthy ? RolloutRevision.Health.HEALTHY : RolloutRevision.Health.UNHEALTHY;
        if (history.isEmpty() || history.get(history.size() - 1).health() != want) {
          throw new IllegalStateException("rolloutHistory(" + w.name() + ") shows " + history + " after readyReplicas "
              + rs.getStatus().getReadyReplicas() + " of " + desired + ", expected " + want);
        }
      }
      Map<String, Double> perEvent = cpu.perEvent(cpuBefore, count);
      progress.printf(Locale.ROOT, "%s: %d ReplicaSet status PUTs, topology running%n", COMMAND, count);
      return new Phase(new double[0], delivered, new double[0], 0, perEvent);
    }

    /** Untimed events before the timed ones: a quarter as many (at least 2), for the JIT. */
    private static int warmUp(int count) {
      return Math.max(2, count / 4);
    }

    private static int flipReadiness(Pod pod) {
      ContainerStatus app = pod.getStatus().getContainerStatuses().get(0);
      boolean ready = !Boolean.TRUE.equals(app.getReady());
      app.setReady(ready);
      for (PodCondition c : pod.getStatus().getConditions()) {
        if (c.getType().equals("Ready") || c.getType().equals("ContainersReady")) {
          c.setStatus(ready ? "True" : "False");
          c.setLastTransitionTime(Instant.now().toString());
        }
      }
      return app.getRestartCount();
    }

    private static int restart(Pod pod) {
      ContainerStatus app = pod.getStatus().getContainerStatuses().get(0);
      String now = Instant.now().toString();
      app.setRestartCount(app.getRestartCount() + 1);
      app.setLastState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewTerminated()
          .withReason("OOMKilled").withExitCode(137).withStartedAt(app.getState().getRunning().getStartedAt())
          .withFinishedAt(now).endTerminated().build());
      app.getState().getRunning().setStartedAt(now);
      return app.getRestartCount();
    }
  }

  /**
   * Writes through the API with a plain JDK HTTP client of its own (threads named {@code k8s-bench-writer}), so its
   * CPU is told apart from the informers' client.
   */
  private static final class Writer implements AutoCloseable {
    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "k8s-bench-writer");
      t.setDaemon(true);
      return t;
    });
    private final HttpClient http;
    private final String base;
    private final KubernetesSerialization serialization;
    private final Set<Long> threads = new HashSet<>();

    Writer(KubernetesApiEmulator api) {
      Set<Long> existing = liveThreads().keySet();
      this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool).build();
      String url = api.config().getMasterUrl();
      this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      this.serialization = api.client().getKubernetesSerialization();
      send(HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces")).GET());  // starts the client's threads
      liveThreads().forEach((id, name) -> {
        if ((!existing.contains(id) && name.startsWith("HttpClient-")) || name.startsWith("k8s-bench-writer")) {
          threads.add(id);
        }
      });
      threads.add(Thread.currentThread().getId());
    }

    /** This writer's thread ids (the selector thread its HTTP client started, and the caller's). */
    Set<Long> threads() {
      return threads;
    }

    /** Reads every object at {@code paths}, keyed by path. */
    <T> Map<String, T> read(List<String> paths, Class<T> type) {
      Map<String, T> out = new LinkedHashMap<>();
      for (String p : paths) {
        out.computeIfAbsent(p, k -> serialization.unmarshal(send(HttpRequest.newBuilder(URI.create(base + k))
            .GET()), type));
      }
      return out;
    }

    /** PUTs {@code object} to {@code path}; what the server stored. */
    <T> T put(String path, HasMetadata object, Class<T> type) {
      return serialization.unmarshal(send(HttpRequest.newBuilder(URI.create(base + path))
          .header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(serialization.asJson(object)))), type);
    }

    private String send(HttpRequest.Builder request) {
      try {
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
          throw new IllegalStateException(r.request().method() + " " + r.uri() + ": HTTP " + r.statusCode() + " "
              + r.body());
        }
        return r.body();
      } catch (IOException e) {
        throw new IllegalStateException("the emulator did not answer: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }

  private static Map<Long, String> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .collect(Collectors.toMap(Thread::getId, Thread::getName, (a, b) -> a));
  }

  /** Thread CPU time, split between the emulator's threads, the writer's and the rest (the informers). */
  private static final class ThreadCpu {
    private static final long QUIET_MS = 5;
    private static final long QUIET_WINDOW_MS = 250;
    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private final Set<Long> writer;

    ThreadCpu(Set<Long> writer) {
      this.writer = writer;
      if (mx.isThreadCpuTimeSupported() && !mx.isThreadCpuTimeEnabled()) {
        mx.setThreadCpuTimeEnabled(true);
      }
    }

    /** CPU nanoseconds of every live thread, by id. */
    Map<Long, Long> snapshot() {
      Map<Long, Long> out = new HashMap<>();
      for (long id : liveThreads().keySet()) {
        long t = mx.getThreadCpuTime(id);
        if (t >= 0) {
          out.put(id, t);
        }
      }
      return out;
    }

    /**
     * Waits until the threads other than the writer's used less than {@value #QUIET_MS} ms of CPU in
     * {@value #QUIET_WINDOW_MS} ms; the ms from {@code since} (a {@link System#nanoTime}) until then.
     *
     * @throws IllegalStateException when they are still busy 5 minutes later
     */
    double awaitQuiet(long since) {
      Map<Long, Long> last = snapshot();
      while (true) {
        LockSupport.parkNanos(QUIET_WINDOW_MS * 1_000_000L);
        Map<Long, Long> now = snapshot();
        long busy = 0;
        for (Map.Entry<Long, Long> e : now.entrySet()) {
          if (!writer.contains(e.getKey())) {
            busy += e.getValue() - last.getOrDefault(e.getKey(), 0L);
          }
        }
        double elapsedMs = (System.nanoTime() - since) / 1e6;
        if (busy < QUIET_MS * 1_000_000L) {
          return elapsedMs - QUIET_WINDOW_MS;
        }
        if (elapsedMs > 300_000) {
          throw new IllegalStateException("the emulator and the informers were still busy 5 minutes after the start");
        }
        last = now;
      }
    }

    /** CPU ms since {@code before}, by group. */
    Map<String, Double> millisSince(Map<Long, Long> before) {
      return perEvent(before, 1000);  // µs per thousand = ms
    }

    /** CPU µs per event since {@code before}, by group. */
    Map<String, Double> perEvent(Map<Long, Long> before, int events) {
      Map<Long, String> names = liveThreads();
      Map<String, Double> out = new LinkedHashMap<>();
      out.put(CPU_SERVER, 0.0);
      out.put(CPU_CLIENT, 0.0);
      out.put(CPU_WRITER, 0.0);
      Function<Long, String> group = id -> writer.contains(id) ? CPU_WRITER
          : names.getOrDefault(id, "").startsWith("vert.x") || names.getOrDefault(id, "").startsWith("vertx")
          ? CPU_SERVER : CPU_CLIENT;
      snapshot().forEach((id, now) -> out.merge(group.apply(id), (now - before.getOrDefault(id, 0L)) / 1e3 / events,
          Double::sum));
      return out;
    }
  }
}
