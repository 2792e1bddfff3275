package dev.sreagent.core;

import dev.sreagent.api.model.IncidentState;
import dev.sreagent.core.runtime.BackgroundRunner;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The agent's own state in the Prometheus text exposition format (version 0.0.4), for a {@code /metrics} endpoint
 * of the application that embeds the agent (the standalone app serves it on {@code admin.listen}): every
 * {@link AgentStats} counter as {@code sreagent_..._total} (samples the detectors could not read by
 * {@code detector}), the gauges of actions under way, active incidents by state
 * ({@code sreagent_incidents_active{state="REMEDIATING"}}, every non-terminal state, 0 included), pending approvals
 * and whether the kill switch is engaged, and with a {@link BackgroundRunner} the loop's ticks and the seconds since
 * its last tick ended (what a stalled loop shows first). Names follow Prometheus' conventions (snake case, counters
 * end in {@code _total}, seconds as the unit), so {@code promtool check metrics} passes them.
 *
 * <pre>{@code
 * BackgroundRunner loop = agent.runInBackground(Duration.ofSeconds(1));
 * String body = PrometheusExposition.render(agent, loop);  // Content-Type: PrometheusExposition.CONTENT_TYPE
 * }</pre>
 *
 * <p>Reads only what the agent publishes for other threads ({@link SreAgent#stats()}, the active incidents by state
 * and the pending approvals as of the last tick, the kill switch): never waits for the loop nor queries the incident
 * store, so a scrape answers at once, also when the loop is stuck or the database is away.
 *
 * <p>This is the pull counterpart of the push instruments {@link SreAgentBuilder#setOpenTelemetry} reports
 * ({@code sreagent.signals}, {@code sreagent.actions} by kind and outcome, LLM tokens and cost, one span per incident);
 * use either, or both.
 */
public final class PrometheusExposition {
  /** The Content-Type of what {@link #render} returns. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private PrometheusExposition() {}

  /**
   * The exposition of {@code agent} and, when not null, of the loop {@code runner} that ticks it.
   *
   * @return the text, ending in a newline
   */
  public static String render(SreAgent agent, @Nullable BackgroundRunner runner) {
    Objects.requireNonNull(agent, "agent");
    Writer w = new Writer();
    AgentStats s = agent.stats();
    w.counter("signals_accepted", "telemetry signals taken into the agent's inbox", s.signalsAccepted());
    w.counter("signals_dropped", "signals refused: the inbox was full (back-pressure) or the agent closed",
        s.signalsDropped());
    w.counter("signals_rejected", "signals dropped as invalid (NaN or infinite values)", s.signalsRejected());
    w.header("detector_samples_rejected_total", "counter", "samples each detector could not read (a negative"
        + " latency, a CPU reading far above the limit, out of order, duplicate); the agent's log names the last");
    s.rejectedSamplesByDetector().forEach((detector, n) -> w.sample("detector_samples_rejected_total{detector=\""
        + label(detector) + "\"}", n));
    w.counter("anomalies", "anomalies reported by the detectors", s.anomalies());
    w.counter("anomalies_suppressed", "anomalies that joined no incident while 1000 incidents were active",
        s.anomaliesSuppressed());
    w.counter("incidents_opened", "incidents opened", s.incidentsOpened());
    w.counter("actions_executed", "remediation actions that ran and succeeded", s.actionsExecuted());
    w.counter("actions_failed", "remediation actions that ran and failed", s.actionsFailed());
    w.counter("actions_shadowed", "actions recorded but not run (observe phase)", s.actionsShadowed());
    w.counter("plans_denied", "plans refused by guardrails or with no catalog action", s.plansDenied());
    w.counter("approvals_requested", "plans sent to humans for approval", s.approvalsRequested());
    w.counter("component_failures", "exceptions thrown by plug-ins (detectors, reasoners, notifiers), contained",
        s.componentFailures());
    w.counter("series_evicted", "investigation windows dropped at the series cap", s.seriesEvicted());
    w.counter("log_sources_evicted", "services' recent error logs dropped at the cap", s.logSourcesEvicted());
    w.counter("edges_evicted", "learned call edges dropped at the graph's cap", s.edgesEvicted());
    w.counter("detector_states_evicted", "per-resource detector states dropped at the detectors' caps",
        s.detectorStatesEvicted());
    w.gauge("actions_running", "actions handed to the action threads whose result has not landed yet",
        s.actionsRunning());
    w.gauge("actions_cancelling", "running actions asked to stop that have not returned yet", s.actionsCancelling());
    w.gauge("executor_calls", "calls under way inside the executors, including any past their time limit",
        s.executorCalls());
    Map<IncidentState, Long> active = new EnumMap<>(IncidentState.class);
    for (IncidentState state : IncidentState.values()) {
      if (!state.isTerminal()) {
        active.put(state, 0L);
      }
    }
    active.putAll(s.activeIncidents());
    w.header("incidents_active", "gauge", "active incidents by state, as of the start of the last tick");
    active.forEach((state, n) -> w.sample("incidents_active{state=\"" + state.name() + "\"}", n));
    w.gauge("approvals_pending", "approval requests waiting for a human, as of the last tick",
        agent.pendingApprovals().size());
    w.gauge("kill_switch_engaged", "1 while the kill switch denies every action", agent.killSwitch().engaged() ? 1 : 0);
    if (runner != null) {
      w.counter("loop_ticks", "turns of the agent loop that ended", runner.ticks());
      w.counter("loop_ticks_failed", "turns of the agent loop that ended by an exception (logged)",
          runner.ticksFailed());
      w.header("loop_last_tick_age_seconds", "gauge", "seconds since the last turn of the agent loop ended");
      w.sample("loop_last_tick_age_seconds", runner.sinceLastTick().toNanos() / 1e9);
    }
    return w.text();
  }

  /**
   * One counter family with one label, in the same format, for an adapter's counters served beside the agent's:
   * {@code sreagent_NAME_total{LABEL="key"} value} for each entry, in the map's order.
   */
  public static String counters(String name, String help, String label, Map<String, Long> values) {
    Writer w = new Writer();
    w.header(name + "_total", "counter", help);
    values.forEach((key, n) -> w.sample(name + "_total{" + label + "=\"" + label(key) + "\"}", n));
    return w.text();
  }

  /** One gauge, {@code sreagent_NAME value}, in the same format. */
  public static String gauge(String name, String help, long value) {
    Writer w = new Writer();
    w.gauge(name, help, value);
    return w.text();
  }

  /** A label value as the text format escapes it: backslash, double quote and line feed. */
  public static String label(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** Text exposition lines; names get the {@code sreagent_} prefix. */
  private static final class Writer {
    private final StringBuilder out = new StringBuilder(4096);

    void counter(String name, String help, long value) {
      header(name + "_total", "counter", help);
      sample(name + "_total", value);
    }

    void gauge(String name, String help, long value) {
      header(name, "gauge", help);
      sample(name, value);
    }

    void header(String name, String type, String help) {
      out.append("# HELP sreagent_").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
          .append('\n');
      out.append("# TYPE sreagent_").append(name).append(' ').append(type).append('\n');
    }

    void sample(String nameAndLabels, long value) {
      out.append("sreagent_").append(nameAndLabels).append(' ').append(value).append('\n');
    }

    void sample(String nameAndLabels, double value) {
      out.append("sreagent_").append(nameAndLabels).append(' ').append(String.format(Locale.ROOT, "%.3f", value))
          .append('\n');
    }

    String text() {
      return out.toString();
    }
  }
}
