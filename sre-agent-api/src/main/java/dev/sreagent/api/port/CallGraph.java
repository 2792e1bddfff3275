package dev.sreagent.api.port;

import dev.sreagent.api.model.CallEdge;
import dev.sreagent.api.model.Span;
import dev.sreagent.api.model.Topology;
import java.util.List;

/**
 * The call graph the agent learns from trace spans, added to the topology provider's: where a cascade starts and
 * which services an incident may reach. The agent calls it from its loop's thread only. The default comes from
 * {@code sre-agent-detect} ({@code DependencyGraph}: edges expire 10 minutes after their last call, at most 50,000).
 */
public interface CallGraph {
  /** Learns from one span (a client span and its server span make an edge). */
  void observe(Span span);

  /**
   * Learns a call seen in a metric rather than a span: a client-side series of {@code caller} that names its callee
   * ({@code peer.service}, e.g. {@code http.client.request.duration} per edge), sampled at {@code at}. Metrics-only
   * telemetry then still tells the agent who calls whom. The default ignores it.
   */
  default void observeCall(String caller, String callee, java.time.Instant at) {
    // nothing learned
  }

  /** The live edges, by caller and then callee. */
  List<CallEdge> edges();

  /** {@code base} with the live learned edges added. */
  Topology mergeInto(Topology base);

  /** Edges dropped to make room for new ones because a cap was reached, since creation. */
  default long evictedEdges() {
    return 0;
  }

  /** Learns nothing: the topology provider's graph alone. */
  static CallGraph noop() {
    return new CallGraph() {
      @Override
      public void observe(Span span) {
        // nothing learned
      }

      @Override
      public List<CallEdge> edges() {
        return List.of();
      }

      @Override
      public Topology mergeInto(Topology base) {
        return base;
      }
    };
  }
}
