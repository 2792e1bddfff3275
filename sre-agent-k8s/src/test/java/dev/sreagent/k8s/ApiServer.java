package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fabric8 mock API server in CRUD mode, with what its CRUD dispatcher lacks and these tests need, emulated here:
 * <ul>
 *   <li>server-side dry run: the CRUD mock ignores {@code dryRun=All} and stores the change; here a dry-run PUT is
 *       checked (object exists, {@code resourceVersion} current) and answered without being stored;
 *   <li>the Eviction subresource: the CRUD mock answers a POST to {@code pods/NAME/eviction} with a 409 ("already
 *       exists"); here an eviction deletes the pod (201), unless {@link #refuseEvictions} made it answer 429 the way
 *       the API server does when a PodDisruptionBudget has no disruption left; PDBs are not evaluated;
 *   <li>a concurrent writer: {@link #beforeNextPut} changes the stored object just before the next PUT to a path
 *       reaches the store, so that PUT meets a real {@code resourceVersion} conflict (409);
 *   <li>an API server in trouble: {@link #inject} makes matching requests fail with HTTP 500 or go unanswered past a
 *       client's request timeout, either before they reach the store (nothing changes) or after (the change lands and
 *       only its answer is lost), once, a number of times or until {@link #clearFaults}.
 * </ul>
 * Every request, its answer's status and whether it changed the store are recorded ({@link #writes},
 * {@link #effects}).
 */
final class ApiServer implements AutoCloseable {
  private static final Pattern EVICTION = Pattern.compile("(/api/v1/namespaces/[^/]+/pods/[^/?]+)/eviction.*");

  /**
   * A request, the status it was answered with, and whether it changed the store: a write the store accepted, even
   * when an injected fault then answered it with an error or not at all ({@link Fault#ERROR_AFTER_STORE}).
   */
  record Exchange(String method, String path, int code, boolean dryRun, boolean landed) {}

  /** How long a hanging answer ({@link Fault#HANG_BEFORE_STORE}, {@link Fault#HANG_AFTER_STORE}) is held back. */
  static final java.time.Duration HANG = java.time.Duration.ofSeconds(3);

  /**
   * What an injected fault does to a request it matches. "Store" is the CRUD store and what the emulations here do
   * in its place (an eviction deletes the pod, an exec is recorded and answered, a status PUT is stored).
   */
  enum Fault {
    /** Answered HTTP 500 before the request reaches the store: nothing changes. */
    ERROR_BEFORE_STORE(false, false),
    /** Carried out, then answered HTTP 500 instead of its real answer: the change landed, the answer says it failed. */
    ERROR_AFTER_STORE(true, false),
    /** Not carried out, and answered (504) only after {@link #HANG}: past the request timeout of a test's client. */
    HANG_BEFORE_STORE(false, true),
    /** Carried out, then answered (504) only after {@link #HANG}: the change landed, its answer is lost. */
    HANG_AFTER_STORE(true, true);

    final boolean stores;
    final boolean hangs;

    Fault(boolean stores, boolean hangs) {
      this.stores = stores;
      this.hangs = hangs;
    }
  }

  /**
   * Which requests an injected fault meets: those of {@code method} ({@code null}: any) whose path without its query
   * is {@code path} or, when {@code prefix}, starts with it.
   */
  record Requests(String method, String path, boolean prefix) {
    /** Requests of {@code method} ({@code null}: any) to {@code pathPrefix} or below it. */
    static Requests under(String method, String pathPrefix) {
      return new Requests(method, pathPrefix, true);
    }

    /** Requests of {@code method} ({@code null}: any) to exactly {@code path} (any query; not its subresources). */
    static Requests at(String method, String path) {
      return new Requests(method, path, false);
    }

    boolean match(String requestMethod, String requestPath) {
      String bare = bare(requestPath);
      return (method == null || method.equals(requestMethod)) && (prefix ? bare.startsWith(path) : bare.equals(path));
    }
  }

  /** One {@link #inject}ion: which requests it matches and how many more it meets. */
  private static final class Injection {
    final Fault fault;
    final Requests requests;
    int passing;
    int left;

    Injection(Fault fault, Requests requests, int passing, int times) {
      this.fault = fault;
      this.requests = requests;
      this.passing = passing;
      this.left = times;
    }
  }

  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  private final List<Exchange> exchanges = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Consumer<String>> beforePut = new ConcurrentHashMap<>();
  private volatile String evictionRefusal;
  private volatile String forbiddenPrefix = "\u0000";
  private final List<Injection> injections = new ArrayList<>();
  private final List<KubernetesClient> otherClients = java.util.Collections.synchronizedList(new ArrayList<>());
  final KubernetesMockServer server;
  final KubernetesClient client;

  ApiServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String method = request.getMethod();
        String path = request.getPath();
        Fault fault = takeFault(method, path);
        if (fault != null && !fault.stores) {
          MockResponse r = failure(fault);
          exchanges.add(new Exchange(method, path, r.code(), path.contains("dryRun=All"), false));
          return r;
        }
        boolean dryRun;
        MockResponse r = extension(request);  // exec, status subresource, absent resource types: see below
        Matcher eviction = EVICTION.matcher(path);
        if (r != null) {
          dryRun = path.contains("dryRun=All");
        } else if ("POST".equals(method) && eviction.matches()) {
          String body = request.getUtf8Body();  // read once: the buffer is consumed
          dryRun = body.contains("\"dryRun\"");
          r = evict(eviction.group(1), dryRun);
        } else {
          dryRun = path.contains("dryRun=All");
          r = answer(request);
        }
        boolean landed = !"GET".equals(method) && r.code() < 300 && !dryRun;
        if (fault != null) {
          r = failure(fault);
        }
        exchanges.add(new Exchange(method, path, r.code(), dryRun, landed));
        return r;
      }
    }, false);
    server.init();
    // fabric8 retries an HTTP 429, any 5xx and an I/O failure requestRetryBackoffLimit times (default 10, about 20 s)
    // before a call answers (evict() false on a 429); these tests test the executor's own handling, so the client
    // does not retry
    try (KubernetesClient plain = server.createClient()) {
      client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
          new io.fabric8.kubernetes.client.ConfigBuilder(plain.getConfiguration()).withRequestRetryBackoffLimit(0)
              .build()).build();
    }
  }

  private MockResponse answer(RecordedRequest request) {
    String method = request.getMethod();
    String path = request.getPath();
    if (path.startsWith(forbiddenPrefix)) {
      return status(403, "Forbidden", "forbidden by the test");
    }
    if ("PUT".equals(method)) {
      Consumer<String> hook = beforePut.remove(bare(path));
      if (hook != null) {
        hook.accept(bare(path));
      }
      if (path.contains("dryRun=All")) {
        return dryRunPut(bare(path), request.getUtf8Body());
      }
    }
    return crud.dispatch(request);
  }

  private MockResponse evict(String podPath, boolean dryRun) {
    if (evictionRefusal != null) {
      return status(429, "TooManyRequests", evictionRefusal);
    }
    if (dryRun) {
      MockResponse current = crud.handleGet(podPath);
      return current.code() == 200 ? status(201, "", "") : current;
    }
    MockResponse deleted = crud.handleDelete(podPath);
    return deleted.code() == 200 ? status(201, "", "") : deleted;
  }

  private MockResponse dryRunPut(String path, String body) {
    MockResponse current = crud.handleGet(path);
    if (current.code() != 200) {
      return current;
    }
    var serialization = client.getKubernetesSerialization();
    String stored = serialization.unmarshal(current.getBody().readUtf8(), GenericKubernetesResource.class)
        .getMetadata().getResourceVersion();
    String sent = serialization.unmarshal(body, GenericKubernetesResource.class).getMetadata().getResourceVersion();
    if (sent != null && !sent.equals(stored)) {
      return status(409, "Conflict", "the object has been modified; please apply your changes to the latest version");
    }
    return new MockResponse().setResponseCode(200).setBody(body);
  }

  private static MockResponse status(int code, String reason, String message) {
    String json = "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"" + (code < 300 ? "Success" : "Failure")
        + "\",\"code\":" + code + ",\"reason\":\"" + reason + "\",\"message\":\"" + message + "\"}";
    return new MockResponse().setResponseCode(code).setBody(json);
  }

  private static String bare(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  /** From now on every request to a path starting with {@code pathPrefix} is answered 403, as RBAC would. */
  void forbid(String pathPrefix) {
    this.forbiddenPrefix = Objects.requireNonNull(pathPrefix);
  }

  /** From now on every eviction is answered 429 with {@code message}, as a PDB refusal. */
  void refuseEvictions(String message) {
    this.evictionRefusal = Objects.requireNonNull(message);
  }

  /**
   * Just before the next PUT to {@code path} reaches the store, {@code otherWriter} changes the object there (through
   * {@link #putDirectly}), so the PUT carries a stale {@code resourceVersion}.
   */
  void beforeNextPut(String path, Consumer<String> otherWriter) {
    beforePut.put(path, otherWriter);
  }

  /** Reads the object at {@code path} straight from the CRUD store (usable inside a {@link #beforeNextPut} hook). */
  <T> T getDirectly(String path, Class<T> type) {
    return client.getKubernetesSerialization().unmarshal(crud.handleGet(path).getBody().readUtf8(), type);
  }

  /** Stores {@code object} at {@code path} straight through the CRUD store (another writer, not over HTTP). */
  void putDirectly(String path, Object object) {
    String json = client.getKubernetesSerialization().asJson(object);
    crud.handleUpdate(new RecordedRequest("HTTP/1.1", io.fabric8.mockwebserver.dsl.HttpMethod.PUT, path,
        io.fabric8.mockwebserver.http.Headers.builder().build(),
        new io.fabric8.mockwebserver.http.Buffer().writeUtf8(json)));
  }

  /** The writes (PUT, PATCH, POST, DELETE) to paths starting with {@code pathPrefix} that the server accepted. */
  List<Exchange> writes(String pathPrefix) {
    synchronized (exchanges) {
      return exchanges.stream().filter(e -> !"GET".equals(e.method()) && e.path().startsWith(pathPrefix)
          && e.code() < 300).toList();
    }
  }

  /**
   * Writes to paths starting with {@code pathPrefix} that changed the store (dry runs do not), whatever they were
   * answered: a change that landed while its answer was an injected error or was lost counts.
   */
  int effects(String pathPrefix) {
    synchronized (exchanges) {
      return (int) exchanges.stream().filter(e -> e.landed() && e.path().startsWith(pathPrefix)).count();
    }
  }

  /**
   * The next {@code times} requests that {@code requests} matches meet {@code fault}; {@link Integer#MAX_VALUE} times
   * means until {@link #clearFaults}. Injections are tried in the order given; a request meets at most one. (To let
   * the first matching request through and fail a later one, inject from a {@link #beforeNextPut} hook.)
   */
  void inject(Fault fault, Requests requests, int times) {
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(requests, "requests");
    if (times < 1) {
      throw new IllegalArgumentException("times must be at least 1, but was " + times);
    }
    synchronized (injections) {
      injections.add(new Injection(fault, requests, 0, times));
    }
  }

  /**
   * The first {@code passing} requests that {@code requests} matches are answered normally, the next one meets
   * {@code fault}.
   */
  void injectAfter(int passing, Fault fault, Requests requests) {
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(requests, "requests");
    if (passing < 0) {
      throw new IllegalArgumentException("passing must not be negative, but was " + passing);
    }
    synchronized (injections) {
      injections.add(new Injection(fault, requests, passing, 1));
    }
  }

  /** The next request that {@code requests} matches meets {@code fault} (see {@link #inject}). */
  void injectOnce(Fault fault, Requests requests) {
    inject(fault, requests, 1);
  }

  /** Every request that {@code requests} matches meets {@code fault} until {@link #clearFaults}. */
  void injectUntilCleared(Fault fault, Requests requests) {
    inject(fault, requests, Integer.MAX_VALUE);
  }

  /** Removes every injected fault: the API answers normally again. */
  void clearFaults() {
    synchronized (injections) {
      injections.clear();
    }
  }

  /** The fault the request meets, if any, counting it against its injection. */
  private Fault takeFault(String method, String path) {
    synchronized (injections) {
      for (var it = injections.iterator(); it.hasNext(); ) {
        Injection i = it.next();
        if (i.requests.match(method, path)) {
          if (i.passing > 0) {
            i.passing--;
            continue;
          }
          if (i.left != Integer.MAX_VALUE && --i.left == 0) {
            it.remove();
          }
          return i.fault;
        }
      }
      return null;
    }
  }

  /**
   * The answer to a request that met {@code fault}: a 500 as the API server gives when etcd or a webhook fails, or a
   * 504 held back for {@link #HANG} (the server's timer, not a blocked event loop), which the client gives up on.
   */
  private static MockResponse failure(Fault fault) {
    return fault.hangs
        ? status(504, "Timeout", "Timeout: request did not complete within requested timeout").setBodyDelay(HANG)
        : status(500, "InternalError", "Internal error occurred: injected by the test");
  }

  /**
   * A client of its own whose every request gives up after {@code requestTimeout} (no retry, like {@link #client});
   * it is closed with the server. Lets a test see a hanging answer as a timeout without slowing the other clients.
   */
  KubernetesClient clientWithRequestTimeout(java.time.Duration requestTimeout) {
    KubernetesClient c = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
        new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration())
            .withRequestTimeout((int) requestTimeout.toMillis()).withRequestRetryBackoffLimit(0).build()).build();
    otherClients.add(c);
    return c;
  }

  @Override
  public void close() {
    synchronized (otherClients) {
      otherClients.forEach(KubernetesClient::close);
    }
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // "Unable to close MockWebServer": on Java 17 the JDK HTTP client cannot be closed (HttpClient.close() came in
      // 21), so a connection a closed watch left open can outlive the server's 10 s shutdown wait; the test is over
    }
  }

  // ---- additions for the exec and certificate executors: pods/exec, the status subresource, absent resource types

  /** One {@code pods/exec} call as the server received it: where, and the exact argument vector. */
  record ExecCall(String namespace, String pod, String container, List<String> argv) {}

  /**
   * What an exec answers: stdout (channel 1), stderr (channel 2) and the status (channel 3: {@code Success} for exit
   * code 0, {@code NonZeroExitCode} with an {@code ExitCode} cause otherwise); {@link #HANG} sends nothing at all.
   */
  record ExecReply(int exitCode, String stdout, String stderr) {
    static final ExecReply HANG = new ExecReply(Integer.MIN_VALUE, "", "");
  }

  private static final Pattern EXEC = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/exec\\?(.*)");
  private final List<ExecCall> execs = java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile java.util.function.Function<ExecCall, ExecReply> execReplies = c -> new ExecReply(0, "", "");
  private volatile String absentPrefix = "\u0000";

  /** From now on every exec is answered by {@code replies} (default: exit code 0, no output). */
  void answerExecs(java.util.function.Function<ExecCall, ExecReply> replies) {
    this.execReplies = Objects.requireNonNull(replies);
  }

  /** The exec calls received so far, in order. */
  List<ExecCall> execs() {
    synchronized (execs) {
      return List.copyOf(execs);
    }
  }

  /**
   * From now on every request under {@code pathPrefix} is answered 404 "the server could not find the requested
   * resource", as a real API server answers for a resource type it does not serve (a CRD not installed). The CRUD
   * mock serves any path, so without this every custom resource type would seem installed.
   */
  void withoutResourceType(String pathPrefix) {
    this.absentPrefix = Objects.requireNonNull(pathPrefix);
  }

  private MockResponse extension(RecordedRequest request) {
    String path = request.getPath();
    if (path.startsWith(forbiddenPrefix)) {
      return null;  // answered 403 by answer()
    }
    if (path.startsWith(absentPrefix)) {
      return status(404, "NotFound", "the server could not find the requested resource");
    }
    Matcher exec = EXEC.matcher(path);
    if (exec.matches()) {
      return exec(exec.group(1), exec.group(2), exec.group(3));
    }
    if ("PUT".equals(request.getMethod()) && bare(path).endsWith("/status")) {
      return statusPut(path, request.getUtf8Body());
    }
    return null;
  }

  /** The CRUD mock stores a status PUT whatever its resourceVersion; a real API server answers a stale one 409. */
  private MockResponse statusPut(String path, String body) {
    String object = bare(path).substring(0, bare(path).length() - "/status".length());
    Consumer<String> hook = beforePut.remove(bare(path));
    if (hook != null) {
      hook.accept(object);
    }
    MockResponse current = crud.handleGet(object);
    if (current.code() != 200) {
      return current;
    }
    var serialization = client.getKubernetesSerialization();
    String stored = serialization.unmarshal(current.getBody().readUtf8(), GenericKubernetesResource.class)
        .getMetadata().getResourceVersion();
    String sent = serialization.unmarshal(body, GenericKubernetesResource.class).getMetadata().getResourceVersion();
    if (sent != null && !sent.equals(stored)) {
      return status(409, "Conflict", "Operation cannot be fulfilled: the object has been modified; please apply your"
          + " changes to the latest version and try again");
    }
    if (path.contains("dryRun=All")) {
      return new MockResponse().setResponseCode(200).setBody(body);
    }
    MockResponse updated = crud.handleUpdate(new RecordedRequest("HTTP/1.1",
        io.fabric8.mockwebserver.dsl.HttpMethod.PUT, path, io.fabric8.mockwebserver.http.Headers.builder().build(),
        new io.fabric8.mockwebserver.http.Buffer().writeUtf8(body)));
    if (updated.code() == 200) {
      statusPuts.add(body);
      afterStatusPut.accept(object, body);
    }
    return updated;
  }

  private final List<String> statusPuts = java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile java.util.function.BiConsumer<String, String> afterStatusPut = (object, body) -> {};

  /** Every request to a path starting with {@code pathPrefix} and its answer's status, in order. */
  List<Exchange> exchanges(String pathPrefix) {
    synchronized (exchanges) {
      return exchanges.stream().filter(e -> e.path().startsWith(pathPrefix)).toList();
    }
  }

  /** The bodies of the status PUTs stored so far (dry runs are not stored), in order. */
  List<String> statusPuts() {
    synchronized (statusPuts) {
      return List.copyOf(statusPuts);
    }
  }

  /** Calls {@code listener} with the object's path and the body after each stored status PUT (on the server thread). */
  void afterStatusPut(java.util.function.BiConsumer<String, String> listener) {
    this.afterStatusPut = Objects.requireNonNull(listener);
  }

  /** An exec upgrade: 404 when the pod is not stored, else the reply chosen for the recorded argument vector. */
  private MockResponse exec(String ns, String pod, String query) {
    if (crud.handleGet("/api/v1/namespaces/" + ns + "/pods/" + pod).code() != 200) {
      return status(404, "NotFound", "pods \\\"" + pod + "\\\" not found");
    }
    List<String> argv = new ArrayList<>();
    String container = null;
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1),
          java.nio.charset.StandardCharsets.UTF_8);
      if ("command".equals(key)) {
        argv.add(value);
      } else if ("container".equals(key)) {
        container = value;
      }
    }
    ExecCall call = new ExecCall(ns, pod, container, List.copyOf(argv));
    execs.add(call);
    ExecReply reply = execReplies.apply(call);
    return new MockResponse().withWebSocketUpgrade(new io.fabric8.mockwebserver.http.WebSocketListener() {
      @Override
      public void onOpen(io.fabric8.mockwebserver.http.WebSocket ws, io.fabric8.mockwebserver.http.Response r) {
        if (reply == ExecReply.HANG) {
          return;
        }
        send(ws, 1, reply.stdout());
        send(ws, 2, reply.stderr());
        send(ws, 3, reply.exitCode() == 0 ? "{\"metadata\":{},\"status\":\"Success\"}"
            : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code:"
                + " error executing command " + argv.toString().replace("\\", "\\\\").replace("\"", "\\\"")
                + ", exit code " + reply.exitCode()
                + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
                + "\"message\":\"" + reply.exitCode() + "\"}]}}");
        ws.close(1000, "");
      }
    });
  }

  private static void send(io.fabric8.mockwebserver.http.WebSocket ws, int channel, String text) {
    if (!text.isEmpty()) {
      byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] frame = new byte[bytes.length + 1];
      frame[0] = (byte) channel;
      System.arraycopy(bytes, 0, frame, 1, bytes.length);
      ws.send(frame);
    }
  }
}
