package dev.sreagent.standalone;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sreagent.core.PrometheusExposition;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.runtime.BackgroundRunner;
import dev.sreagent.otel.OtlpHttpReceiver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints an operator and a kubelet read ({@code admin.listen}), bound before the agent is built so a taken
 * port stops the start before anything else runs:
 * <ul>
 *   <li>{@code GET /metrics}: the agent's {@link PrometheusExposition} and the OTLP receiver's counters
 *       ({@code sreagent_otlp_received_total{counter=...}}, {@code sreagent_otlp_series}), with Slack approvals
 *       their counters ({@code sreagent_slack_total{counter=...}}), with Teams approvals
 *       {@code sreagent_teams_total{counter=...}}; 503 while the agent is
 *       being built;
 *   <li>{@code GET /healthz} (liveness): 200 while the agent is built and while its loop finished a tick within
 *       {@code admin.stall-after}; 503 naming how long the loop has stood still, or the {@link Error} that stopped it
 *       (a kubelet then restarts the pod, and the rule detectors resume from their snapshot); 200 "stopping" during a
 *       clean stop;
 *   <li>{@code GET /readyz}: 200 from the start of the loop until the stop begins, 503 "starting" / "stopping".
 * </ul>
 * No endpoint waits for the loop or queries the incident store. Requests run on {@value #THREADS} threads of their
 * own, so one slow client does not hold up a probe. Plain HTTP, no authentication: bind it to the pod's address for
 * the kubelet and Prometheus (and keep others out with a NetworkPolicy), or to loopback.
 */
final class AdminServer implements AutoCloseable {
  private static final String TEXT = "text/plain; charset=utf-8";
  static final int THREADS = 4;

  private final HttpServer http;
  private final ExecutorService threads;
  private final Duration stallAfter;
  private volatile @Nullable SreAgent agent;
  private volatile @Nullable OtlpHttpReceiver otlp;
  private volatile java.util.function.@Nullable Supplier<Map<String, Long>> slack;
  private volatile java.util.function.@Nullable Supplier<Map<String, Long>> teams;
  private volatile @Nullable BackgroundRunner loop;
  /** Why {@code /readyz} answers 503, or null when ready. */
  private volatile @Nullable String notReady = "starting";
  private volatile boolean stopping;

  /**
   * Binds {@code host:port} (0 for a free port) and answers at once: alive, not ready, no metrics yet.
   *
   * @throws IOException when the address cannot be bound (taken, or not an address of this host)
   */
  AdminServer(String host, int port, Duration stallAfter) throws IOException {
    this.stallAfter = stallAfter;
    http = HttpServer.create(new InetSocketAddress(host, port), 0);
    threads = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "sre-agent-admin");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(threads);
    http.createContext("/metrics", ex -> {
      if (get(ex)) {
        SreAgent a = agent;
        OtlpHttpReceiver o = otlp;
        if (a == null || o == null) {
          DashboardServer.reply(ex, 503, TEXT, "starting: no agent yet\n");
        } else {
          DashboardServer.reply(ex, 200, PrometheusExposition.CONTENT_TYPE,
              PrometheusExposition.render(a, loop) + receiver(o) + slack(slack) + teams(teams));
        }
      }
    });
    http.createContext("/healthz", ex -> {
      if (get(ex)) {
        String problem = problem();
        DashboardServer.reply(ex, problem == null ? 200 : 503, TEXT, problem == null ? (stopping ? "stopping\n"
            : "ok\n") : problem);
      }
    });
    http.createContext("/readyz", ex -> {
      if (get(ex)) {
        String why = notReady;
        DashboardServer.reply(ex, why == null ? 200 : 503, TEXT, why == null ? "ready\n" : why + "\n");
      }
    });
    http.start();
  }

  /** What makes the agent not alive, or null (starting and stopping count as alive). */
  private @Nullable String problem() {
    BackgroundRunner r = loop;
    if (r == null || stopping || r.alive(stallAfter)) {
      return null;
    }
    Throwable error = r.stoppedBy().orElse(null);
    if (error != null) {
      return "the agent loop was stopped by " + error + "; restart the agent\n";
    }
    return String.format(Locale.ROOT, "the agent loop has not finished a tick for %.0f s (admin.stall-after %d s);"
        + " %d ticks so far, %d failed%n", r.sinceLastTick().toMillis() / 1000.0, stallAfter.toSeconds(), r.ticks(),
        r.ticksFailed());
  }

  /** The agent and its receiver are built: {@code /metrics} answers from now on. */
  void attach(SreAgent agent, OtlpHttpReceiver otlp) {
    this.otlp = otlp;
    this.agent = agent;
  }

  /** Slack approvals are on: their counters are served too. */
  void attachSlack(java.util.function.Supplier<Map<String, Long>> counters) {
    this.slack = counters;
  }

  /** Teams approvals are on: their counters are served too. */
  void attachTeams(java.util.function.Supplier<Map<String, Long>> counters) {
    this.teams = counters;
  }

  /** {@code sreagent_slack_total{counter=...}}, or nothing without Slack. */
  static String slack(java.util.function.@Nullable Supplier<Map<String, Long>> counters) {
    if (counters == null) {
      return "";
    }
    return PrometheusExposition.counters("slack", "the Slack approvals' counters: posted.*, updated, retried,"
        + " accepted.approve|reject, commands.*, refused.REASON (callbacks refused: signature, unsigned, stale,"
        + " replayed, busy, team, malformed, body, not-approver, not-pending), failed (calls to Slack given up or"
        + " dropped) and failed.CODE by Slack's error code; do not sum across counters", "counter", counters.get());
  }

  /** {@code sreagent_teams_total{counter=...}}, or nothing without Teams. */
  static String teams(java.util.function.@Nullable Supplier<Map<String, Long>> counters) {
    if (counters == null) {
      return "";
    }
    return PrometheusExposition.counters("teams", "the Teams approvals' counters: posted.*, updated, retried,"
        + " accepted.approve|reject, refused.REASON (activities refused: signature, unsigned, stale, replayed, keys,"
        + " busy, tenant, conversation, malformed, body, not-approver, not-pending), ignored, failed (calls to Teams"
        + " given up or dropped) and failed.CODE by the Connector's error code; do not sum across counters", "counter",
        counters.get());
  }

  /** The loop runs: {@code /healthz} follows it and {@code /readyz} answers 200. */
  void running(BackgroundRunner loop) {
    this.loop = loop;
    notReady = null;
  }

  /** The stop began: {@code /readyz} answers 503 "stopping", {@code /healthz} 200 "stopping". */
  void stopping() {
    stopping = true;
    notReady = "stopping";
  }

  int port() {
    return http.getAddress().getPort();
  }

  static String receiver(OtlpHttpReceiver otlp) {
    return PrometheusExposition.counters("otlp_received", "the OTLP receiver's counters: accepted.SIGNAL and the"
        + " invalid points by reason count items; a refused request (size, content type, decode, rate limit) counts"
        + " once; do not sum across counters", "counter", otlp.counters())
        + PrometheusExposition.gauge("otlp_series", "live metric series under the receiver's cardinality limits",
            otlp.liveSeries());
  }

  /** Whether the request is a GET of exactly the context's path; answers 404 or 405 otherwise. */
  private static boolean get(HttpExchange ex) throws IOException {
    if (!ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath())) {
      DashboardServer.reply(ex, 404, TEXT, "not found: /metrics, /healthz or /readyz\n");
      return false;
    }
    if (!ex.getRequestMethod().equals("GET")) {
      DashboardServer.reply(ex, 405, TEXT, "GET only\n");
      return false;
    }
    return true;
  }

  @Override
  public void close() {
    http.stop(0);
    threads.shutdownNow();
  }
}
