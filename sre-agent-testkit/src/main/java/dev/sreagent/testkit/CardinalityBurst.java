package dev.sreagent.testkit;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.LogRecord;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.model.Span;
import dev.sreagent.core.SreAgent;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Telemetry of unbounded cardinality, pushed through an agent's {@link SreAgent#sink()}: each key is seen once (a
 * label explosion, a batch job's pods, a misconfigured exporter), none of them ever again. For tests and runners
 * that check the agent stays within its memory bounds and that later incidents still get their evidence.
 *
 * <pre>{@code
 * CardinalityBurst burst = CardinalityBurst.of(h.agent(), h.clock().now());
 * burst.series(1_000_000);     // memory samples, one per new pod
 * burst.logSources(1_000_000); // a WARN line from each of a million new services
 * burst.edges(1_000_000);      // a call between two new services, a CLIENT and a SERVER span each
 * }</pre>
 *
 * <p>Signals are offered in batches of at most {@link #BATCH} with a {@link SreAgent#tick()} after each, so the
 * inbox (100,000 by default) never overflows; the clock does not move. Keys carry a prefix so two bursts into one
 * agent never share a key.
 */
public final class CardinalityBurst {
  /** Signals offered between two ticks. */
  public static final int BATCH = 50_000;

  private final SreAgent agent;
  private final Instant at;
  private int bursts;
  private long offered;
  private long refused;

  private CardinalityBurst(SreAgent agent, Instant at) {
    this.agent = Objects.requireNonNull(agent, "agent");
    this.at = Objects.requireNonNull(at, "at");
  }

  /** Bursts into {@code agent}, every signal stamped {@code at}. */
  public static CardinalityBurst of(SreAgent agent, Instant at) {
    return new CardinalityBurst(agent, at);
  }

  /**
   * {@code count} distinct memory series: one sample each (40% of the limit) of a new pod, spread over 1,000 new
   * services.
   */
  public CardinalityBurst series(int count) {
    String p = prefix();
    return push(count, 1, i -> new MetricSample(MetricNames.MEMORY_UTILIZATION, 0.4, at, Map.of(
        Attributes.SERVICE_NAME, p + "svc-" + i % 1_000, Attributes.K8S_POD_NAME, p + "pod-" + i)));
  }

  /** {@code count} distinct log sources: one WARN line from each of {@code count} new services. */
  public CardinalityBurst logSources(int count) {
    String p = prefix();
    return push(count, 1, i -> new LogRecord(at, p + "logger-" + i, "WARN", "slow request GET /api/items took 812 ms",
        Map.of()));
  }

  /** {@code count} distinct call edges: one call from a new service to another new one (a CLIENT and a SERVER span). */
  public CardinalityBurst edges(int count) {
    String p = prefix();
    Duration d = Duration.ofMillis(12);
    return push(count, 2, k -> {
      int i = k / 2;
      String trace = p + "trace-" + i;
      return k % 2 == 0
          ? new Span(trace, "c", null, p + "caller-" + i, "call", Span.Kind.CLIENT, at, d, false)
          : new Span(trace, "s", "c", p + "callee-" + i, "handle", Span.Kind.SERVER, at, d, false);
    });
  }

  /** Signals offered so far. */
  public long offered() {
    return offered;
  }

  /** Signals the agent's inbox refused (none, unless something else fills the inbox at the same time). */
  public long refused() {
    return refused;
  }

  private String prefix() {
    return "burst" + bursts++ + "-";
  }

  private CardinalityBurst push(int keys, int signalsPerKey, IntFunction<Signal> signal) {
    Require.atLeast(keys, 0, "count");
    long total = (long) keys * signalsPerKey;
    for (long k = 0; k < total; k++) {
      offered++;
      if (!agent.sink().accept(signal.apply((int) k))) {
        refused++;
      }
      if ((k + 1) % BATCH == 0) {
        agent.tick();
      }
    }
    agent.tick();
    return this;
  }
}
