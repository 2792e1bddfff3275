package dev.sreagent.otel;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sreagent.api.Require;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.TelemetrySink;
import dev.sreagent.api.port.TelemetrySource;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * An OTLP/HTTP receiver: point an OpenTelemetry SDK or Collector at {@code http://HOST:PORT} and metrics
 * ({@code /v1/metrics}), traces ({@code /v1/traces}) and logs ({@code /v1/logs}) flow into the agent, in the
 * protobuf or the JSON encoding, optionally gzip-compressed. {@code /v1/alertmanager} takes Alertmanager webhook
 * notifications, so that existing alerts open or enrich incidents.
 *
 * <p>Defence against bad input, every rejection counted by reason ({@link #counters()}, and as the
 * {@code sreagent.otlp.requests} and {@code sreagent.otlp.items} metrics through the OpenTelemetry API):
 * <ul>
 *   <li>request size (default 8 MiB, also after gzip) → 413; wrong method → 405; content type → 415; a body that does
 *       not decode → 400 with a message that says what is wrong;
 *   <li>points per second per tenant (token bucket; the tenant is the {@code X-Scope-OrgID} header, or
 *       {@code default}) → 429 with {@code Retry-After}, checked before anything is mapped, so a retry loses nothing;
 *   <li>points that decode but are invalid (NaN/inf, no time, older than {@link Builder#setMaxSampleAge} or further
 *       ahead than {@link Builder#setMaxClockSkew}, negative counters, inconsistent histograms, spans without ids)
 *       are dropped and reported back as OTLP partial success with counts by reason;
 *   <li>cardinality: live series per tenant, per service and the number of tenants are capped; new series beyond a
 *       cap follow the {@link OverflowPolicy}.
 * </ul>
 * Nothing a client sends can crash it or grow its memory without bound.
 *
 * <pre>{@code
 * OtlpHttpReceiver otlp = OtlpHttpReceiver.builder().setPort(4318).build();
 * SreAgent agent = SreAgent.builder().addTelemetrySource(otlp).build();
 * agent.start();   // the receiver starts listening
 * }</pre>
 * A host application with its own HTTP server can skip the built-in one and call {@link #receive} from its handler
 * after {@link #start} (with port 0 and {@link Builder#setListen(boolean) setListen(false)}).
 */
public final class OtlpHttpReceiver implements TelemetrySource {
  /** Default request size limit. */
  public static final int DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
  /** Default limit of live metric series per service. */
  public static final int DEFAULT_MAX_SERIES_PER_SERVICE = 10_000;
  /** Default limit of live metric series per tenant. */
  public static final int DEFAULT_MAX_SERIES_PER_TENANT = 100_000;
  /** Default limit of tenants. */
  public static final int DEFAULT_MAX_TENANTS = 100;
  /** Default rate limit: points (metric points, spans, log records) per second per tenant. */
  public static final double DEFAULT_POINTS_PER_SECOND = 1_000_000;
  /** The header that names the tenant (the one Mimir, Loki and Tempo use). */
  public static final String DEFAULT_TENANT_HEADER = "X-Scope-OrgID";
  private static final String PROTOBUF = "application/x-protobuf";
  private static final String JSON = "application/json";

  static {
    // The JDK server writes the response headers and the body separately; without TCP_NODELAY, Nagle's algorithm
    // and the client's delayed ACK hold every small response back by ~40 ms. Read once, when the first server of the
    // JVM is created; a value set by the host application is kept.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** The signal an endpoint receives. */
  public enum Endpoint {
    METRICS("/v1/metrics"), TRACES("/v1/traces"), LOGS("/v1/logs"), ALERTMANAGER("/v1/alertmanager");

    /** The HTTP path. */
    public final String path;

    Endpoint(String path) {
      this.path = path;
    }
  }

  /**
   * The answer to one request.
   *
   * @param status HTTP status
   * @param contentType content type of the body
   * @param body the OTLP response (or a {@code google.rpc.Status} for errors) in the request's encoding
   * @param retryAfterSeconds for 429, when to retry; 0 otherwise
   */
  public record Response(int status, String contentType, byte[] body, long retryAfterSeconds) {
    /** The body as text (JSON responses and messages). */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final Builder config;
  private final OtlpMapper mapper;
  private final SeriesLimiter limiter;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private @Nullable HttpServer server;
  private @Nullable TelemetrySink sink;

  private OtlpHttpReceiver(Builder b) {
    this.config = b.copy();
    this.mapper = new OtlpMapper(b.clock, b.maxSampleAge, b.maxClockSkew);
    this.limiter = new SeriesLimiter(b.maxTenants, b.maxSeriesPerTenant, b.maxSeriesPerService, b.idleSeriesTimeout,
        b.overflowPolicy);
    Meter meter = b.openTelemetry.getMeter("dev.sreagent.otel");
    AttributeKey<String> outcome = AttributeKey.stringKey("outcome");
    meter.counterBuilder("sreagent.otlp.items").setDescription("OTLP points, spans, log records and alerts by outcome")
        .buildWithCallback(m -> counters().forEach((k, v) -> m.record(v,
            io.opentelemetry.api.common.Attributes.of(outcome, k))));
    meter.gaugeBuilder("sreagent.otlp.series").ofLongs().setDescription("live metric series under the limits")
        .buildWithCallback(m -> m.record(limiter.size()));
  }

  /** A builder: 127.0.0.1:4318, 8 MiB, the default limits. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder of {@link OtlpHttpReceiver}. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 4318;
    private boolean listen = true;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxSeriesPerService = DEFAULT_MAX_SERIES_PER_SERVICE;
    private int maxSeriesPerTenant = DEFAULT_MAX_SERIES_PER_TENANT;
    private int maxTenants = DEFAULT_MAX_TENANTS;
    private OverflowPolicy overflowPolicy = OverflowPolicy.EVICT_IDLE;
    private Duration idleSeriesTimeout = Duration.ofMinutes(10);
    private Duration maxSampleAge = Duration.ofHours(1);
    private Duration maxClockSkew = Duration.ofMinutes(5);
    private double pointsPerSecond = DEFAULT_POINTS_PER_SECOND;
    private String tenantHeader = DEFAULT_TENANT_HEADER;
    private Clock clock = Clock.system();
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private LongSupplier nanoTime = System::nanoTime;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.host = host;
      b.port = port;
      b.listen = listen;
      b.maxBodyBytes = maxBodyBytes;
      b.maxSeriesPerService = maxSeriesPerService;
      b.maxSeriesPerTenant = maxSeriesPerTenant;
      b.maxTenants = maxTenants;
      b.overflowPolicy = overflowPolicy;
      b.idleSeriesTimeout = idleSeriesTimeout;
      b.maxSampleAge = maxSampleAge;
      b.maxClockSkew = maxClockSkew;
      b.pointsPerSecond = pointsPerSecond;
      b.tenantHeader = tenantHeader;
      b.clock = clock;
      b.openTelemetry = openTelemetry;
      b.nanoTime = nanoTime;
      return b;
    }

    public Builder setHost(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port; 0 picks a free one (see {@link #port()}). */
    public Builder setPort(int port) {
      this.port = Require.within(port, 0, 65535, "port");
      return this;
    }

    /** Whether {@link #start} opens the built-in HTTP server (default true); false to call {@link #receive}. */
    public Builder setListen(boolean listen) {
      this.listen = listen;
      return this;
    }

    public Builder setMaxBodyBytes(int max) {
      this.maxBodyBytes = Require.atLeast(max, 1024, "maxBodyBytes");
      return this;
    }

    /** Cardinality: live metric series per service (default 10,000). */
    public Builder setMaxSeriesPerService(int max) {
      this.maxSeriesPerService = Require.atLeast(max, 1, "maxSeriesPerService");
      return this;
    }

    /** Cardinality: live metric series per tenant (default 100,000). */
    public Builder setMaxSeriesPerTenant(int max) {
      this.maxSeriesPerTenant = Require.atLeast(max, 1, "maxSeriesPerTenant");
      return this;
    }

    /** Tenants (distinct tenant header values; default 100). Requests of further tenants get 429. */
    public Builder setMaxTenants(int max) {
      this.maxTenants = Require.atLeast(max, 1, "maxTenants");
      return this;
    }

    /** What happens to new series at a cardinality limit (default {@link OverflowPolicy#EVICT_IDLE}). */
    public Builder setOverflowPolicy(OverflowPolicy policy) {
      this.overflowPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** How long a series must go unseen before {@link OverflowPolicy#EVICT_IDLE} may evict it (default 10 min). */
    public Builder setIdleSeriesTimeout(Duration idle) {
      this.idleSeriesTimeout = Require.positive(idle, "idleSeriesTimeout");
      return this;
    }

    /** Points older than this (against the clock) are dropped as {@code too-old} (default 1 h). */
    public Builder setMaxSampleAge(Duration age) {
      this.maxSampleAge = Require.positive(age, "maxSampleAge");
      return this;
    }

    /** Points further in the future than this are dropped as {@code in-future} (default 5 min). */
    public Builder setMaxClockSkew(Duration skew) {
      this.maxClockSkew = Require.positive(skew, "maxClockSkew");
      return this;
    }

    /** Rate limit per tenant in points per second (bursts of two seconds' worth; default 1,000,000). */
    public Builder setPointsPerSecond(double rate) {
      this.pointsPerSecond = Require.positive(Require.finite(rate, "pointsPerSecond"), "pointsPerSecond");
      return this;
    }

    /** The request header naming the tenant (default {@value #DEFAULT_TENANT_HEADER}). */
    public Builder setTenantHeader(String header) {
      this.tenantHeader = Objects.requireNonNull(header, "header");
      return this;
    }

    /** The clock the sample age and skew are measured against (default: the system clock). */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where the receiver's own metrics go (default: no-op). */
    public Builder setOpenTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** Monotonic time for rate limits and idle series (tests). */
    Builder setNanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
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
    if (this.sink != null) {
      return;
    }
    this.sink = Objects.requireNonNull(sink, "sink");
    if (!config.listen) {
      return;
    }
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress(config.host, config.port), 0);
      for (Endpoint e : Endpoint.values()) {
        s.createContext(e.path, ex -> serve(ex, e));
      }
      s.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "otlp-http");
        t.setDaemon(true);
        return t;
      }));
      s.start();
      server = s;
    } catch (IOException e) {
      this.sink = null;
      throw new UncheckedIOException("cannot listen on " + config.host + ":" + config.port + ": " + e.getMessage()
          + " (is another receiver or collector using the port? choose another with --otlp HOST:PORT)", e);
    }
  }

  /** The port listened on (after start). */
  public int port() {
    HttpServer s = server;
    if (s == null) {
      throw new IllegalStateException("the receiver is not listening (not started, or built with setListen(false))");
    }
    return s.getAddress().getPort();
  }

  /** Counters: items accepted per signal, dropped by the agent, rejected by reason, requests refused by status. */
  public Map<String, Long> counters() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Live metric series under the cardinality limits. */
  public int liveSeries() {
    return limiter.size();
  }

  /** Entries of per-series mapping state (cumulative histogram points, memory limits); bounded. */
  public int mappingState() {
    synchronized (mapper) {
      return mapper.trackedState();
    }
  }

  private void count(String key, long n) {
    if (n != 0) {
      counters.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(n);
    }
  }

  private void serve(HttpExchange ex, Endpoint endpoint) throws IOException {
    try (ex) {
      Response r;
      if (!ex.getRequestMethod().equals("POST")) {
        r = error(405, "method", "only POST is accepted on " + endpoint.path + ", got " + ex.getRequestMethod(), null);
        ex.getResponseHeaders().set("Allow", "POST");
      } else {
        r = receive(endpoint, ex.getRequestHeaders().getFirst("Content-Type"),
            ex.getRequestHeaders().getFirst("Content-Encoding"), ex.getRequestHeaders().getFirst(config.tenantHeader),
            ex.getRequestBody());
      }
      ex.getResponseHeaders().set("Content-Type", r.contentType());
      if (r.retryAfterSeconds() > 0) {
        ex.getResponseHeaders().set("Retry-After", Long.toString(r.retryAfterSeconds()));
      }
      ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
      if (r.body().length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(r.body());
        }
      }
    }
  }

  /**
   * Handles one request as the HTTP server would: for hosts that serve the endpoints from their own HTTP server, for
   * tests and for benchmarks. Never throws on bad input.
   *
   * @param endpoint which endpoint was called
   * @param contentType the {@code Content-Type} header ({@code application/x-protobuf} or {@code application/json})
   * @param contentEncoding the {@code Content-Encoding} header ({@code gzip}, or null)
   * @param tenant the tenant header's value, or null for {@code default}
   * @param body the request body (read up to the size limit)
   */
  public Response receive(Endpoint endpoint, @Nullable String contentType, @Nullable String contentEncoding,
      @Nullable String tenant, InputStream body) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    boolean json = type.startsWith(JSON);
    if (!json && !(type.startsWith(PROTOBUF) && endpoint != Endpoint.ALERTMANAGER)) {
      return error(415, "content-type", endpoint == Endpoint.ALERTMANAGER
          ? "the Alertmanager webhook takes " + JSON + ", got " + contentType
          : "OTLP/HTTP takes " + PROTOBUF + " or " + JSON + ", got " + contentType, null);
    }
    byte[] bytes;
    try {
      InputStream in = body;
      if (contentEncoding != null && contentEncoding.equalsIgnoreCase("gzip")) {
        in = new GZIPInputStream(in);
      } else if (contentEncoding != null && !contentEncoding.isBlank()
          && !contentEncoding.equalsIgnoreCase("identity")) {
        return error(415, "content-encoding", "unsupported Content-Encoding " + contentEncoding + " (gzip or none)",
            json);
      }
      bytes = readLimited(in);
    } catch (IOException | RuntimeException e) {
      return error(400, "body", "unreadable body: " + e.getMessage(), json);
    }
    if (bytes == null) {
      return error(413, "too-large", "request larger than " + config.maxBodyBytes + " bytes (after decompression);"
          + " send smaller batches (e.g. the Collector's batch processor send_batch_max_size)", json);
    }
    String tenantName = tenant == null || tenant.isBlank() ? "default" : tenant.strip();
    if (!limiter.admitTenant(tenantName)) {
      return error(429, "tenant-limit", "too many tenants (limit " + config.maxTenants + "); tenant '"
          + abbreviate(tenantName) + "' refused", json);
    }
    try {
      return switch (endpoint) {
        case METRICS -> {
          ExportMetricsServiceRequest req = decode(bytes, json, ExportMetricsServiceRequest.newBuilder());
          Response limited = rateLimit(tenantName, points(req), json);
          if (limited != null) {
            yield limited;
          }
          Rejections r = new Rejections();
          List<Signal> signals;
          synchronized (mapper) {
            signals = mapper.metrics(req, r);
          }
          deliver(tenantName, "metrics", signals, r);
          ExportMetricsServiceResponse.Builder out = ExportMetricsServiceResponse.newBuilder();
          if (r.total() > 0) {
            out.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(r.total())
                .setErrorMessage(r.message()));
          }
          yield ok(out.build(), json);
        }
        case TRACES -> {
          ExportTraceServiceRequest req = decode(bytes, json, ExportTraceServiceRequest.newBuilder());
          long n = req.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
              .mapToLong(ss -> ss.getSpansCount()).sum();
          Response limited = rateLimit(tenantName, n, json);
          if (limited != null) {
            yield limited;
          }
          Rejections r = new Rejections();
          deliver(tenantName, "traces", mapper.spans(req, r), r);
          ExportTraceServiceResponse.Builder out = ExportTraceServiceResponse.newBuilder();
          if (r.total() > 0) {
            out.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(r.total())
                .setErrorMessage(r.message()));
          }
          yield ok(out.build(), json);
        }
        case LOGS -> {
          ExportLogsServiceRequest req = decode(bytes, json, ExportLogsServiceRequest.newBuilder());
          long n = req.getResourceLogsList().stream().flatMap(rl -> rl.getScopeLogsList().stream())
              .mapToLong(sl -> sl.getLogRecordsCount()).sum();
          Response limited = rateLimit(tenantName, n, json);
          if (limited != null) {
            yield limited;
          }
          Rejections r = new Rejections();
          deliver(tenantName, "logs", mapper.logs(req, r), r);
          ExportLogsServiceResponse.Builder out = ExportLogsServiceResponse.newBuilder();
          if (r.total() > 0) {
            out.setPartialSuccess(ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(r.total())
                .setErrorMessage(r.message()));
          }
          yield ok(out.build(), json);
        }
        case ALERTMANAGER -> {
          List<Signal> alerts = List.copyOf(AlertmanagerWebhook.parse(bytes, config.clock.now()));
          Response limited = rateLimit(tenantName, alerts.size(), json);
          if (limited != null) {
            yield limited;
          }
          Rejections r = new Rejections();
          deliver(tenantName, "alerts", alerts, r);
          yield new Response(200, JSON, "{}".getBytes(StandardCharsets.UTF_8), 0);
        }
      };
    } catch (IOException | RuntimeException e) {
      String what = endpoint == Endpoint.ALERTMANAGER ? "Alertmanager webhook payload"
          : "OTLP " + endpoint.name().toLowerCase(Locale.ROOT) + " request (" + (json ? "JSON" : "protobuf") + ")";
      return error(400, "decode", "not a valid " + what + ": " + e.getMessage(), json);
    }
  }

  private static long points(ExportMetricsServiceRequest req) {
    long n = 0;
    for (var rm : req.getResourceMetricsList()) {
      for (var sm : rm.getScopeMetricsList()) {
        for (var m : sm.getMetricsList()) {
          n += switch (m.getDataCase()) {
            case GAUGE -> m.getGauge().getDataPointsCount();
            case SUM -> m.getSum().getDataPointsCount();
            case HISTOGRAM -> m.getHistogram().getDataPointsCount();
            case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
            case SUMMARY -> m.getSummary().getDataPointsCount();
            default -> 0;
          };
        }
      }
    }
    return n;
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> T decode(byte[] bytes, boolean json, Message.Builder builder)
      throws InvalidProtocolBufferException {
    if (json) {
      OtlpJson.merge(bytes, builder);
    } else {
      builder.mergeFrom(bytes);
    }
    return (T) builder.build();
  }

  private @Nullable Response rateLimit(String tenant, long items, boolean json) {
    TokenBucket bucket = buckets.computeIfAbsent(tenant,
        t -> new TokenBucket(config.pointsPerSecond, 2 * config.pointsPerSecond, config.nanoTime.getAsLong()));
    long wait = bucket.tryTake(items, config.nanoTime.getAsLong());
    if (wait == 0) {
      return null;
    }
    Response r = error(429, "rate-limited", "tenant '" + abbreviate(tenant) + "' is over its limit of "
        + (long) config.pointsPerSecond + " points per second; retry after " + wait + " s", json);
    return new Response(r.status(), r.contentType(), r.body(), wait);
  }

  /** Applies the cardinality limits and hands the signals to the agent. */
  private void deliver(String tenant, String signal, List<Signal> signals, Rejections r) {
    TelemetrySink target = sink;
    long now = config.nanoTime.getAsLong();
    long accepted = 0;
    long busy = 0;
    for (Signal s : signals) {
      if (s instanceof MetricSample m && !limiter.admit(tenant, m.service(), m.seriesKey(), now)) {
        r.add(Rejections.CARDINALITY);
        continue;
      }
      if (target != null && target.accept(s)) {
        accepted++;
      } else {
        busy++;
      }
    }
    for (int i = 0; i < busy; i++) {
      r.add("agent-busy");
    }
    count("accepted." + signal, accepted);
    r.byReason().forEach((reason, n) -> count("rejected." + reason, n));
  }

  private byte @Nullable [] readLimited(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    int n;
    while ((n = in.read(buf)) >= 0) {
      out.write(buf, 0, n);
      if (out.size() > config.maxBodyBytes) {
        return null;
      }
    }
    return out.toByteArray();
  }

  private static Response ok(Message m, boolean json) {
    return json ? new Response(200, JSON, OtlpJson.print(m), 0) : new Response(200, PROTOBUF, m.toByteArray(), 0);
  }

  /**
   * An error answer, counted by reason: a {@code google.rpc.Status} (code, message) in the request's encoding
   * ({@code json} true or false), as the OTLP specification asks, or plain text when the encoding is unknown (null).
   */
  private Response error(int status, String reason, String message, @Nullable Boolean json) {
    count("rejected." + reason, 1);
    int grpcCode = switch (status) {
      case 400, 415 -> 3; // INVALID_ARGUMENT
      case 413 -> 11; // OUT_OF_RANGE
      case 429 -> 8; // RESOURCE_EXHAUSTED
      default -> 2; // UNKNOWN
    };
    if (json == null) {
      return new Response(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8), 0);
    }
    if (json) {
      String body = "{\"code\":" + grpcCode + ",\"message\":" + quote(message) + "}";
      return new Response(status, JSON, body.getBytes(StandardCharsets.UTF_8), 0);
    }
    return new Response(status, PROTOBUF, statusProto(grpcCode, message), 0);
  }

  /** A {@code google.rpc.Status} in protobuf encoding (field 1 code, field 2 message). */
  static byte[] statusProto(int code, String message) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeInt32(1, code);
      out.writeString(2, message);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  /** Reads a whole byte array as a request body (tests, benchmarks, replay). */
  public Response receive(Endpoint endpoint, String contentType, byte[] body) {
    return receive(endpoint, contentType, null, null, new ByteArrayInputStream(body));
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      if (server.getExecutor() instanceof java.util.concurrent.ExecutorService es) {
        es.shutdownNow();
      }
      server = null;
    }
  }
}
