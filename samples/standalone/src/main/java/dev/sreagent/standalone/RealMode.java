package dev.sreagent.standalone;

import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.ModelJson;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.AuditKey;
import dev.sreagent.core.audit.HashChainedAuditLog;
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
 * incident event on standard output (or JSON lines with {@code --json}), the audit log in {@code --audit FILE}
 * (keyed with {@code audit.key-file} or {@code audit.key-env}; {@code --accept-audit-tail REASON} accepts, audited,
 * records its head does not cover).
 * Stops cleanly on SIGTERM / Ctrl-C: the receiver closes, the last tick runs, the audit log is closed.
 */
final class RealMode {
  private RealMode() {}

  static int run(List<String> args, PrintStream out, PrintStream err, @Nullable CountDownLatch stop) {
    RunConfig c = new RunConfig();
    int configAt = args.indexOf("--config");
    if (configAt >= 0) {
      if (configAt + 1 >= args.size()) {
        err.println("--config needs a file (key = value lines; see the README)");
        return 2;
      }
      try {
        c = RunConfig.read(Path.of(args.get(configAt + 1)));
      } catch (java.io.IOException e) {
        err.println(e.getMessage());
        return 2;
      }
    }
    @Nullable String acceptTail = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      try {
        switch (a) {
          case "--config" -> i++;
          case "--otlp" -> c.set("otlp.listen", value(args, ++i, "--otlp must be HOST:PORT"));
          case "--json" -> c.json = true;
          case "--prometheus" -> c.set("prometheus.url", value(args, ++i, "--prometheus needs a URL such as"
              + " http://prometheus:9090"));
          case "--audit" -> c.set("audit.file", value(args, ++i, "--audit needs a file"));
          case "--phase" -> c.set("phase", value(args, ++i, "--phase needs observe, assist or autonomous"));
          case "--accept-audit-tail" -> {
            acceptTail = value(args, ++i, "--accept-audit-tail needs a REASON (recorded in the audit log)");
            if (acceptTail.isBlank() || acceptTail.startsWith("--")) {
              throw new IllegalArgumentException("--accept-audit-tail needs a REASON (recorded in the audit log),"
                  + " but was '" + acceptTail + "'");
            }
          }
          default -> {
            err.println("unknown option '" + a + "' for run; options: --config FILE, --otlp HOST:PORT,"
                + " --prometheus URL, --phase PHASE, --json, --audit FILE, --accept-audit-tail REASON");
            return 2;
          }
        }
      } catch (IllegalArgumentException e) {
        err.println(e.getMessage().replace("otlp.listen", "--otlp").replace("prometheus.url", "--prometheus")
            .replace("audit.file", "--audit"));
        return 2;
      }
    }
    OtlpHttpReceiver.Builder receiver = OtlpHttpReceiver.builder().setHost(c.otlpHost).setPort(c.otlpPort);
    if (c.maxSeriesPerService != null) {
      receiver.setMaxSeriesPerService(c.maxSeriesPerService);
    }
    if (c.maxSeriesPerTenant != null) {
      receiver.setMaxSeriesPerTenant(c.maxSeriesPerTenant);
    }
    if (c.pointsPerSecond != null) {
      receiver.setPointsPerSecond(c.pointsPerSecond);
    }
    if (c.maxSampleAge != null) {
      receiver.setMaxSampleAge(c.maxSampleAge);
    }
    if (c.maxClockSkew != null) {
      receiver.setMaxClockSkew(c.maxClockSkew);
    }
    OtlpHttpReceiver otlp = receiver.build();
    boolean asJson = c.json;
    SreAgent agent;
    try {
      // diagnoses off the loop thread: a language model that takes seconds must not stall the other incidents
      java.util.concurrent.ExecutorService diagnoses = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sre-agent-diagnosis");
        t.setDaemon(true);
        return t;
      });
      var builder = SreAgent.builder().addTelemetrySource(otlp).setAuditFile(c.audit).setDefaultPhase(c.phase)
          .setConfig(c.all).setDiagnosisExecutor(diagnoses)
          .addNotifier(e -> out.println(asJson ? jsonLine(e) : textLine(e)));
      c.phases.forEach(builder::setPhase);
      if (c.auditKeyFile != null) {
        builder.setAuditKey(AuditKey.fromFile(c.auditKeyFile));
      } else if (c.auditKeyEnv != null) {
        builder.setAuditKey(AuditKey.fromEnvironment(c.auditKeyEnv));
      }
      if (acceptTail != null) {
        builder.acceptUnverifiedAuditTail(System.getProperty("user.name", "operator"), acceptTail);
      }
      if (c.guardrails != null) {
        builder.setGuardrailPolicy(c.guardrails);
      }
      if (c.prometheus != null) {
        builder.addTelemetrySource(dev.sreagent.otel.PrometheusSource.builder(c.prometheus)
            .setInterval(c.prometheusInterval).build());
      }
      agent = builder.build();
      agent.start();
    } catch (RuntimeException e) {
      err.println("cannot start: " + e.getMessage());
      return 2;
    }
    out.printf(Locale.ROOT, "sre-agent run: OTLP/HTTP on http://%s:%d (protobuf or JSON; /v1/metrics, /v1/traces,"
        + " /v1/logs, /v1/alertmanager)%s, phase %s, audit %s%s%n", c.otlpHost, otlp.port(),
        c.prometheus == null ? "" : ", polling Prometheus " + c.prometheus, c.phase, c.audit.toAbsolutePath(),
        agent.auditLog() instanceof HashChainedAuditLog log && log.keyed() ? " (keyed)" : " (unkeyed)");
    CountDownLatch done = stop != null ? stop : new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    BackgroundRunner runner = agent.runInBackground(Duration.ofSeconds(1));
    Thread hook = new Thread(() -> { // SIGTERM: let the main thread drain and close before the JVM exits
      done.countDown();
      try {
        finished.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "sre-agent-shutdown");
    if (stop == null) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runner.close();
    otlp.close();
    agent.tick();
    agent.close();
    out.println("sre-agent run: stopped; receiver counters " + otlp.counters());
    out.flush();
    finished.countDown();
    return 0;
  }

  private static String value(List<String> args, int i, String message) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(message);
    }
    return args.get(i);
  }

  static String textLine(IncidentEvent e) {
    // an opening says type, severity and root itself; later events are prefixed with them
    String context = e.kind() == IncidentEvent.Kind.OPENED ? "" : e.incident().type() + " "
        + e.incident().severity() + " " + e.incident().rootService() + ": ";
    return String.format(Locale.ROOT, "%s %s %-18s %s%s", e.at(), e.incident().id(),
        e.kind().name().toLowerCase(Locale.ROOT), context, e.message());
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
