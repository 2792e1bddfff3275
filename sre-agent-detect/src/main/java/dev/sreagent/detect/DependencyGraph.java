package dev.sreagent.detect;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.CallEdge;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Span;
import dev.sreagent.api.model.Topology;
import dev.sreagent.api.port.CallGraph;
import dev.sreagent.api.state.BoundedKeyedState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.jspecify.annotations.Nullable;

/**
 * The service dependency graph learned from trace spans: a CLIENT span of service A whose child is a SERVER span
 * of service B is a call A -> B; a client-side metric of A naming B as {@code peer.service} is an edge A -> B too
 * ({@link #observeCall}). Per edge it keeps the call count, error count and mean latency (exponentially
 * weighted), and when it was last seen; edges not seen for {@code staleAfter} of the newest span are dropped as
 * spans arrive. At most {@code maxEdges} edges are kept ({@link BoundedKeyedState}: an edge called once makes way
 * first, so a burst of one-off edges never displaces the edges of regular calls; counted in {@link #evictedEdges()}).
 * Spans may arrive in any order (the child first); unmatched halves are kept for at most {@link #MAX_PENDING} spans
 * each (the oldest go first). Not thread-safe: fed by the agent loop.
 */
public final class DependencyGraph implements CallGraph {
  /** Default expiry of an edge with no calls. */
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(10);
  /** Unmatched span halves kept at most. */
  public static final int MAX_PENDING = 50_000;
  /** Default cap on the edges kept: a cluster's worth of call edges. */
  public static final int DEFAULT_MAX_EDGES = 50_000;
  /** How often (in span time) stale edges are dropped from the idle end as spans arrive. */
  private static final Duration EXPIRE_EVERY = Duration.ofSeconds(15);

  private static final class EdgeStats {
    long calls;
    long errors;
    double meanNanos;
    Instant lastSeen = Instant.EPOCH;
  }

  private final Duration staleAfter;
  private final Map<String, String> clientSpans = new LinkedHashMap<>(16, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > MAX_PENDING;
    }
  };
  private final Map<String, Span> orphanServers = new LinkedHashMap<>(16, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Span> eldest) {
      return size() > MAX_PENDING;
    }
  };
  private final BoundedKeyedState<String, EdgeStats> edges;
  private @Nullable Instant latest;
  private @Nullable Instant nextExpiry;
  /** Edges last seen before this are stale. */
  private Instant staleBefore = Instant.MIN;
  private final BiPredicate<String, EdgeStats> stale = (k, e) -> e.lastSeen.isBefore(staleBefore);

  /** With the default expiry and cap. */
  public DependencyGraph() {
    this(DEFAULT_STALE_AFTER);
  }

  /** With the default cap. */
  public DependencyGraph(Duration staleAfter) {
    this(staleAfter, DEFAULT_MAX_EDGES);
  }

  public DependencyGraph(Duration staleAfter, int maxEdges) {
    this.staleAfter = Require.positive(staleAfter, "staleAfter");
    this.edges = new BoundedKeyedState<>(Require.atLeast(maxEdges, 1, "maxEdges"));
  }

  /** Learns from one span. */
  @Override
  public void observe(Span span) {
    advance(span.timestamp().plus(span.duration()));
    if (span.kind() == Span.Kind.CLIENT || span.kind() == Span.Kind.PRODUCER) {
      String key = span.traceId() + "/" + span.spanId();
      Span server = orphanServers.remove(key);
      if (server != null) {
        record(span.service(), server);
      } else {
        clientSpans.put(key, span.service());
      }
    } else if ((span.kind() == Span.Kind.SERVER || span.kind() == Span.Kind.CONSUMER)
        && span.parentSpanId() != null) {
      String key = span.traceId() + "/" + span.parentSpanId();
      String caller = clientSpans.remove(key);
      if (caller != null) {
        record(caller, span);
      } else {
        orphanServers.put(key, span);
      }
    }
  }

  /**
   * Learns the edge {@code caller -> callee} from a client-side metric sample (see {@link CallGraph#observeCall}): it
   * is live, and expires, as one learned from spans; no call is counted (a sample is not a call). A blank name or a
   * self-call is ignored.
   */
  @Override
  public void observeCall(String caller, String callee, Instant at) {
    if (caller.isBlank() || callee.isBlank() || caller.equals(callee)) {
      return;
    }
    advance(at);
    EdgeStats e = edges.computeIfAbsent(caller + "->" + callee, k -> new EdgeStats());
    if (at.isAfter(e.lastSeen)) {
      e.lastSeen = at;
    }
  }

  /** Moves the graph's clock to {@code end} when it is the newest time seen, dropping stale edges now and then. */
  private void advance(Instant end) {
    if (latest == null || end.isAfter(latest)) {
      latest = end;
      if (nextExpiry == null || !end.isBefore(nextExpiry)) {
        nextExpiry = end.plus(EXPIRE_EVERY);
        staleBefore = end.minus(staleAfter);
        edges.expire(stale);
      }
    }
  }

  private void record(String caller, Span server) {
    if (caller.equals(server.service())) {
      return;
    }
    EdgeStats e = edges.computeIfAbsent(caller + "->" + server.service(), k -> new EdgeStats());
    e.calls++;
    if (server.error()) {
      e.errors++;
    }
    double nanos = server.duration().toNanos();
    e.meanNanos = e.calls == 1 ? nanos : e.meanNanos + 0.1 * (nanos - e.meanNanos);
    Instant end = server.timestamp().plus(server.duration());
    if (end.isAfter(e.lastSeen)) {
      e.lastSeen = end;
    }
  }

  /**
   * The live edges, those seen within {@code staleAfter} of the newest span, by caller and then callee. Drops the
   * stale ones.
   */
  @Override
  public List<CallEdge> edges() {
    List<CallEdge> out = liveEdges();
    out.sort(Comparator.comparing(CallEdge::from).thenComparing(CallEdge::to));
    return out;
  }

  private List<CallEdge> liveEdges() {
    if (latest != null) {
      staleBefore = latest.minus(staleAfter);
      edges.removeIf(stale);
    }
    List<CallEdge> out = new ArrayList<>(edges.size());
    edges.forEach((key, e) -> {
      String[] ends = key.split("->", 2);
      out.add(new CallEdge(ends[0], ends[1], e.calls, e.errors, Duration.ofNanos((long) e.meanNanos), e.lastSeen));
    });
    return out;
  }

  /** Edges kept now (at most the cap). */
  public int trackedEdges() {
    return edges.size();
  }

  /** Edges dropped to make room for new ones because the cap was reached, since creation. */
  @Override
  public long evictedEdges() {
    return edges.evictions();
  }

  /**
   * {@code base} with the learned call edges added (and services that appear only in spans added with what is
   * known: nothing about replicas, so guardrails that need them will refuse to act on those services).
   */
  @Override
  public Topology mergeInto(Topology base) {
    List<CallEdge> live = liveEdges();
    if (live.isEmpty()) {
      return base;
    }
    Set<Topology.Dependency> deps = new HashSet<>(base.dependencies());
    Map<String, ServiceInfo> services = new LinkedHashMap<>(base.services());
    for (CallEdge e : live) {
      deps.add(new Topology.Dependency(e.from(), e.to()));
    }
    return new Topology(services, deps);
  }
}
