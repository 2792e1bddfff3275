package dev.sreagent.otel;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * An OTLP/HTTP receiver: point an OpenTelemetry SDK or Collector at {@code http://HOST:PORT} (protobuf encoding)
 * and metrics, traces and logs flow into the agent. Requests larger than the limit (default 8 MiB, also after
 * gzip), of the wrong method or content type, or that do not decode are answered with 413 / 405 / 415 / 400 and
 * counted by reason; points that decode but are invalid are dropped, counted and reported back as OTLP partial
 * success. Nothing the client sends can crash it or grow memory without bound.
 *
 * <pre>{@code
 * OtlpHttpReceiver otlp = OtlpHttpReceiver.builder().setPort(4318).build();
 * SreAgent agent = SreAgent.builder().addTelemetrySource(otlp).build();
 * agent.start();   // the receiver starts listening
 * }</pre>
 */
public final class OtlpHttpReceiver implements TelemetrySource {
  /** Default request size limit. */
  public static final int DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
  /** Default limit of distinct metric series per service; samples of new series beyond it are dropped. */
  public static final int DEFAULT_MAX_SERIES_PER_SERVICE = 10_000;
  private static final String PROTOBUF = "application/x-protobuf";

  private final String host;
  private final int port;
  private final int maxBodyBytes;
  private final int maxSeriesPerService;
  private final Map<String, java.util.Set<String>> seriesByService = new ConcurrentHashMap<>();
  private final OtlpMapper mapper = new OtlpMapper();
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private @Nullable HttpServer server;
  private @Nullable TelemetrySink sink;

  private OtlpHttpReceiver(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxSeriesPerService = b.maxSeriesPerService;
  }

  /** A builder: 127.0.0.1:4318, 8 MiB limit. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder of {@link OtlpHttpReceiver}. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 4318;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxSeriesPerService = DEFAULT_MAX_SERIES_PER_SERVICE;

    private Builder() {}

    /** Cardinality limit: distinct metric series per service (label explosions are dropped and counted). */
    public Builder setMaxSeriesPerService(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxSeriesPerService must be >= 1, but was " + max);
      }
      this.maxSeriesPerService = max;
      return this;
    }

    public Builder setHost(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port; 0 picks a free one (see {@link #port()}). */
    public Builder setPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be within [0, 65535], but was " + port);
      }
      this.port = port;
      return this;
    }

    public Builder setMaxBodyBytes(int max) {
      if (max < 1024) {
        throw new IllegalArgumentException("maxBodyBytes must be >= 1024, but was " + max);
      }
      this.maxBodyBytes = max;
      return this;
    }

    public OtlpHttpReceiver build() {
      return new OtlpHttpReceiver(this);
    }
  }

  @Override
  public String name() {
    return "otlp-http";
  }

  @Override
  public synchronized void start(TelemetrySink sink) {
    if (server != null) {
      return;
    }
    this.sink = Objects.requireNonNull(sink, "sink");
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 0);
      s.createContext("/v1/metrics", ex -> handle(ex, "metrics"));
      s.createContext("/v1/traces", ex -> handle(ex, "traces"));
      s.createContext("/v1/logs", ex -> handle(ex, "logs"));
      s.start();
      server = s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The port listened on (after start). */
  public int port() {
    HttpServer s = server;
    if (s == null) {
      throw new IllegalStateException("the receiver is not started");
    }
    return s.getAddress().getPort();
  }

  /** Counters: signals accepted, dropped by the agent, and rejections by reason. */
  public Map<String, Long> counters() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private void count(String key, long n) {
    counters.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(n);
  }

  private void handle(HttpExchange ex, String signal) throws IOException {
    try (ex) {
      if (!ex.getRequestMethod().equals("POST")) {
        reject(ex, 405, "method", "only POST is accepted");
        return;
      }
      String type = ex.getRequestHeaders().getFirst("Content-Type");
      if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(PROTOBUF)) {
        reject(ex, 415, "content-type", "only " + PROTOBUF + " is supported, got " + type);
        return;
      }
      byte[] body;
      try {
        InputStream in = ex.getRequestBody();
        if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
          in = new GZIPInputStream(in);
        }
        body = readLimited(in);
      } catch (IOException e) {
        reject(ex, 400, "body", "unreadable body: " + e.getMessage());
        return;
      }
      if (body == null) {
        reject(ex, 413, "too-large", "request larger than " + maxBodyBytes + " bytes");
        return;
      }
      int[] rejected = {0};
      byte[] response;
      List<Signal> signals;
      try {
        switch (signal) {
          case "metrics" -> {
            synchronized (mapper) {
              signals = mapper.metrics(ExportMetricsServiceRequest.parseFrom(body), rejected);
            }
            ExportMetricsServiceResponse.Builder r = ExportMetricsServiceResponse.newBuilder();
            if (rejected[0] > 0) {
              r.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(rejected[0])
                  .setErrorMessage("invalid data points dropped"));
            }
            response = r.build().toByteArray();
          }
          case "traces" -> {
            signals = mapper.spans(ExportTraceServiceRequest.parseFrom(body), rejected);
            ExportTraceServiceResponse.Builder r = ExportTraceServiceResponse.newBuilder();
            if (rejected[0] > 0) {
              r.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected[0])
                  .setErrorMessage("invalid spans dropped"));
            }
            response = r.build().toByteArray();
          }
          default -> {
            signals = mapper.logs(ExportLogsServiceRequest.parseFrom(body), rejected);
            ExportLogsServiceResponse.Builder r = ExportLogsServiceResponse.newBuilder();
            if (rejected[0] > 0) {
              r.setPartialSuccess(ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(rejected[0])
                  .setErrorMessage("invalid log records dropped"));
            }
            response = r.build().toByteArray();
          }
        }
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        reject(ex, 400, "decode", "not a valid OTLP " + signal + " request: " + e.getMessage());
        return;
      }
      count("rejected.invalid-point", rejected[0]);
      TelemetrySink target = sink;
      long accepted = 0;
      long overflow = 0;
      for (Signal s : signals) {
        if (s instanceof dev.sreagent.api.model.MetricSample m && !admit(m)) {
          overflow++;
          continue;
        }
        if (target != null && target.accept(s)) {
          accepted++;
        }
      }
      count("rejected.cardinality", overflow);
      count("accepted." + signal, accepted);
      count("dropped.backpressure", signals.size() - overflow - accepted);
      ex.getResponseHeaders().set("Content-Type", PROTOBUF);
      ex.sendResponseHeaders(200, response.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(response);
      }
    }
  }

  /** Whether the sample's series is known or may still be added under the service's cardinality limit. */
  private boolean admit(dev.sreagent.api.model.MetricSample m) {
    java.util.Set<String> known = seriesByService.computeIfAbsent(m.service(), k -> ConcurrentHashMap.newKeySet());
    String key = m.seriesKey();
    if (known.contains(key)) {
      return true;
    }
    synchronized (known) {
      if (known.size() >= maxSeriesPerService) {
        return false;
      }
      known.add(key);
      return true;
    }
  }

  private byte @Nullable [] readLimited(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    int n;
    while ((n = in.read(buf)) >= 0) {
      out.write(buf, 0, n);
      if (out.size() > maxBodyBytes) {
        return null;
      }
    }
    return out.toByteArray();
  }

  private void reject(HttpExchange ex, int status, String reason, String message) throws IOException {
    count("rejected." + reason, 1);
    byte[] bytes = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }
}
