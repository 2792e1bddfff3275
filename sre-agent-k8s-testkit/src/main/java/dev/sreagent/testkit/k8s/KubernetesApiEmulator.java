package dev.sreagent.testkit.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes API server for tests: fabric8's mock server in CRUD mode (objects are stored, listed, watched and
 * versioned with {@code resourceVersion}, a PUT with a stale version answers 409), with what that mock lacks and the
 * agent needs, emulated here and named honestly:
 * <ul>
 *   <li><b>server-side dry run</b>: the CRUD mock ignores {@code dryRun=All} and would store the change; here a dry-run
 *       PUT is checked (the object exists, its {@code resourceVersion} is current) and answered without being stored;
 *   <li><b>the Eviction subresource</b> ({@code POST pods/NAME/eviction}): the CRUD mock has none; here an
 *       {@link EvictionPolicy} decides — by default the pod is deleted (201); a policy that refuses answers 429 with
 *       its message, as the API server does when a PodDisruptionBudget has no disruption left. PDB arithmetic is the
 *       policy's (see {@link KubernetesSimulation}), not the API server's;
 *   <li><b>SelfSubjectAccessReview</b>: answered {@code allowed: true} unless {@link #deny} named the verb and
 *       resource (RBAC itself is not evaluated);
 *   <li><b>cert-manager {@code Certificate}s</b>: registered as a custom resource with a status subresource, so
 *       {@code .../certificates/NAME/status} works (no CRD object is stored; cert-manager itself is not emulated here);
 *   <li><b>{@code pods/exec}</b>: the websocket upgrade is answered by an {@link #onExec} handler with stdout, stderr
 *       and the status channel (exit code) for the exact argument vector received; no container runs anything;
 *   <li><b>optimistic concurrency on status and dry-run PUTs</b>, which the CRUD mock stores whatever their
 *       {@code resourceVersion}: here a stale one is a 409, as on a real server.
 * </ul>
 * Not emulated: admission, defaulting and validation, field selectors beyond the mock's, the controllers (deployment,
 * ReplicaSet, HPA, garbage collection: {@link KubernetesSimulation} plays them for a simulated cluster), server-side
 * apply. Every request and
 * its status are recorded ({@link #exchanges()}); {@link #onWrite} listeners see every stored change (the place a
 * controller emulation hooks in).
 */
public final class KubernetesApiEmulator implements AutoCloseable {
  private static final Pattern EVICTION = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/eviction.*");
  /** The mock server logs every request at INFO through java.util.logging; kept (strongly) at WARNING here. */
  private static final java.util.logging.Logger MOCK_LOG = quiet("io.fabric8.mockwebserver.MockWebServer");
  private static final Pattern EXEC = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/exec\\?(.*)");
  private static final Pattern SSAR = Pattern.compile("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews.*");

  /** A request and the status it was answered with. */
  public record Exchange(String method, String path, int code, boolean dryRun) {
    /** A request that may change state (not a GET) and was accepted. */
    public boolean acceptedWrite() {
      return !"GET".equals(method) && code < 300;
    }
  }

  /** Decides an eviction: empty lets it happen (the pod is deleted), a message refuses it with HTTP 429. */
  @FunctionalInterface
  public interface EvictionPolicy {
    /** Whether pod {@code namespace/pod} may be evicted now; {@code dryRun} evictions change nothing either way. */
    Optional<String> refusal(String namespace, String pod, boolean dryRun);
  }

  /** Sees every stored (not dry-run) change: a PUT, POST, PATCH or DELETE answered 2xx, with the path written. */
  @FunctionalInterface
  public interface WriteListener {
    /** Called after the change is stored, on the request's thread, with the emulator's lock held. */
    void written(String method, String path);
  }

  /** One {@code pods/exec} call as the server received it: where, and the exact argument vector. */
  public record ExecCall(String namespace, String pod, @Nullable String container, List<String> argv) {
    public ExecCall {
      argv = List.copyOf(argv);
    }
  }

  /**
   * What an exec answers: stdout (channel 1), stderr (channel 2) and the status (channel 3: {@code Success} for exit
   * code 0, else {@code NonZeroExitCode} with the code, as the kubelet reports it).
   */
  public record ExecReply(int exitCode, String stdout, String stderr) {}

  private final KubernetesCrudDispatcher crud;
  private final List<ExecCall> execs = Collections.synchronizedList(new ArrayList<>());
  private volatile Function<ExecCall, ExecReply> execReplies = c -> new ExecReply(126, "",
      "pods/exec is not emulated for this command (KubernetesApiEmulator.onExec)");
  private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
  private final List<WriteListener> writeListeners = new CopyOnWriteArrayList<>();
  private final Set<String> denied = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private volatile EvictionPolicy evictions = (ns, pod, dryRun) -> Optional.empty();
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final KubernetesSerialization serialization;

  private KubernetesApiEmulator() {
    crud = new KubernetesCrudDispatcher();
    crud.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup("cert-manager.io")
        .withVersion("v1").withKind("Certificate").withPlural("certificates").withScope("Namespaced")
        .withStatusSubresource(true).build());
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return KubernetesApiEmulator.this.dispatch(request);
      }
    }, false);
    server.init();
    try (KubernetesClient plain = server.createClient()) {
      client = new KubernetesClientBuilder().withConfig(config(plain.getConfiguration())).build();
    }
    serialization = client.getKubernetesSerialization();
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(name);
    log.setLevel(java.util.logging.Level.WARNING);
    return log;
  }

  /** Starts an emulator on a free loopback port. */
  public static KubernetesApiEmulator start() {
    return new KubernetesApiEmulator();
  }

  /**
   * A client configuration for this server. fabric8 retries an HTTP 429 {@code requestRetryBackoffLimit} times
   * (default 10, about 20 s) before reporting it; here it does not retry, so a refusal reaches the caller at once.
   */
  public Config config() {
    return config(client.getConfiguration());
  }

  private static Config config(Config base) {
    return new ConfigBuilder(base).withRequestRetryBackoffLimit(0).build();
  }

  /** A client of this server (closed with it). */
  public KubernetesClient client() {
    return client;
  }

  /** Who decides evictions (default: every eviction deletes its pod). */
  public void onEviction(EvictionPolicy policy) {
    this.evictions = Objects.requireNonNull(policy, "policy");
  }

  /**
   * From now on every {@code pods/exec} on a stored pod is answered by {@code replies} (on the server's thread; it may
   * change the simulation). Default: exit code 126, "not emulated".
   */
  public void onExec(Function<ExecCall, ExecReply> replies) {
    this.execReplies = Objects.requireNonNull(replies, "replies");
  }

  /** The exec calls received so far, in order. */
  public List<ExecCall> execs() {
    synchronized (execs) {
      return List.copyOf(execs);
    }
  }

  /** Adds a listener of stored changes. */
  public void onWrite(WriteListener listener) {
    writeListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * From now on a SelfSubjectAccessReview for {@code verb} on {@code resource} (as {@code resource} or
   * {@code resource/subresource}, group ignored) in any namespace answers {@code allowed: false}.
   */
  public void deny(String verb, String resource) {
    denied.add(verb + " " + resource);
  }

  /** Every request so far, in order. */
  public List<Exchange> exchanges() {
    synchronized (exchanges) {
      return List.copyOf(exchanges);
    }
  }

  /** Accepted writes (dry runs included) to paths starting with {@code pathPrefix}. */
  public List<Exchange> writes(String pathPrefix) {
    return exchanges().stream().filter(e -> e.acceptedWrite() && e.path().startsWith(pathPrefix)).toList();
  }

  /** Accepted writes that changed something under {@code pathPrefix}: {@link #writes} less the dry runs. */
  public int effects(String pathPrefix) {
    return (int) writes(pathPrefix).stream().filter(e -> !e.dryRun()).count();
  }

  /** Reads the object at {@code path} straight from the store, as {@code type}; empty when absent. */
  public <T> Optional<T> read(String path, Class<T> type) {
    synchronized (lock) {
      MockResponse r = crud.handleGet(path);
      return r.code() == 200 ? Optional.of(serialization.unmarshal(r.getBody().readUtf8(), type)) : Optional.empty();
    }
  }

  /**
   * Stores {@code desired} at {@code collectionPath/name} straight through the store (not over HTTP, so no
   * {@link WriteListener} sees it; watchers do): creates it when absent; otherwise {@code update} receives the stored
   * object and returns what to store, and nothing is written when that equals what is stored (its
   * {@code resourceVersion} stays). For controller emulations that own some fields and keep the rest.
   *
   * @return whether anything was written
   */
  public <T extends HasMetadata> boolean upsert(String collectionPath, T desired, UnaryOperator<T> update) {
    String path = collectionPath + "/" + desired.getMetadata().getName();
    synchronized (lock) {
      MockResponse current = crud.handleGet(path);
      if (current.code() != 200) {
        MockResponse created = crud.handleCreate(request("POST", collectionPath, desired));
        check(created, "create " + path);
        return true;
      }
      @SuppressWarnings("unchecked")
      T stored = (T) serialization.unmarshal(current.getBody().readUtf8(), desired.getClass());
      String before = serialization.asJson(stored);
      @SuppressWarnings("unchecked")
      T next = update.apply((T) serialization.unmarshal(before, desired.getClass()));
      if (serialization.asJson(next).equals(before)) {
        return false;
      }
      check(crud.handleUpdate(request("PUT", path, next)), "update " + path);
      return true;
    }
  }

  /**
   * Like {@link #upsert} for the status subresource of the existing object at {@code path} (a store with a status
   * subresource ignores {@code status} on create and on updates of the object itself).
   *
   * @return whether anything was written
   */
  public <T extends HasMetadata> boolean upsertStatus(String path, Class<T> type, UnaryOperator<T> update) {
    synchronized (lock) {
      MockResponse current = crud.handleGet(path);
      check(current, "read " + path);
      String before = current.getBody().readUtf8();
      T next = update.apply(serialization.unmarshal(before, type));
      if (serialization.asJson(next).equals(serialization.asJson(serialization.unmarshal(before, type)))) {
        return false;
      }
      check(crud.handleUpdate(request("PUT", path + "/status", next)), "update " + path + "/status");
      return true;
    }
  }

  /**
   * Runs {@code step} under the lock every request and every {@link WriteListener} holds: for a controller emulation
   * that publishes several objects as one step while requests arrive on other threads (an executor on an action
   * thread), so no request sees half a step, and a listener that locks the emulation after this lock finds the same
   * order here (no lock inversion).
   */
  public void atomically(Runnable step) {
    synchronized (lock) {
      step.run();
    }
  }

  /** Deletes the object at {@code path} straight through the store (watchers see it); whether it existed. */
  public boolean remove(String path) {
    synchronized (lock) {
      return crud.handleDelete(path).code() == 200;
    }
  }

  /** The objects of {@code type} stored under {@code collectionPath}. */
  public <T extends HasMetadata> List<T> list(String collectionPath, Class<T> type) {
    synchronized (lock) {
      MockResponse r = crud.handleGet(collectionPath);
      if (r.code() != 200) {
        return List.of();
      }
      GenericKubernetesResourceList all = serialization.unmarshal(r.getBody().readUtf8(),
          GenericKubernetesResourceList.class);
      return all.getItems().stream().map(g -> serialization.unmarshal(serialization.asJson(g), type)).toList();
    }
  }

  private RecordedRequest request(String method, String path, Object body) {
    return new RecordedRequest("HTTP/1.1", HttpMethod.valueOf(method), path, Headers.builder().build(),
        new Buffer().writeUtf8(serialization.asJson(body)));
  }

  private static void check(MockResponse r, String what) {
    if (r.code() >= 300) {
      throw new IllegalStateException("the emulator's store refused to " + what + ": HTTP " + r.code() + " "
          + r.getBody().readUtf8());
    }
  }

  private MockResponse dispatch(RecordedRequest request) {
    String method = request.getMethod();
    String path = request.getPath();
    Matcher eviction = EVICTION.matcher(path);
    Matcher exec = EXEC.matcher(path);
    MockResponse r;
    boolean dryRun;
    if ("POST".equals(method) && eviction.matches()) {
      String body = request.getUtf8Body();  // read once: the buffer is consumed
      dryRun = body.contains("\"dryRun\"");
      r = evict(eviction.group(1), eviction.group(2), dryRun);
    } else if (exec.matches()) {
      dryRun = false;
      r = exec(exec.group(1), exec.group(2), exec.group(3));
    } else if ("POST".equals(method) && SSAR.matcher(path).matches()) {
      dryRun = false;
      r = accessReview(request.getUtf8Body());
    } else {
      dryRun = path.contains("dryRun=All");
      synchronized (lock) {
        boolean status = bare(path).endsWith("/status");
        if ("PUT".equals(method) && (dryRun || status)) {
          String body = request.getUtf8Body();
          r = staleOrMissing(status ? bare(path).substring(0, bare(path).length() - 7) : bare(path), body);
          if (r == null) {
            r = dryRun ? new MockResponse().setResponseCode(200).setBody(body)
                : crud.handleUpdate(new RecordedRequest("HTTP/1.1", HttpMethod.PUT, path, Headers.builder().build(),
                    new Buffer().writeUtf8(body)));
          }
        } else {
          r = crud.dispatch(request);
        }
      }
      if (!dryRun && !"GET".equals(method) && r.code() < 300) {
        notifyWrite(method, bare(path));
      }
    }
    exchanges.add(new Exchange(method, path, r.code(), dryRun));
    return r;
  }

  private void notifyWrite(String method, String path) {
    synchronized (lock) {
      writeListeners.forEach(l -> l.written(method, path));
    }
  }

  private MockResponse evict(String namespace, String pod, boolean dryRun) {
    String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + pod;
    synchronized (lock) {
      if (crud.handleGet(podPath).code() != 200) {
        return status(404, "NotFound", "pods \\\"" + pod + "\\\" not found");
      }
      Optional<String> refusal = evictions.refusal(namespace, pod, dryRun);
      if (refusal.isPresent()) {
        return status(429, "TooManyRequests", refusal.get());
      }
      if (dryRun) {
        return status(201, "", "");
      }
      MockResponse deleted = crud.handleDelete(podPath);
      if (deleted.code() != 200) {
        return deleted;
      }
    }
    notifyWrite("DELETE", podPath);
    return status(201, "", "");
  }

  private MockResponse accessReview(String body) {
    GenericKubernetesResource review = serialization.unmarshal(body, GenericKubernetesResource.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) review.getAdditionalProperties().get("spec");
    @SuppressWarnings("unchecked")
    Map<String, Object> attrs = spec == null ? Map.of()
        : (Map<String, Object>) spec.getOrDefault("resourceAttributes", Map.of());
    String resource = String.valueOf(attrs.get("resource"));
    Object sub = attrs.get("subresource");
    String key = attrs.get("verb") + " " + resource + (sub == null || sub.toString().isEmpty() ? "" : "/" + sub);
    boolean allowed = !denied.contains(key);
    review.getAdditionalProperties().put("status", Map.of("allowed", allowed, "reason",
        allowed ? "allowed by the emulator" : "denied by the emulator (deny(" + key + "))"));
    return new MockResponse().setResponseCode(201).setBody(serialization.asJson(review));
  }

  /**
   * The answer a real API server gives a PUT of {@code body} to the object at {@code path} before storing anything:
   * 404 when it is absent, 409 when the {@code resourceVersion} sent is not the stored one; null when it may go on.
   * (The CRUD mock checks neither for dry runs nor for status PUTs.)
   */
  private @Nullable MockResponse staleOrMissing(String path, String body) {
    MockResponse current = crud.handleGet(path);
    if (current.code() != 200) {
      return current;
    }
    String stored = serialization.unmarshal(current.getBody().readUtf8(), GenericKubernetesResource.class)
        .getMetadata().getResourceVersion();
    String sent = serialization.unmarshal(body, GenericKubernetesResource.class).getMetadata().getResourceVersion();
    if (sent != null && !sent.equals(stored)) {
      return status(409, "Conflict", "Operation cannot be fulfilled: the object has been modified; please apply your"
          + " changes to the latest version and try again");
    }
    return null;
  }

  /** An exec upgrade: 404 when the pod is not stored, else the reply chosen for the recorded argument vector. */
  private MockResponse exec(String ns, String pod, String query) {
    synchronized (lock) {
      if (crud.handleGet("/api/v1/namespaces/" + ns + "/pods/" + pod).code() != 200) {
        return status(404, "NotFound", "pods \\\"" + pod + "\\\" not found");
      }
    }
    List<String> argv = new ArrayList<>();
    String container = null;
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if ("command".equals(key)) {
        argv.add(value);
      } else if ("container".equals(key)) {
        container = value;
      }
    }
    ExecCall call = new ExecCall(ns, pod, container, argv);
    execs.add(call);
    ExecReply reply;
    synchronized (lock) {
      reply = execReplies.apply(call);
    }
    return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
      @Override
      public void onOpen(WebSocket ws, Response response) {
        send(ws, 1, reply.stdout());
        send(ws, 2, reply.stderr());
        send(ws, 3, reply.exitCode() == 0 ? "{\"metadata\":{},\"status\":\"Success\"}"
            : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code:"
                + " exit code " + reply.exitCode() + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
                + "[{\"reason\":\"ExitCode\",\"message\":\"" + reply.exitCode() + "\"}]}}");
        ws.close(1000, "");
      }
    });
  }

  private static void send(WebSocket ws, int channel, String text) {
    if (!text.isEmpty()) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      byte[] frame = new byte[bytes.length + 1];
      frame[0] = (byte) channel;
      System.arraycopy(bytes, 0, frame, 1, bytes.length);
      ws.send(frame);
    }
  }

  static MockResponse status(int code, String reason, String message) {
    String json = "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"" + (code < 300 ? "Success" : "Failure")
        + "\",\"code\":" + code + ",\"reason\":\"" + reason + "\",\"message\":\"" + message + "\"}";
    return new MockResponse().setResponseCode(code).setBody(json);
  }

  private static String bare(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  @Override
  public void close() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException | java.util.concurrent.RejectedExecutionException e) {
      // "Unable to close MockWebServer": on Java 17 the JDK HTTP client cannot be closed (HttpClient.close() came
      // in 21), so a connection a closed watch left open can outlive the server's 10 s shutdown wait; and a watch
      // whose close arrives while the server shuts down finds its scheduler "Shutting down" (seen once under load)
    }
  }
}
