package dev.sreagent.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small service graph in its own process, instrumented with the real OpenTelemetry SDK (metrics, traces and logs,
 * OTLP http/protobuf exporters): {@code frontend -> checkout -> payments} and {@code frontend -> catalog}. Every
 * request is a server span per service with client spans between them (context propagated in-process), an
 * {@code http.server.request.duration} record per service, and an error log where it fails. From step
 * {@code faultStep} on, payments fails 30% of its requests and the failure propagates to checkout and frontend.
 *
 * <p>The SDK runs on a simulated clock that advances 10 s per step and exports after every step, so that 30 minutes
 * of telemetry (ending at the wall-clock time the process started) arrive in seconds. Arguments:
 * {@code ENDPOINT STEPS FAULT_STEP}.
 */
public final class ServiceGraphMain {
  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  private static final long STEP_NANOS = Duration.ofSeconds(10).toNanos();

  private ServiceGraphMain() {}

  /** One instrumented service: its tracer, latency histogram, logger and providers. */
  private record Service(String name, Tracer tracer, DoubleHistogram duration, Logger log, SdkMeterProvider meters,
      SdkTracerProvider traces, SdkLoggerProvider logs) {
    static Service create(String name, String endpoint, Clock clock) {
      Resource res = Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"),
          name, AttributeKey.stringKey("k8s.namespace.name"), "shop")));
      SdkMeterProvider meters = SdkMeterProvider.builder().setResource(res).setClock(clock)
          .registerMetricReader(PeriodicMetricReader.builder(OtlpHttpMetricExporter.builder()
              .setEndpoint(endpoint + "/v1/metrics").build()).setInterval(Duration.ofHours(1)).build()).build();
      SdkTracerProvider traces = SdkTracerProvider.builder().setResource(res).setClock(clock)
          .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
              .setEndpoint(endpoint + "/v1/traces").build()).build()).build();
      SdkLoggerProvider logs = SdkLoggerProvider.builder().setResource(res).setClock(clock)
          .addLogRecordProcessor(BatchLogRecordProcessor.builder(OtlpHttpLogRecordExporter.builder()
              .setEndpoint(endpoint + "/v1/logs").build()).build()).build();
      DoubleHistogram h = meters.get("shop").histogramBuilder("http.server.request.duration").setUnit("s")
          .setExplicitBucketBoundariesAdvice(List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)).build();
      return new Service(name, traces.get("shop"), h, logs.get("shop"), meters, traces, logs);
    }

    void flush() {
      meters.forceFlush().join(30, TimeUnit.SECONDS);
      traces.forceFlush().join(30, TimeUnit.SECONDS);
      logs.forceFlush().join(30, TimeUnit.SECONDS);
    }

    void close() {
      meters.close();
      traces.close();
      logs.close();
    }
  }

  public static void main(String[] args) {
    String endpoint = args[0];
    int steps = Integer.parseInt(args[1]);
    int faultStep = Integer.parseInt(args[2]);
    long end = System.currentTimeMillis() * 1_000_000L;
    AtomicLong now = new AtomicLong(end - steps * STEP_NANOS);
    Clock clock = new Clock() {
      @Override
      public long now() {
        return now.get();
      }

      @Override
      public long nanoTime() {
        return now.get();
      }
    };
    Service frontend = Service.create("frontend", endpoint, clock);
    Service checkout = Service.create("checkout", endpoint, clock);
    Service payments = Service.create("payments", endpoint, clock);
    Service catalog = Service.create("catalog", endpoint, clock);
    List<Service> all = List.of(frontend, checkout, payments, catalog);
    Random random = new Random(7);
    for (int step = 0; step < steps; step++) {
      boolean fault = step >= faultStep;
      for (int i = 0; i < 40; i++) {
        Span root = frontend.tracer().spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER).startSpan();
        boolean failed = call(frontend, root, checkout, "POST /checkout", random, () -> {
          Span inCheckout = Span.current();
          return call(checkout, inCheckout, payments, "POST /pay", random,
              () -> fault && random.nextDouble() < 0.3);
        });
        call(frontend, root, catalog, "GET /items", random, () -> false);
        end(frontend, root, failed, 0.05 + random.nextDouble() * 0.02);
      }
      now.addAndGet(STEP_NANOS);
      all.forEach(Service::flush);
    }
    all.forEach(Service::close);
    System.out.println("service graph done: " + steps + " steps of 10 s, fault from step " + faultStep);
  }

  private interface Work {
    boolean failed();
  }

  /** A client span in {@code from}, a server span in {@code to} under it; returns whether the call failed. */
  private static boolean call(Service from, Span parent, Service to, String op, Random random, Work work) {
    Span client = from.tracer().spanBuilder(op).setSpanKind(SpanKind.CLIENT).setParent(Context.root().with(parent))
        .startSpan();
    Span server = to.tracer().spanBuilder(op).setSpanKind(SpanKind.SERVER).setParent(Context.root().with(client))
        .startSpan();
    boolean failed;
    try (var scope = server.makeCurrent()) {
      failed = work.failed();
    }
    end(to, server, failed, 0.01 + random.nextDouble() * 0.01);
    if (failed) {
      client.setStatus(StatusCode.ERROR);
    }
    client.end();
    return failed;
  }

  private static void end(Service s, Span span, boolean failed, double seconds) {
    if (failed) {
      span.setStatus(StatusCode.ERROR);
      s.log().logRecordBuilder().setSeverity(Severity.ERROR).setBody(s.name() + ": request failed: upstream error")
          .setContext(Context.root().with(span)).emit();
    }
    s.duration().record(seconds, Attributes.of(STATUS, failed ? 500L : 200L));
    span.end();
  }

  static List<String> command(String endpoint, int steps, int faultStep) {
    List<String> cmd = new ArrayList<>(List.of(
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ServiceGraphMain.class.getName(), endpoint,
        Integer.toString(steps), Integer.toString(faultStep)));
    return cmd;
  }
}
