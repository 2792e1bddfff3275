package dev.sreagent.testkit.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Signal;
import dev.sreagent.core.ModelJson;
import dev.sreagent.testkit.Fault;
import dev.sreagent.testkit.SimulatedCluster;
import dev.sreagent.testkit.VirtualClock;
import dev.sreagent.testkit.internal.JsonHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a {@link SimulatedCluster} on 127.0.0.1 to an agent in another process:
 * <ul>
 *   <li>{@code POST /step} — advance one step; returns {@code {"now":..,"done":..,"signals":[..]}};
 *   <li>{@code GET /topology} — the topology as model JSON;
 *   <li>{@code POST /execute} — body {@code {"action":..,"context":..}}; returns an {@code ActionResult};
 *   <li>{@code GET /reconcile?key=K} — the result of key K, or 404.
 * </ul>
 * With {@link #expectAgents} several agents drive one cluster in lockstep: each asks {@code POST /step?agent=ID},
 * the cluster advances once every live agent has asked, and all of them get the same signals (they read the same
 * telemetry, as replicas sharing the work do); {@link #dropAgent} takes a killed agent out of the lockstep.
 * {@code POST /execute?agent=ID} names the agent for {@link #setAfterEffectOf}.
 * Faults are injected at scheduled simulated times. A hook runs after an action has taken effect and before the
 * answer is sent: crash tests kill the agent there.
 */
public final class ClusterServer implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final VirtualClock clock;
  private final SimulatedCluster cluster;
  private final Duration step;
  private final Instant end;
  private final NavigableMap<Instant, Fault> faults = new TreeMap<>();
  private final HttpServer http;
  private final List<Signal> pending = new ArrayList<>();
  private final AtomicInteger steps = new AtomicInteger();
  private volatile Runnable afterEffect = () -> { };
  private volatile Runnable afterStep = () -> { };
  private volatile java.util.function.Consumer<String> afterEffectOf = agent -> { };
  /** Lockstep: the agents expected at every step, and those that asked for the coming one. */
  private final java.util.Set<String> lockstep = new java.util.LinkedHashSet<>();
  private final java.util.Set<String> arrived = new java.util.HashSet<>();
  private long round;
  private String lastReply = "";
  /** While held, the lockstep does not advance: the agents wait in {@code /step} (see {@link #hold}). */
  private boolean held;

  public ClusterServer(long seed, Duration step, Duration length, Map<Duration, Fault> schedule) throws IOException {
    this.clock = new VirtualClock();
    this.cluster = SimulatedCluster.builder().setSeed(seed).setClock(clock).build();
    this.step = step;
    this.end = clock.now().plus(length);
    schedule.forEach((at, f) -> faults.put(clock.now().plus(at), f));
    cluster.start(pending::add);
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/step", this::step);
    http.createContext("/topology", ex -> JsonHttp.reply(ex, 200, ModelJson.write(cluster.topology())));
    http.createContext("/execute", this::execute);
    http.createContext("/reconcile", this::reconcile);
    http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "cluster-server");
      t.setDaemon(true);
      return t;
    })); // lockstep steps wait for each other: one thread per request
    http.start();
  }

  /** The base URL, for example {@code http://127.0.0.1:40123}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  /** The cluster (its oracle, executor ledger, state). */
  public SimulatedCluster cluster() {
    return cluster;
  }

  /** Steps served so far. */
  public int steps() {
    return steps.get();
  }

  /** Whether simulated time reached the end. */
  public boolean finished() {
    return !clock.now().isBefore(end);
  }

  /**
   * Runs after each step of the cluster, before the step's reply goes out (on the server's thread, the cluster
   * quiet): what else changes the cluster from outside on its own pace, such as a GitOps controller's sync.
   */
  public void setAfterStep(Runnable hook) {
    this.afterStep = java.util.Objects.requireNonNull(hook, "hook");
  }

  /** Runs after each action takes effect, before the answer goes out. */
  public void setAfterEffect(Runnable hook) {
    this.afterEffect = hook;
  }

  /**
   * Lockstep for several agents: from now on the cluster advances once all of {@code agents} (still live) asked for
   * the step, and every one of them gets the same reply.
   */
  public synchronized void expectAgents(java.util.Collection<String> agents) {
    lockstep.clear();
    lockstep.addAll(agents);
    notifyAll();
  }

  /** Takes a killed agent out of the lockstep: the others no longer wait for it. */
  public synchronized void dropAgent(String agent) {
    lockstep.remove(agent);
    arrived.remove(agent);
    if (!held && !lockstep.isEmpty() && arrived.containsAll(lockstep)) {
      advanceRound();
    }
    notifyAll();
  }

  /**
   * Stops simulated time for the lockstep agents until {@link #release}: they wait in {@code /step} for the next
   * round. In lockstep a second of wall time can be many simulated minutes; a failover test holds the cluster from
   * the kill until the survivors have seen the member gone (a few seconds of wall time, during which a real cluster
   * barely moves), so the new owner meets the incident as it was when its owner died, not minutes later.
   */
  public synchronized void hold() {
    held = true;
  }

  /** Lets a {@link #hold held} lockstep advance again. */
  public synchronized void release() {
    held = false;
    if (!lockstep.isEmpty() && arrived.containsAll(lockstep)) {
      advanceRound();
    }
    notifyAll();
  }

  /** Runs after each action takes effect, with the id of the agent that asked ({@code ?agent=}), before the answer. */
  public void setAfterEffectOf(java.util.function.Consumer<String> hook) {
    this.afterEffectOf = hook;
  }

  private static String agentOf(HttpExchange ex) {
    String q = ex.getRequestURI().getQuery();
    return q != null && q.startsWith("agent=") ? q.substring("agent=".length()) : "";
  }

  private synchronized void step(HttpExchange ex) throws IOException {
    String agent = agentOf(ex);
    if (lockstep.isEmpty() || !lockstep.contains(agent)) {
      JsonHttp.reply(ex, 200, advanceOnce());
      return;
    }
    long mine = round;
    arrived.add(agent);
    if (!held && arrived.containsAll(lockstep)) {
      advanceRound();
      notifyAll();
    }
    while (round == mine) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted in lockstep", e);
      }
    }
    JsonHttp.reply(ex, 200, lastReply);
  }

  private void advanceRound() {
    lastReply = advanceOnce();
    arrived.clear();
    round++;
  }

  private String advanceOnce() throws java.io.UncheckedIOException {
    boolean done = finished();
    List<SignalDto> out = new ArrayList<>();
    if (!done) {
      Instant now = clock.now();
      while (!faults.isEmpty() && !faults.firstKey().isAfter(now)) {
        faults.pollFirstEntry().getValue().apply(cluster);
      }
      cluster.advance(step);
      steps.incrementAndGet();
      afterStep.run();
      for (Signal s : pending) {
        SignalDto d = SignalDto.of(s);
        if (d != null) {
          out.add(d);
        }
      }
      pending.clear();
    }
    try {
      return MAPPER.writeValueAsString(Map.of("now", clock.now().toString(), "done", done, "signals", out));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void execute(HttpExchange ex) throws IOException {
    var body = MAPPER.readTree(ex.getRequestBody().readAllBytes());
    Action action = ModelJson.read(body.get("action").toString(), Action.class);
    ExecutionContext ctx = ModelJson.read(body.get("context").toString(), ExecutionContext.class);
    ActionResult r = cluster.executor().execute(action, ctx);
    afterEffect.run();
    afterEffectOf.accept(agentOf(ex));
    JsonHttp.reply(ex, 200, ModelJson.write(r));
  }

  private void reconcile(HttpExchange ex) throws IOException {
    String q = ex.getRequestURI().getQuery();
    String key = q == null ? "" : q.replaceFirst("^key=", "");
    Optional<ActionResult> r = cluster.executor().reconcile(key);
    if (r.isPresent()) {
      JsonHttp.reply(ex, 200, ModelJson.write(r.get()));
    } else {
      JsonHttp.reply(ex, 404, "{}");
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
