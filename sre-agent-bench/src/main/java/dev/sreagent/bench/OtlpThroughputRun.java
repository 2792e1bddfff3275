package dev.sreagent.bench;

import dev.sreagent.otel.OtlpHttpReceiver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code otlp-throughput}: OTLP/HTTP metrics ingested per second by the receiver on this machine. Clients POST
 * protobuf requests of 1,000 gauge points each (10 services x 10 metrics x 10 pods) over loopback HTTP for
 * {@code --seconds} per round; every point is decoded, validated, mapped, checked against the cardinality limits and
 * handed to a sink. Prints points per second per round and the median of the rounds.
 */
final class OtlpThroughputRun {
  private OtlpThroughputRun() {}

  static int run(int rounds, int seconds, int clients, PrintStream out) throws Exception {
    AtomicLong delivered = new AtomicLong();
    OtlpHttpReceiver receiver = OtlpHttpReceiver.builder().setPort(0).setPointsPerSecond(1e12).build();
    receiver.start(s -> {
      delivered.incrementAndGet();
      return true;
    });
    int port = receiver.port();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    double[] rates = new double[rounds];
    try {
      for (int round = 0; round <= rounds; round++) { // round 0 warms up
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        long before = delivered.get();
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
          running.add(pool.submit(() -> {
            while (System.nanoTime() < until) {
              byte[] body = batch(System.currentTimeMillis() * 1_000_000L).toByteArray();
              HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                  + "/v1/metrics")).header("Content-Type", "application/x-protobuf")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("receiver answered " + r.statusCode());
              }
            }
            return null;
          }));
        }
        for (Future<?> f : running) {
          f.get();
        }
        double rate = (delivered.get() - before) / ((System.nanoTime() - start) / 1e9);
        if (round > 0) {
          rates[round - 1] = rate;
          out.printf(Locale.ROOT, "round %d: %,.0f points/s%n", round, rate);
        }
      }
    } finally {
      pool.shutdownNow();
      receiver.close();
    }
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    out.printf(Locale.ROOT, "otlp-throughput: median %,.0f points/s (protobuf over loopback HTTP, 1,000-point"
        + " requests, %d clients, %d rounds of %d s; %d cores)%n", sorted[sorted.length / 2], clients, rounds,
        seconds, Runtime.getRuntime().availableProcessors());
    return 0;
  }

  /** 1,000 gauge points: 10 services x 10 metrics x 10 pods, all at {@code nanos}. */
  static ExportMetricsServiceRequest batch(long nanos) {
    ExportMetricsServiceRequest.Builder req = ExportMetricsServiceRequest.newBuilder();
    for (int s = 0; s < 10; s++) {
      ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
      for (int m = 0; m < 10; m++) {
        Gauge.Builder g = Gauge.newBuilder();
        for (int p = 0; p < 10; p++) {
          g.addDataPoints(NumberDataPoint.newBuilder().setAsDouble(p * 0.1).setTimeUnixNano(nanos)
              .addAttributes(kv("k8s.pod.name", "svc-" + s + "-pod-" + p)));
        }
        scope.addMetrics(Metric.newBuilder().setName("app.metric." + m).setGauge(g));
      }
      req.addResourceMetrics(ResourceMetrics.newBuilder().setResource(Resource.newBuilder()
          .addAttributes(kv("service.name", "svc-" + s)).addAttributes(kv("k8s.namespace.name", "shop")))
          .addScopeMetrics(scope));
    }
    return req.build();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }
}
