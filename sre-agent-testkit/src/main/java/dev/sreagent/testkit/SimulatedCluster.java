package dev.sreagent.testkit;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import dev.sreagent.api.port.TopologyProvider;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A deterministic simulated cluster: the same seed and the same calls give the same telemetry, bit for bit.
 *
 * <p>Model, per {@link #advance(Duration) step}:
 * <ul>
 *   <li>Traffic enters at entry services with a daily cycle (+-25%, peak mid-afternoon) and flows along the call
 *       graph ({@code calls} per request).
 *   <li>Each service is a queue: utilisation rho = arrivals / (replicas x capacity); mean latency = service time /
 *       (1 - rho), saturating near rho = 1; above 1 the excess is dropped as errors. A caller's latency includes its
 *       callees'; a caller fails 90% of the calls its callees fail.
 *   <li>Each pod reports its CPU utilisation (fraction of its CPU limit, as cAdvisor's usage over limit): the
 *       service's queueing utilisation rho, at most 100%, with a little noise of its own (it draws from its own
 *       generator, so the other signals are the same with or without it; {@link Builder#setEmitUtilisation}). A pod
 *       with a {@link #injectCpuHog CPU hog} adds the hog's share of its limit to that, at most 100%.
 *   <li>With {@link Builder#setEmitCallEdges call edges} on, each caller reports the median latency of its calls to
 *       each callee ({@link MetricNames#CLIENT_LATENCY_P50} with {@code peer.service}, as OpenTelemetry's client
 *       duration histograms give it): the callee's latency plus any {@link #injectNetworkDelay network delay} into
 *       it, with noise from its own generator. A network delay adds to the callers' latency (and so to their p99)
 *       but not to the callee's own.
 *   <li>Pods have memory (fraction of the limit); a leaking pod is OOM-killed at 100% and replaced.
 *   <li>Each service has a log volume per node it runs on, rotated at 70%; a log burst disables rotation.
 *   <li>Revisions become "healthy" after 30 minutes with their own error ratio below 2%.
 * </ul>
 * Actions run through {@link #executor()} change this state for real, and a {@link GuardrailOracle} checks every
 * one independently of the agent.
 */
public final class SimulatedCluster implements TelemetrySource, TopologyProvider {
  /** Namespace of every simulated workload. */
  public static final String NAMESPACE = "shop";
  /** Mount prefix of the log volumes. */
  public static final String LOG_ROOT = "/var/log/pods/";

  private final VirtualClock clock;
  private final Random rng;
  private final Map<String, SimService> services = new LinkedHashMap<>();
  private final List<String> order;
  private final List<String> nodes;
  private final List<LogVolume> volumes = new ArrayList<>();
  private final Map<String, Certificate> certificates = new LinkedHashMap<>();
  private final Deque<Signal> pendingEvents = new ArrayDeque<>();
  private final GuardrailOracle oracle = new GuardrailOracle();
  private final SimulatedExecutor executor;
  private @Nullable TelemetrySink sink;
  /** The sinks of {@link #telemetryTap()} sources (other agents watching the same cluster). */
  private final List<TelemetrySink> taps = new java.util.concurrent.CopyOnWriteArrayList<>();
  private double surge = 1.0;
  private final boolean emitSpans;
  private final boolean emitUtilisation;
  private final boolean emitCallEdges;
  /** Likewise for the call edges' latency noise. */
  private final Random edgeRng;
  /** Its own generator, so that log lines never change the random sequence the rest of the model draws from. */
  private final Random logRng;
  /** Likewise for the CPU utilisation noise. */
  private final Random cpuRng;
  private @Nullable Instant lastEmit;
  private long emitted;
  private int changesApplied;

  private SimulatedCluster(Builder b) {
    this.clock = b.clock;
    this.rng = new Random(b.seed);
    this.logRng = new Random(b.seed * 31 + 7);
    this.cpuRng = new Random(b.seed * 31 + 11);
    this.emitSpans = b.emitSpans;
    this.emitUtilisation = b.emitUtilisation;
    this.emitCallEdges = b.emitCallEdges;
    this.edgeRng = new Random(b.seed * 31 + 13);
    List<String> ns = new ArrayList<>();
    for (int i = 1; i <= b.nodes; i++) {
      ns.add("node-" + i);
    }
    this.nodes = List.copyOf(ns);
    Instant now = clock.now();
    int podIndex = 0;
    for (ServiceSpec spec : b.services) {
      SimService s = new SimService(spec);
      s.revisions.add(new RevisionState("r1", now.minus(Duration.ofDays(30)), 0, Duration.ZERO, true));
      s.revisions.add(new RevisionState("r2", now.minus(Duration.ofDays(7)), 0, Duration.ZERO, true));
      s.current = s.revisions.get(1);
      Set<String> usedNodes = new HashSet<>();
      for (int i = 0; i < spec.replicas(); i++) {
        String node = nodes.get(podIndex++ % nodes.size());
        s.pods.add(newPod(s, node));
        usedNodes.add(node);
      }
      for (String node : nodes) {
        if (usedNodes.contains(node)) {
          volumes.add(new LogVolume(spec.name(), node, LOG_ROOT + spec.name(), 0.30 + 0.3 * rng.nextDouble()));
        }
      }
      if (!spec.tlsCertificate().isEmpty()) {
        certificates.put(spec.tlsCertificate(), new Certificate(spec.tlsCertificate(), spec.name(),
            now.plus(Duration.ofDays(40 + rng.nextInt(40)))));
      }
      services.put(spec.name(), s);
    }
    for (ServiceSpec spec : b.services) {
      for (String callee : spec.calls().keySet()) {
        if (!services.containsKey(callee)) {
          throw new IllegalArgumentException("service " + spec.name() + " calls unknown service '" + callee
              + "'; known services are " + services.keySet());
        }
      }
    }
    this.order = topologicalOrder();
    this.executor = new SimulatedExecutor(this);
  }

  /** A builder: seed 42, the default shop, 3 nodes, a clock at {@link VirtualClock#DEFAULT_START}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder of {@link SimulatedCluster}. */
  public static final class Builder {
    private long seed = 42;
    private VirtualClock clock = new VirtualClock();
    private List<ServiceSpec> services = ShopTopology.services();
    private int nodes = 3;
    private boolean emitSpans = true;
    private boolean emitUtilisation = true;
    private boolean emitCallEdges;

    private Builder() {}

    /**
     * Whether each caller reports the median latency of its calls to each callee (default false: the cluster then
     * looks like one without client-side instrumentation, and a {@link #injectNetworkDelay network delay} shows only
     * as its callers' own latency).
     */
    public Builder setEmitCallEdges(boolean emit) {
      this.emitCallEdges = emit;
      return this;
    }

    /**
     * Whether every pod reports its CPU utilisation (default true). Off, the cluster looks like one whose containers
     * have no CPU limit or whose CPU metrics are not collected: the agent must cope without them.
     */
    public Builder setEmitUtilisation(boolean emit) {
      this.emitUtilisation = emit;
      return this;
    }

    /** Whether to emit one sampled trace per call edge per step (default true). */
    public Builder setEmitSpans(boolean emit) {
      this.emitSpans = emit;
      return this;
    }

    public Builder setSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder setClock(VirtualClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder setServices(List<ServiceSpec> services) {
      if (services.isEmpty()) {
        throw new IllegalArgumentException("services must not be empty, but was []");
      }
      this.services = List.copyOf(services);
      return this;
    }

    public Builder setNodes(int nodes) {
      this.nodes = Require.atLeast(nodes, 1, "nodes");
      return this;
    }

    public SimulatedCluster build() {
      return new SimulatedCluster(this);
    }
  }

  // ------------------------------------------------------------------ state

  static final class SimService {
    final ServiceSpec spec;
    int replicas;
    double capacityFactor = 1.0;
    /** Seconds added to every call into this service (its network path); 0 without a delay. */
    double networkDelay;
    @Nullable Instant networkDelayUntil;
    double contention;
    double failing;
    final List<SimPod> pods = new ArrayList<>();
    final List<RevisionState> revisions = new ArrayList<>();
    RevisionState current;
    double lambda;
    double rho;
    double latency;
    double error;
    int podSerial;

    SimService(ServiceSpec spec) {
      this.spec = spec;
      this.replicas = spec.replicas();
      this.current = new RevisionState("r0", Instant.EPOCH, 0, Duration.ZERO, true);
    }
  }

  static final class RevisionState {
    final String id;
    final Instant deployedAt;
    final double errorRatio;
    final Duration addedLatency;
    boolean healthy;

    RevisionState(String id, Instant deployedAt, double errorRatio, Duration addedLatency, boolean healthy) {
      this.id = id;
      this.deployedAt = deployedAt;
      this.errorRatio = errorRatio;
      this.addedLatency = addedLatency;
      this.healthy = healthy;
    }
  }

  static final class SimPod {
    final String name;
    final String node;
    final double memoryBase;
    double leakPerMinute;
    double memory;
    /** Share of its CPU limit a runaway loop in this pod burns on top of its requests' work (0: none). */
    double cpuHog;

    SimPod(String name, String node, double memoryBase) {
      this.name = name;
      this.node = node;
      this.memoryBase = memoryBase;
      this.memory = memoryBase;
    }
  }

  static final class LogVolume {
    final String service;
    final String node;
    final String path;
    double used;
    double burstPerMinute;
    @Nullable Instant burstUntil;

    LogVolume(String service, String node, String path, double used) {
      this.service = service;
      this.node = node;
      this.path = path;
      this.used = used;
    }
  }

  static final class Certificate {
    final String name;
    final String service;
    Instant expiresAt;

    Certificate(String name, String service, Instant expiresAt) {
      this.name = name;
      this.service = service;
      this.expiresAt = expiresAt;
    }
  }

  private SimPod newPod(SimService s, String node) {
    String suffix = Integer.toString(36 * 36 * 36 + rng.nextInt(36 * 36 * 36 * 35), 36);
    return new SimPod(s.spec.name() + "-" + s.current.id + "-" + suffix, node, 0.42 + 0.08 * rng.nextDouble());
  }

  private List<String> topologicalOrder() {
    Map<String, Integer> indegree = new LinkedHashMap<>();
    services.keySet().forEach(s -> indegree.put(s, 0));
    for (SimService s : services.values()) {
      for (String callee : s.spec.calls().keySet()) {
        indegree.merge(callee, 1, Integer::sum);
      }
    }
    Deque<String> ready = new ArrayDeque<>();
    indegree.forEach((k, v) -> {
      if (v == 0) {
        ready.add(k);
      }
    });
    List<String> out = new ArrayList<>();
    while (!ready.isEmpty()) {
      String s = ready.poll();
      out.add(s);
      for (String callee : services.get(s).spec.calls().keySet()) {
        if (indegree.merge(callee, -1, Integer::sum) == 0) {
          ready.add(callee);
        }
      }
    }
    if (out.size() != services.size()) {
      throw new IllegalArgumentException("the call graph has a cycle among " + services.keySet());
    }
    return List.copyOf(out);
  }

  // ------------------------------------------------------------------ TelemetrySource / TopologyProvider

  @Override
  public String name() {
    return "simulated-cluster";
  }

  @Override
  public void start(TelemetrySink sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  @Override
  public void close() {
    this.sink = null;
  }

  /**
   * Another telemetry source of this cluster: each one started receives every signal the cluster emits, as the
   * cluster's own sink does (started and closed on its own). For tests with a second agent on the same cluster: two
   * replicas of an agent, or the agent next to other automation.
   */
  public TelemetrySource telemetryTap() {
    return new TelemetrySource() {
      private @Nullable TelemetrySink tapped;

      @Override
      public String name() {
        return "simulated-cluster-tap";
      }

      @Override
      public synchronized void start(TelemetrySink s) {
        tapped = Objects.requireNonNull(s, "sink");
        taps.add(tapped);
      }

      @Override
      public synchronized void close() {
        if (tapped != null) {
          taps.remove(tapped);
          tapped = null;
        }
      }
    };
  }

  @Override
  public synchronized Topology topology() {
    Map<String, ServiceInfo> infos = new LinkedHashMap<>();
    Set<Topology.Dependency> deps = new HashSet<>();
    for (SimService s : services.values()) {
      List<Revision> revs = s.revisions.stream().map(r -> new Revision(r.id, r.deployedAt, r.healthy)).toList();
      infos.put(s.spec.name(), new ServiceInfo(s.spec.name(), NAMESPACE, s.replicas, s.spec.maxReplicas(),
          s.spec.minAvailable(), s.current.id, revs, s.pods.stream().map(p -> p.name).toList()));
      for (String callee : s.spec.calls().keySet()) {
        deps.add(new Topology.Dependency(s.spec.name(), callee));
      }
    }
    return new Topology(infos, deps);
  }

  /** The executor that applies actions to this cluster. */
  public SimulatedExecutor executor() {
    return executor;
  }

  /** The independent safety checker. */
  public GuardrailOracle oracle() {
    return oracle;
  }

  /** The clock the cluster runs on. */
  public VirtualClock clock() {
    return clock;
  }

  /** Signals emitted so far. */
  public long emittedSignals() {
    return emitted;
  }

  // ------------------------------------------------------------------ simulation

  /** Moves the clock by {@code step}, updates the model and emits one round of telemetry to the sink. */
  public synchronized void advance(Duration step) {
    Require.positive(step, "step");
    Instant now = clock.advance(step);
    double minutes = step.toMillis() / 60_000.0;
    simulateTraffic(now);
    simulateMemory(now, minutes);
    simulateVolumes(now, minutes);
    markHealthyRevisions(now);
    emit(now);
  }

  private void simulateTraffic(Instant now) {
    for (SimService s : services.values()) {
      if (s.networkDelayUntil != null && !now.isBefore(s.networkDelayUntil)) {
        s.networkDelay = 0;
        s.networkDelayUntil = null;
      }
    }
    double hour = now.atZone(ZoneOffset.UTC).getHour() + now.atZone(ZoneOffset.UTC).getMinute() / 60.0;
    double daily = 1 + 0.25 * Math.sin(2 * Math.PI * (hour - 9) / 24);
    for (SimService s : services.values()) {
      s.lambda = s.spec.externalRate() * daily * surge;
    }
    for (String name : order) {
      SimService s = services.get(name);
      s.spec.calls().forEach((callee, calls) -> services.get(callee).lambda += s.lambda * calls);
    }
    for (int i = order.size() - 1; i >= 0; i--) {
      SimService s = services.get(order.get(i));
      double capacity = Math.max(1, s.replicas) * s.spec.capacityPerReplica() * s.capacityFactor;
      s.rho = s.lambda / capacity;
      double base = s.spec.baseLatencySeconds();
      double own = s.rho < 0.95 ? base / (1 - s.rho) : base / 0.05 * (1 + 20 * (s.rho - 0.95));
      // lock or connection-pool contention: every replica holds connections, so more replicas hurt
      double scale = (double) Math.max(1, s.replicas) / s.spec.replicas();
      own *= 1 + s.contention * scale * scale;
      own = Math.min(own, 30.0);
      double overload = s.rho > 1 ? 1 - 1 / s.rho : 0;
      double latency = own + s.current.addedLatency.toMillis() / 1000.0;
      double ok = (1 - s.spec.baseErrorRatio()) * (1 - s.current.errorRatio) * (1 - s.failing) * (1 - overload);
      for (Map.Entry<String, Double> call : s.spec.calls().entrySet()) {
        SimService callee = services.get(call.getKey());
        double weight = Math.min(1.0, call.getValue());
        latency += weight * (callee.latency + callee.networkDelay);  // + 0.0 without a delay: the same double
        ok *= 1 - 0.9 * weight * callee.error;
      }
      s.latency = latency;
      s.error = 1 - ok;
    }
  }

  private void simulateMemory(Instant now, double minutes) {
    for (SimService s : services.values()) {
      for (int i = 0; i < s.pods.size(); i++) {
        SimPod p = s.pods.get(i);
        double leaked = p.memory - p.memoryBase;
        leaked = Math.max(0, leaked) + p.leakPerMinute * minutes;
        if (p.leakPerMinute == 0) {
          leaked = 0;
        }
        p.memory = p.memoryBase + leaked;
        if (p.memory >= 1.0) {
          SimPod replacement = newPod(s, p.node);
          s.pods.set(i, replacement);
          pendingEvents.add(new ChangeEvent(now, s.spec.name(), ChangeEvent.OOM_KILLED, s.current.id,
              "pod " + p.name + " OOMKilled (exit 137), replaced by " + replacement.name));
        }
      }
    }
  }

  private void simulateVolumes(Instant now, double minutes) {
    for (LogVolume v : volumes) {
      boolean bursting = v.burstUntil != null && now.isBefore(v.burstUntil);
      v.used += (0.0008 + (bursting ? v.burstPerMinute : 0)) * minutes;
      if (!bursting && v.used > 0.70) {
        v.used = 0.30;
      }
      v.used = Math.min(1.0, v.used);
    }
  }

  private void markHealthyRevisions(Instant now) {
    for (SimService s : services.values()) {
      RevisionState r = s.current;
      if (!r.healthy && r.errorRatio + s.spec.baseErrorRatio() < 0.02
          && !r.deployedAt.plus(Duration.ofMinutes(30)).isAfter(now)) {
        r.healthy = true;
      }
    }
  }

  private double noise(double sigma) {
    return Math.exp(sigma * rng.nextGaussian());
  }

  private void emit(Instant now) {
    List<Signal> out = new ArrayList<>();
    while (!pendingEvents.isEmpty()) {
      out.add(pendingEvents.poll());
    }
    for (SimService s : services.values()) {
      String name = s.spec.name();
      for (SimPod p : s.pods) {
        double m = Math.min(1.0, p.memory + 0.005 * rng.nextGaussian());
        out.add(new MetricSample(MetricNames.MEMORY_UTILIZATION, m, now, Map.of(Attributes.SERVICE_NAME, name,
            Attributes.K8S_POD_NAME, p.name, Attributes.K8S_NAMESPACE, NAMESPACE, Attributes.HOST_NAME, p.node)));
      }
      if (emitUtilisation) {
        for (SimPod p : s.pods) {
          double serving = Math.min(1.0, s.rho);
          double jitter = Math.exp(0.03 * cpuRng.nextGaussian());
          // a hot pod wants more than its limit: the reading stays pinned there through the noise
          double cpu = Math.min(1.0, (serving + p.cpuHog) * jitter);  // + 0.0 without a hog: the same double
          out.add(new MetricSample(MetricNames.CPU_UTILIZATION, cpu, now, Map.of(Attributes.SERVICE_NAME, name,
              Attributes.K8S_POD_NAME, p.name, Attributes.K8S_NAMESPACE, NAMESPACE, Attributes.HOST_NAME, p.node)));
        }
      }
      Map<String, String> attrs = Map.of(Attributes.SERVICE_NAME, name, Attributes.K8S_NAMESPACE, NAMESPACE);
      out.add(new MetricSample(MetricNames.LATENCY_P99, 3.0 * s.latency * noise(0.05), now, attrs));
      double err = Math.min(1.0, s.error * noise(0.15) + 0.0003 * Math.abs(rng.nextGaussian()));
      out.add(new MetricSample(MetricNames.ERROR_RATIO, err, now, attrs));
      out.add(new MetricSample(MetricNames.REQUEST_RATE, s.lambda * noise(0.02), now, attrs));
    }
    for (LogVolume v : volumes) {
      out.add(new MetricSample(MetricNames.DISK_UTILIZATION, v.used, now, Map.of(Attributes.SERVICE_NAME,
          v.service, Attributes.HOST_NAME, v.node, Attributes.FILESYSTEM_PATH, v.path)));
    }
    for (Certificate c : certificates.values()) {
      out.add(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY,
          Duration.between(now, c.expiresAt).toSeconds(), now, Map.of(Attributes.SERVICE_NAME, c.service,
              Attributes.TLS_CERTIFICATE, c.name)));
    }
    if (emitCallEdges) {
      for (SimService s : services.values()) {
        for (String callee : s.spec.calls().keySet()) {
          SimService c = services.get(callee);
          out.add(new MetricSample(MetricNames.CLIENT_LATENCY_P50, (c.latency + c.networkDelay)
              * Math.exp(0.05 * edgeRng.nextGaussian()), now, Map.of(Attributes.SERVICE_NAME, s.spec.name(),
              Attributes.PEER_SERVICE, callee, Attributes.K8S_NAMESPACE, NAMESPACE)));
        }
      }
    }
    if (emitSpans) {
      emitSpans(now, out);
    }
    emitLogs(now, out);
    lastEmit = now;
    TelemetrySink target = sink;
    if (target != null) {
      for (Signal sig : out) {
        target.accept(sig);
      }
    }
    for (TelemetrySink tap : taps) {
      for (Signal sig : out) {
        tap.accept(sig);
      }
    }
    emitted += out.size();
  }

  /**
   * Application logs as real services write them: an ERROR line per failed request of a bad revision (at most 40 per
   * step), a WARN per slow request when the service is saturated, connection-pool timeouts under contention, GC
   * warnings from pods near their memory limit, and DEBUG dumps while a log burst fills a volume. Ids, durations and sizes vary from line to line; the templates do
   * not.
   */
  private void emitLogs(Instant now, List<Signal> out) {
    double seconds = lastEmit == null ? 15 : Math.max(1, Duration.between(lastEmit, now).toSeconds());
    for (SimService s : services.values()) {
      String name = s.spec.name();
      String pod = s.pods.isEmpty() ? name : s.pods.get(logRng.nextInt(s.pods.size())).name;
      int errors = (int) Math.min(40, Math.round(s.error * s.lambda * seconds * 0.05));
      for (int i = 0; i < errors; i++) {
        out.add(log(now, name, pod, "ERROR", !s.current.healthy
            ? String.format(Locale.ROOT, "POST /api/%s failed: java.lang.NullPointerException at %s.handle(%s.java:%d)"
                + " revision=%s request_id=%s", name, capitalised(name), capitalised(name), 100 + logRng.nextInt(5),
                s.current.id, uuid())
            : String.format(Locale.ROOT, "POST /api/%s failed: upstream returned 503 after %d ms request_id=%s",
                name, 20 + logRng.nextInt(400), uuid())));
      }
      if (s.rho > 0.9) {
        int slow = (int) Math.min(20, Math.round((s.rho - 0.9) * 100));
        for (int i = 0; i < slow; i++) {
          out.add(log(now, name, pod, "WARN", String.format(Locale.ROOT, "slow request GET /api/%s took %d ms"
              + " (threshold 500 ms) trace_id=%016x", name, 500 + logRng.nextInt(3000), logRng.nextLong())));
        }
      }
      if (s.contention > 0) {
        int waits = (int) Math.min(20, Math.round(s.contention * s.replicas * 5));
        for (int i = 0; i < waits; i++) {
          out.add(log(now, name, pod, "WARN", String.format(Locale.ROOT, "Connection is not available, request"
              + " timed out after %d ms (pool %s-db: active=%d, idle=0, waiting=%d)", 1000 + logRng.nextInt(4000),
              name, 10 * s.replicas, 1 + logRng.nextInt(30))));
        }
      }
      for (SimPod p : s.pods) {
        if (p.memory > 0.8) {
          out.add(log(now, name, p.name, "WARN", String.format(Locale.ROOT, "GC overhead %d%% in the last minute,"
              + " heap %d%% of %d MiB used", 5 + logRng.nextInt(30), (int) (p.memory * 100), 512)));
        }
      }
    }
    for (LogVolume v : volumes) {
      if (v.burstUntil != null && now.isBefore(v.burstUntil)) {
        for (int i = 0; i < 10; i++) {
          out.add(log(now, v.service, v.service, "WARN", String.format(Locale.ROOT, "debug dump enabled: payload"
              + " of order %d (%d bytes) written to %s/app.log", logRng.nextInt(1_000_000), 1000 + logRng.nextInt(
              90_000), v.path)));
        }
      }
    }
  }

  private LogRecord log(Instant now, String service, String pod, String severity, String body) {
    return new LogRecord(now, service, severity, body, Map.of(Attributes.SERVICE_NAME, service,
        Attributes.K8S_POD_NAME, pod, Attributes.K8S_NAMESPACE, NAMESPACE));
  }

  private String uuid() {
    return new java.util.UUID(logRng.nextLong(), logRng.nextLong()).toString();
  }

  private static String capitalised(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1) + "Handler";
  }

  /** One sampled trace per call edge per step: a CLIENT span of the caller, a SERVER span of the callee. */
  private void emitSpans(Instant now, List<Signal> out) {
    for (SimService s : services.values()) {
      for (String callee : s.spec.calls().keySet()) {
        SimService c = services.get(callee);
        String trace = Long.toHexString(rng.nextLong()) + Long.toHexString(rng.nextLong());
        String client = Long.toHexString(rng.nextLong());
        String server = Long.toHexString(rng.nextLong());
        Duration d = Duration.ofNanos((long) (c.latency * 1e9 * noise(0.2)));
        boolean error = rng.nextDouble() < c.error;
        out.add(new dev.sreagent.api.model.Span(trace, client, null, s.spec.name(), "call " + callee,
            dev.sreagent.api.model.Span.Kind.CLIENT, now.minus(d), d, error));
        out.add(new dev.sreagent.api.model.Span(trace, server, client, callee, "handle",
            dev.sreagent.api.model.Span.Kind.SERVER, now.minus(d), d, error));
      }
    }
  }

  // ------------------------------------------------------------------ faults

  private SimService service(String name) {
    SimService s = services.get(name);
    if (s == null) {
      throw new IllegalArgumentException("unknown service '" + name + "'; known services are " + services.keySet());
    }
    return s;
  }

  /** One pod of {@code service} (its first) leaks {@code perMinute} of its memory limit per minute until restarted. */
  public synchronized void injectLeak(String service, double perMinute) {
    service(service).pods.get(0).leakPerMinute = perMinute;
  }

  /**
   * One pod of {@code service} (its first) burns {@code share} of its CPU limit on top of the work its requests take
   * (a runaway thread, a hot loop), its CPU reading capped at the limit, until the pod is restarted or replaced (a
   * restart, a rollout, a rollback); 0 ends it. Traffic, latency, errors and every other pod's CPU stay exactly as
   * without it: in this model the loop does not slow the pod's requests (a real pod throttled at its limit serves
   * more slowly; add {@link #injectCapacityLoss} to model that).
   *
   * @param service the service
   * @param share the share of the CPU limit the loop burns, in [0, 1]
   * @return the name of the hot pod
   * @throws IllegalArgumentException for an unknown service or a share outside [0, 1]
   */
  public synchronized String injectCpuHog(String service, double share) {
    Require.unit(share, "share");
    SimPod pod = service(service).pods.get(0);
    pod.cpuHog = share;
    return pod.name;
  }

  /**
   * Every call into {@code service} takes {@code delay} longer on its way (a network delay at its pods or on the path
   * to them, as {@code tc netem} injects it) for {@code lasting}, or until cleared with a zero delay; its own latency
   * does not change, its callers' does. Seen where it is only with {@link Builder#setEmitCallEdges call edges}.
   */
  public synchronized void injectNetworkDelay(String service, Duration delay, Duration lasting) {
    Require.notNegative(delay, "delay");
    Require.positive(lasting, "lasting");
    SimService s = service(service);
    s.networkDelay = delay.toNanos() / 1e9;
    s.networkDelayUntil = delay.isZero() ? null : clock.now().plus(lasting);
  }

  /** Every replica of {@code service} serves only {@code factor} of its normal capacity. */
  public synchronized void injectCapacityLoss(String service, double factor) {
    service(service).capacityFactor = factor;
  }

  /** Rolls out a new revision of {@code service} that fails {@code errorRatio} of requests and adds latency. */
  public synchronized void injectBadDeploy(String service, double errorRatio, Duration addedLatency) {
    SimService s = service(service);
    Instant now = clock.now();
    RevisionState r = new RevisionState("r" + (s.revisions.size() + 1), now, errorRatio, addedLatency, false);
    s.revisions.add(r);
    s.current = r;
    rollPods(s);
    pendingEvents.add(new ChangeEvent(now, service, ChangeEvent.DEPLOY, r.id, "rolled out " + r.id));
  }

  /**
   * A routine, healthy rollout of {@code service}: a new revision with the same behaviour, pods replaced, a deploy
   * event emitted. Not a fault: a quiet week has several of these.
   */
  public synchronized String deployHealthy(String service) {
    SimService s = service(service);
    Instant now = clock.now();
    RevisionState r = new RevisionState("r" + (s.revisions.size() + 1), now, 0, Duration.ZERO, false);
    s.revisions.add(r);
    s.current = r;
    rollPods(s);
    pendingEvents.add(new ChangeEvent(now, service, ChangeEvent.DEPLOY, r.id, "rolled out " + r.id));
    return r.id;
  }

  /** One log volume of {@code service} fills at {@code perMinute} for {@code duration}, rotation failing. */
  public synchronized void injectLogBurst(String service, double perMinute, Duration duration) {
    for (LogVolume v : volumes) {
      if (v.service.equals(service)) {
        v.burstPerMinute = perMinute;
        v.burstUntil = clock.now().plus(duration);
        v.used = Math.max(v.used, 0.55);
        return;
      }
    }
    throw new IllegalArgumentException("service '" + service + "' has no log volume");
  }

  /** The certificate of {@code service} now expires in {@code remaining}. */
  public synchronized void injectCertificateExpiry(String service, Duration remaining) {
    for (Certificate c : certificates.values()) {
      if (c.service.equals(service)) {
        c.expiresAt = clock.now().plus(remaining);
        return;
      }
    }
    throw new IllegalArgumentException("service '" + service + "' serves no TLS certificate; services with one: "
        + certificates.values().stream().map(c -> c.service).toList());
  }

  /** The connection pool of {@code service} is contended: latency x (1 + contention x (replicas / initial)^2). */
  public synchronized void injectContention(String service, double contention) {
    service(service).contention = contention;
  }

  /**
   * {@code service} fails {@code errorRatio} of its requests without any change of its own to blame (its database is
   * failing, a configuration pushed out of band): no deploy event, and rolling back does not help. 0 ends it.
   */
  public synchronized void injectFailure(String service, double errorRatio) {
    Require.unit(errorRatio, "errorRatio");
    service(service).failing = errorRatio;
  }

  /** External traffic multiplied by {@code multiplier} (1 ends a surge). */
  public synchronized void injectSurge(double multiplier) {
    this.surge = multiplier;
  }

  /**
   * Someone else changes the replicas of {@code service} (a {@code kubectl scale}, an HPA, a deploy pipeline): pods
   * are added or removed and a scale event is emitted, as for the agent's own scaling but outside its knowledge.
   */
  public synchronized void scaleExternally(String service, int replicas) {
    SimService s = service(service);
    Require.within(replicas, 1, s.spec.maxReplicas(), "replicas of " + service);
    int from = s.replicas;
    setReplicas(s, replicas);
    pendingEvents.add(new ChangeEvent(clock.now(), service, ChangeEvent.SCALE, s.current.id,
        "scaled " + from + " -> " + replicas + " (external)"));
  }

  private void setReplicas(SimService s, int replicas) {
    while (s.pods.size() < replicas) {
      s.pods.add(newPod(s, nodes.get(s.pods.size() % nodes.size())));
    }
    while (s.pods.size() > replicas) {
      s.pods.remove(s.pods.size() - 1);
    }
    s.replicas = replicas;
  }

  private void rollPods(SimService s) {
    for (int i = 0; i < s.pods.size(); i++) {
      s.pods.set(i, newPod(s, s.pods.get(i).node));
    }
  }

  // ------------------------------------------------------------------ actions (called by SimulatedExecutor)

  synchronized String apply(Action action) {
    String result = applyOnce(action);
    changesApplied++;
    return result;
  }

  /**
   * How many actions changed this cluster (whoever delivered them): what contract tests count to check that an
   * executor delivers a key at most once.
   */
  public synchronized int changesApplied() {
    return changesApplied;
  }

  private String applyOnce(Action action) {
    Instant now = clock.now();
    if (action instanceof Action.RestartPods r) {
      SimService s = service(r.service());
      oracle.onRestart(now, r.pods().size(), totalPods(), s.replicas, s.spec.minAvailable(), r.service());
      List<String> restarted = new ArrayList<>();
      for (String pod : r.pods()) {
        for (int i = 0; i < s.pods.size(); i++) {
          if (s.pods.get(i).name.equals(pod)) {
            SimPod fresh = newPod(s, s.pods.get(i).node);
            s.pods.set(i, fresh);
            restarted.add(pod + " -> " + fresh.name);
          }
        }
      }
      if (restarted.isEmpty()) {
        throw new IllegalStateException("none of " + r.pods() + " is a current pod of " + r.service());
      }
      pendingEvents.add(new ChangeEvent(now, r.service(), ChangeEvent.RESTART, s.current.id,
          "rolling restart " + restarted));
      return "restarted " + restarted;
    }
    if (action instanceof Action.ScaleReplicas sc) {
      SimService s = service(sc.service());
      oracle.onScale(sc.service(), sc.toReplicas(), s.spec.maxReplicas(), s.spec.minAvailable());
      if (s.replicas != sc.fromReplicas()) {
        throw new IllegalStateException(sc.service() + " runs " + s.replicas + " replicas, not " + sc.fromReplicas());
      }
      setReplicas(s, sc.toReplicas());
      pendingEvents.add(new ChangeEvent(now, sc.service(), ChangeEvent.SCALE, s.current.id,
          "scaled " + sc.fromReplicas() + " -> " + sc.toReplicas()));
      return "scaled " + sc.service() + " to " + sc.toReplicas();
    }
    if (action instanceof Action.RollBack rb) {
      SimService s = service(rb.service());
      RevisionState target = s.revisions.stream().filter(r -> r.id.equals(rb.toRevision())).findFirst()
          .orElseThrow(() -> new IllegalStateException("no revision " + rb.toRevision() + " of " + rb.service()));
      oracle.onRollback(rb.service(), rb.toRevision(), target.healthy);
      if (!s.current.id.equals(rb.fromRevision())) {
        throw new IllegalStateException(rb.service() + " runs " + s.current.id + ", not " + rb.fromRevision());
      }
      s.current = target;
      rollPods(s);
      pendingEvents.add(new ChangeEvent(now, rb.service(), ChangeEvent.ROLLBACK, target.id,
          "rolled back " + rb.fromRevision() + " -> " + target.id));
      return "rolled " + rb.service() + " back to " + target.id;
    }
    if (action instanceof Action.TruncateLogs t) {
      oracle.onTruncate(t.path());
      for (LogVolume v : volumes) {
        if (v.node.equals(t.host()) && v.path.equals(t.path())) {
          double before = v.used;
          v.used = 0.05;
          return String.format("truncated %s on %s: %.0f%% -> %.0f%%", t.path(), t.host(), before * 100,
              v.used * 100);
        }
      }
      throw new IllegalStateException("no log volume " + t.path() + " on " + t.host());
    }
    if (action instanceof Action.RenewCertificate rc) {
      Certificate c = certificates.get(rc.certificate());
      if (c == null) {
        throw new IllegalStateException("no certificate " + rc.certificate());
      }
      c.expiresAt = now.plus(Duration.ofDays(90));
      return "renewed " + rc.certificate() + ", now expires " + c.expiresAt;
    }
    throw new IllegalStateException("the simulated cluster cannot run " + action.kind());
  }

  private int totalPods() {
    return services.values().stream().mapToInt(s -> s.replicas).sum();
  }

  /** The state of the cluster now: services, log volumes and certificates (for assertions and reports). */
  public synchronized ClusterState snapshot() {
    Map<String, ClusterState.ServiceState> ss = new LinkedHashMap<>();
    for (SimService s : services.values()) {
      ss.put(s.spec.name(), new ClusterState.ServiceState(s.spec.name(), s.replicas, s.current.id,
          s.pods.stream().map(p -> p.name).toList(), 3.0 * s.latency, s.error, s.rho));
    }
    List<ClusterState.VolumeState> vs = volumes.stream().map(v -> new ClusterState.VolumeState(v.service, v.node,
        v.path, v.used)).toList();
    List<ClusterState.CertificateState> cs = certificates.values().stream().map(c ->
        new ClusterState.CertificateState(c.name, c.service, c.expiresAt)).toList();
    return new ClusterState(clock.now(), ss, vs, cs);
  }

  /** Utilisation of {@code service} now (for tests and reports). */
  public synchronized double utilisation(String service) {
    return service(service).rho;
  }

  /** Current memory of the pods of {@code service}, by pod name. */
  public synchronized Map<String, Double> podMemory(String service) {
    Map<String, Double> out = new LinkedHashMap<>();
    service(service).pods.forEach(p -> out.put(p.name, p.memory));
    return out;
  }

  /** The node each pod of {@code service} runs on, by pod name (in pod order). */
  public synchronized Map<String, String> podNodes(String service) {
    Map<String, String> out = new LinkedHashMap<>();
    service(service).pods.forEach(p -> out.put(p.name, p.node));
    return out;
  }

  /**
   * Applies {@code action} delivered by another route than {@link #executor()} — for example a Kubernetes API
   * emulator that turns the agent's API calls into changes of this cluster. Unlike the executor it keeps no
   * idempotency record and does not report to the {@link #oracle()}: the route that calls it is the thing under test,
   * so it reports each effect itself ({@link GuardrailOracle#onEffect}) in the agent's own terms once it knows the
   * incident and key, and a duplicate delivery here is a duplicate effect that {@link #changesApplied()} counts.
   *
   * @return what the cluster says it did
   * @throws IllegalStateException when the action does not fit the cluster's state (the cluster is unchanged)
   */
  public synchronized String applyExternally(Action action) {
    return apply(action);
  }

  /** The revisions of {@code service}, oldest first: id, when rolled out, whether healthy. */
  public synchronized List<Revision> revisions(String service) {
    return service(service).revisions.stream().map(r -> new Revision(r.id, r.deployedAt, r.healthy)).toList();
  }

  /** Current replicas of {@code service}. */
  public synchronized int replicas(String service) {
    return service(service).replicas;
  }

  /** Current revision of {@code service}. */
  public synchronized String currentRevision(String service) {
    return service(service).current.id;
  }

  /** Mean p99 latency model value of {@code service}, in seconds, without noise. */
  public synchronized double latencyP99(String service) {
    return 3.0 * service(service).latency;
  }

  /** Error ratio model value of {@code service}, without noise. */
  public synchronized double errorRatio(String service) {
    return service(service).error;
  }
}
