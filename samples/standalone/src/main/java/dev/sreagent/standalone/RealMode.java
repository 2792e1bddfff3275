package dev.sreagent.standalone;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.ModelJson;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.runtime.BackgroundRunner;
import dev.sreagent.otel.OtlpHttpReceiver;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * {@code sre-agent run}: the agent on real telemetry. An OTLP/HTTP receiver (default 127.0.0.1:4318), phase OBSERVE
 * (nothing executes: no executor is configured), the call graph learned from the spans it receives, one line per
 * incident event on standard output (or JSON lines with {@code --json}), the audit log in {@code --audit FILE}.
 * Stops cleanly on SIGTERM / Ctrl-C: the receiver closes, the last tick runs, the audit log is closed.
 */
final class RealMode {
  private RealMode() {}

  static int run(List<String> args, PrintStream out, PrintStream err, @Nullable CountDownLatch stop) {
    String host = "127.0.0.1";
    int port = 4318;
    boolean json = false;
    Path audit = Path.of("sre-agent-data", "audit.jsonl");
    String prometheus = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--otlp" -> {
          String v = i + 1 < args.size() ? args.get(++i) : "";
          int colon = v.lastIndexOf(':');
          try {
            host = v.substring(0, colon);
            port = Integer.parseInt(v.substring(colon + 1));
          } catch (RuntimeException e) {
            err.println("--otlp must be HOST:PORT, but was '" + v + "'");
            return 2;
          }
        }
        case "--json" -> json = true;
        case "--prometheus" -> {
          if (i + 1 >= args.size() || !args.get(i + 1).startsWith("http")) {
            err.println("--prometheus needs a URL such as http://prometheus:9090");
            return 2;
          }
          prometheus = args.get(++i);
        }
        case "--audit" -> {
          if (i + 1 >= args.size()) {
            err.println("--audit needs a file");
            return 2;
          }
          audit = Path.of(args.get(++i));
        }
        default -> {
          err.println("unknown option '" + a + "' for run; options: --otlp HOST:PORT, --prometheus URL, --json,"
              + " --audit FILE");
          return 2;
        }
      }
    }
    OtlpHttpReceiver otlp = OtlpHttpReceiver.builder().setHost(host).setPort(port).build();
    boolean asJson = json;
    SreAgent agent;
    try {
      var builder = SreAgent.builder().addTelemetrySource(otlp).setAuditFile(audit).setDefaultPhase(Phase.OBSERVE)
          .addNotifier(e -> out.println(asJson ? jsonLine(e) : textLine(e)));
      if (prometheus != null) {
        builder.addTelemetrySource(dev.sreagent.otel.PrometheusSource.builder(prometheus).build());
      }
      agent = builder.build();
      agent.start();
    } catch (RuntimeException e) {
      err.println("cannot start: " + e.getMessage());
      return 2;
    }
    out.printf(Locale.ROOT, "sre-agent run: OTLP/HTTP on http://%s:%d (protobuf)%s, phase OBSERVE, audit %s%n",
        host, otlp.port(), prometheus == null ? "" : ", polling Prometheus " + prometheus, audit.toAbsolutePath());
    CountDownLatch done = stop != null ? stop : new CountDownLatch(1);
    BackgroundRunner runner = agent.runInBackground(Duration.ofSeconds(1));
    Thread hook = new Thread(done::countDown, "sre-agent-shutdown");
    if (stop == null) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runner.close();
    agent.tick();
    agent.close();
    out.println("sre-agent run: stopped; receiver counters " + otlp.counters());
    return 0;
  }

  static String textLine(IncidentEvent e) {
    return String.format(Locale.ROOT, "%s %s %-18s %s %s %s: %s", e.at(), e.incident().id(),
        e.kind().name().toLowerCase(Locale.ROOT), e.incident().type(), e.incident().severity(),
        e.incident().rootService(), e.message());
  }

  static String jsonLine(IncidentEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", e.at().toString());
    m.put("incident", e.incident().id());
    m.put("event", e.kind().name().toLowerCase(Locale.ROOT));
    m.put("type", e.incident().type().name());
    m.put("severity", e.incident().severity().name());
    m.put("root", e.incident().rootService());
    m.put("state", e.incident().state().name());
    m.put("message", e.message());
    return ModelJson.write(m);
  }
}
