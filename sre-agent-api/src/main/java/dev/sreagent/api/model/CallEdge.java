package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One call edge of the service graph, learned from trace spans (a client span and its server span), with its
 * statistics.
 *
 * @param from caller
 * @param to callee
 * @param calls calls seen
 * @param errors calls that failed
 * @param meanLatency exponentially weighted mean latency of the server side
 * @param lastSeen when the last call ended
 */
public record CallEdge(String from, String to, long calls, long errors, Duration meanLatency, Instant lastSeen) {
  public CallEdge {
    Require.notBlank(from, "from");
    Require.notBlank(to, "to");
    Objects.requireNonNull(meanLatency, "meanLatency");
    Objects.requireNonNull(lastSeen, "lastSeen");
  }

  /** Fraction of calls that failed. */
  public double errorRate() {
    return calls == 0 ? 0 : (double) errors / calls;
  }
}
