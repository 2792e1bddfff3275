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

  /** Runs after each action takes effect, before the answer goes out. */
  public void setAfterEffect(Runnable hook) {
    this.afterEffect = hook;
  }

  private synchronized void step(HttpExchange ex) throws IOException {
    boolean done = finished();
    List<SignalDto> out = new ArrayList<>();
    if (!done) {
      Instant now = clock.now();
      while (!faults.isEmpty() && !faults.firstKey().isAfter(now)) {
        faults.pollFirstEntry().getValue().apply(cluster);
      }
      cluster.advance(step);
      steps.incrementAndGet();
      for (Signal s : pending) {
        SignalDto d = SignalDto.of(s);
        if (d != null) {
          out.add(d);
        }
      }
      pending.clear();
    }
    JsonHttp.reply(ex, 200, MAPPER.writeValueAsString(Map.of("now", clock.now().toString(), "done", done, "signals", out)));
  }

  private void execute(HttpExchange ex) throws IOException {
    var body = MAPPER.readTree(ex.getRequestBody().readAllBytes());
    Action action = ModelJson.read(body.get("action").toString(), Action.class);
    ExecutionContext ctx = ModelJson.read(body.get("context").toString(), ExecutionContext.class);
    ActionResult r = cluster.executor().execute(action, ctx);
    afterEffect.run();
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
