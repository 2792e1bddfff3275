package dev.sreagent.testkit.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A loopback emulator of the AWS APIs {@code sre-agent-aws} calls, one HTTP endpoint for all of them (point every
 * client's {@code endpointOverride} at {@link #endpoint()}):
 * <ul>
 *   <li>ECS ({@link #ecs()}, JSON 1.1, {@code X-Amz-Target: AmazonEC2ContainerServiceV20141113.*}): clusters,
 *       services with deployments and rollout states, task definitions, tasks, tags — see {@link EcsEmulation};</li>
 *   <li>Application Auto Scaling (JSON 1.1, {@code AnyScaleFrontendService.*}): scalable targets of ECS services;</li>
 *   <li>AWS Certificate Manager ({@link #acm()}, JSON 1.1, {@code CertificateManager.*}) — see {@link AcmEmulation};</li>
 *   <li>AWS Systems Manager Run Command ({@link #ssm()}, JSON 1.1, {@code AmazonSSM.*}): managed nodes, commands and
 *       their invocations — see {@link SsmEmulation};</li>
 *   <li>CloudWatch ({@link #cloudWatch()}, Smithy RPC v2 CBOR,
 *       {@code /service/GraniteServiceVersion20100801/operation/GetMetricData}) — see {@link CloudWatchEmulation}.</li>
 * </ul>
 * Every request must carry a valid Signature Version 4 made with one of the emulator's keys ({@link #accessKeyId()},
 * {@link #secretAccessKey()}), scoped to its region and signed within 5 minutes; anything else is refused as AWS
 * refuses it (HTTP 400/403 with AWS's error code) and counted ({@link #refusals()}). Failures can be injected per
 * operation ({@link #failNext}, {@link #delayNext}), and every accepted call is recorded ({@link #calls()}).
 *
 * <p>Not emulated: IAM (every valid signature may do everything), pagination limits other than the ones each
 * operation names, eventual consistency (a write is visible to the next read), regions other than the one it was
 * started for, presigned URLs, SigV4a, and everything of the APIs not listed in each emulation's Javadoc.
 */
public final class AwsEmulator implements AutoCloseable {
  /** One request as it arrived (body not yet parsed). */
  public record Request(String service, String operation, Map<String, String> headers, byte[] body) {}

  /** One answer. */
  public record Response(int status, Map<String, String> headers, byte[] body) {}

  /** An API served by the emulator. */
  interface Handler {
    Response handle(Request request);
  }

  /** A call the emulator accepted (signature valid), with the operation's name and the request body as text. */
  public record Call(String service, String operation, String accessKeyId, String body, Instant at) {}

  private record Failure(int status, String code, String message, Duration delay) {}

  /** The signing name (credential scope) of each API served. */
  private static final Map<String, String> SIGNING_NAMES = Map.of("AmazonEC2ContainerServiceV20141113", "ecs",
      "AnyScaleFrontendService", "application-autoscaling", "GraniteServiceVersion20100801", "monitoring",
      "CertificateManager", "acm", "AmazonSSM", "ssm");

  private final HttpServer server;
  private final ExecutorService threads;
  private final String region;
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final String accessKeyId;
  private final Map<String, Handler> jsonTargets = new ConcurrentHashMap<>();
  private final Map<String, Handler> rpcServices = new ConcurrentHashMap<>();
  private final Map<String, Deque<Failure>> failures = new ConcurrentHashMap<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
  private final EcsEmulation ecs;
  private final AcmEmulation acm;
  private final SsmEmulation ssm;
  private final CloudWatchEmulation cloudWatch;
  private volatile Supplier<Instant> clock = Instant::now;
  /** Held while an API handles a request, and by {@link #atomically}: one order of locks for every emulation. */
  private final Object lock = new Object();

  private AwsEmulator(String region) throws IOException {
    this.region = Objects.requireNonNull(region, "region");
    byte[] secret = new byte[30];
    new SecureRandom().nextBytes(secret);
    this.accessKeyId = "AKIAEMULATOR" + HexFormat.of().formatHex(secret, 0, 4).toUpperCase(java.util.Locale.ROOT);
    secrets.put(accessKeyId, java.util.Base64.getEncoder().encodeToString(secret));
    this.ecs = new EcsEmulation(region);
    jsonTargets.put("AmazonEC2ContainerServiceV20141113", ecs::handleEcs);
    jsonTargets.put("AnyScaleFrontendService", ecs::handleScaling);
    this.acm = new AcmEmulation(region);
    jsonTargets.put("CertificateManager", acm::handle);
    this.ssm = new SsmEmulation();
    jsonTargets.put("AmazonSSM", ssm::handle);
    this.cloudWatch = new CloudWatchEmulation();
    installRpcService("GraniteServiceVersion20100801", cloudWatch::handle);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    this.threads = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "aws-emulator");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.createContext("/", this::serve);
    server.start();
  }

  /** Starts an emulator for {@code region} (for example {@code us-east-1}) on a free loopback port. */
  public static AwsEmulator start(String region) {
    try {
      return new AwsEmulator(region);
    } catch (IOException e) {
      throw new IllegalStateException("could not start the AWS emulator on loopback: " + e.getMessage(), e);
    }
  }

  /** Where clients send their requests: {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
        + server.getAddress().getPort());
  }

  /** The region it serves; requests signed for another are refused. */
  public String region() {
    return region;
  }

  /** The access key id of the emulator's key pair. */
  public String accessKeyId() {
    return accessKeyId;
  }

  /** The secret of the emulator's key pair (random per emulator). */
  public String secretAccessKey() {
    return secrets.get(accessKeyId);
  }

  /** Accepts signatures made with another key pair as well. */
  public AwsEmulator addCredentials(String accessKeyId, String secretAccessKey) {
    secrets.put(Objects.requireNonNull(accessKeyId), Objects.requireNonNull(secretAccessKey));
    return this;
  }

  /**
   * The clock signatures are checked against and calls are recorded at (default: the system clock, which the SDK
   * signs with; see {@link #setStateClock} for the time the APIs' state shows).
   */
  public AwsEmulator setClock(Supplier<Instant> clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * The clock of the emulated state (deployments' and services' creation times, certificates' expiry, SSM commands'
   * request times and delivery timeouts), such as a simulation's virtual clock; default the system clock.
   */
  public AwsEmulator setStateClock(Supplier<Instant> clock) {
    ecs.setClock(Objects.requireNonNull(clock, "clock"));
    acm.setClock(clock);
    ssm.setClock(clock);
    return this;
  }

  /** The AWS Certificate Manager state. */
  public AcmEmulation acm() {
    return acm;
  }

  /** The SSM Run Command state: managed nodes, their shells, and the commands sent to them. */
  public SsmEmulation ssm() {
    return ssm;
  }

  /** The ECS and Application Auto Scaling state. */
  public EcsEmulation ecs() {
    return ecs;
  }

  /** CloudWatch's metric data ({@code GetMetricData}): see {@link CloudWatchEmulation}. */
  public CloudWatchEmulation cloudWatch() {
    return cloudWatch;
  }

  /**
   * Serves the Smithy RPC v2 protocol's service {@code serviceName} ({@code /service/NAME/operation/OP}) with
   * {@code handler}; for emulations in this package.
   */
  void installRpcService(String serviceName, Handler handler) {
    rpcServices.put(serviceName, handler);
  }

  /**
   * The next call of {@code operation} (such as {@code UpdateService}) is answered with HTTP {@code status} and AWS
   * error {@code code} (such as {@code ThrottlingException} or {@code ServerException}) without being carried out.
   */
  public AwsEmulator failNext(String operation, int status, String code, String message) {
    failures.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(new Failure(status, code, message,
        Duration.ZERO));
    return this;
  }

  /**
   * The next call of {@code operation} is carried out, and its answer sent only after {@code delay} (a client with a
   * shorter timeout sees no answer, although the change landed).
   */
  public AwsEmulator delayNext(String operation, Duration delay) {
    failures.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(new Failure(0, "", "", delay));
    return this;
  }

  /**
   * Runs {@code change} while no request is being handled (a simulation publishing its state, so that no request sees
   * half of it and no lock is taken in another order than a request's).
   */
  public void atomically(Runnable change) {
    synchronized (lock) {
      change.run();
    }
  }

  /** Every call accepted so far, oldest first. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The accepted calls of {@code operation}. */
  public List<Call> calls(String operation) {
    return calls.stream().filter(c -> c.operation().equals(operation)).toList();
  }

  /** Requests refused before reaching an API, by AWS error code (signature problems). */
  public Map<String, Long> refusals() {
    Map<String, Long> out = new LinkedHashMap<>();
    refusals.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, String> headers = new LinkedHashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.isEmpty() ? "" : v.get(0)));
      String target = header(headers, "x-amz-target");
      String path = ex.getRequestURI().getRawPath();
      boolean rpc = path.startsWith("/service/");
      String service;
      String operation;
      Handler handler;
      if (rpc) {
        String[] p = path.split("/");
        if (p.length != 5 || !p[3].equals("operation")) {
          send(ex, error(false, 404, "UnknownOperationException", "no operation at " + path));
          return;
        }
        service = p[2];
        operation = p[4];
        handler = rpcServices.get(service);
      } else if (target != null && target.contains(".")) {
        service = target.substring(0, target.indexOf('.'));
        operation = target.substring(target.indexOf('.') + 1);
        handler = jsonTargets.get(service);
      } else {
        send(ex, error(false, 400, "UnknownOperationException", "neither an X-Amz-Target header (JSON 1.1) nor a"
            + " /service/NAME/operation/OP path (RPC v2): " + ex.getRequestMethod() + " " + path));
        return;
      }
      if (!ex.getRequestMethod().equals("POST")) {
        send(ex, error(rpc, 405, "UnknownOperationException", "only POST is served, not " + ex.getRequestMethod()));
        return;
      }
      SigV4.Verdict verdict = SigV4.verify(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), headers,
          body, secrets, region, SIGNING_NAMES.getOrDefault(service, service), clock.get());
      if (!verdict.valid()) {
        refusals.computeIfAbsent(verdict.errorCode(), k -> new AtomicLong()).incrementAndGet();
        int status = verdict.errorCode().equals("UnrecognizedClientException")
            || verdict.errorCode().equals("MissingAuthenticationTokenException") ? 403 : 400;
        if (verdict.errorCode().equals("InvalidSignatureException")) {
          status = 403;
        }
        send(ex, error(rpc, status, verdict.errorCode(), verdict.message()));
        return;
      }
      if (handler == null) {
        send(ex, error(rpc, 400, "UnknownOperationException", "the emulator does not serve " + service));
        return;
      }
      Failure f = next(operation);
      if (f != null && f.status() != 0) {
        send(ex, error(rpc, f.status(), f.code(), f.message()));
        return;
      }
      calls.add(new Call(service, operation, verdict.credential().orElseThrow().accessKeyId(),
          new String(body, StandardCharsets.UTF_8), clock.get()));
      Response r;
      try {
        synchronized (lock) {
          r = handler.handle(new Request(service, operation, headers, body));
        }
      } catch (RuntimeException e) {
        r = error(rpc, 500, "InternalFailure", "emulator failure: " + e);
      }
      if (f != null && !f.delay().isZero()) {
        try {
          Thread.sleep(f.delay().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      send(ex, r);
    }
  }

  private @Nullable Failure next(String operation) {
    Deque<Failure> q = failures.get(operation);
    if (q == null) {
      return null;
    }
    synchronized (q) {
      return q.poll();
    }
  }

  private static @Nullable String header(Map<String, String> headers, String name) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** An AWS error answer in the protocol of the request. */
  static Response error(boolean rpcV2Cbor, int status, String code, String message) {
    if (rpcV2Cbor) {
      return Cbor.error(status, code, message);
    }
    return Json11.error(status, code, message);
  }

  private static void send(HttpExchange ex, Response r) throws IOException {
    r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    ex.getResponseHeaders().add("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
    ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
    if (r.body().length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(r.body());
      }
    }
  }
}
