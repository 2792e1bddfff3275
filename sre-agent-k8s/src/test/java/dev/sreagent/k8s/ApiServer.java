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
 *       reaches the store, so that PUT meets a real {@code resourceVersion} conflict (409).
 * </ul>
 * Every request and its answer's status are recorded ({@link #writes}).
 */
final class ApiServer implements AutoCloseable {
  private static final Pattern EVICTION = Pattern.compile("(/api/v1/namespaces/[^/]+/pods/[^/?]+)/eviction.*");

  /** A request and the status it was answered with. */
  record Exchange(String method, String path, int code, boolean dryRun) {}

  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  private final List<Exchange> exchanges = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Consumer<String>> beforePut = new ConcurrentHashMap<>();
  private volatile String evictionRefusal;
  private volatile String forbiddenPrefix = "\u0000";
  final KubernetesMockServer server;
  final KubernetesClient client;

  ApiServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        Matcher eviction = EVICTION.matcher(request.getPath());
        if ("POST".equals(request.getMethod()) && eviction.matches()) {
          String body = request.getUtf8Body();  // read once: the buffer is consumed
          boolean dryRun = body.contains("\"dryRun\"");
          MockResponse r = evict(eviction.group(1), dryRun);
          exchanges.add(new Exchange(request.getMethod(), request.getPath(), r.code(), dryRun));
          return r;
        }
        MockResponse r = answer(request);
        exchanges.add(new Exchange(request.getMethod(), request.getPath(), r.code(),
            request.getPath().contains("dryRun=All")));
        return r;
      }
    }, false);
    server.init();
    // fabric8 retries an HTTP 429 requestRetryBackoffLimit times (default 10, about 20 s) before evict() answers
    // false; these tests test the executor's own handling, so the client does not retry
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

  /** Accepted writes that changed something: {@link #writes} less the dry runs. */
  int effects(String pathPrefix) {
    return (int) writes(pathPrefix).stream().filter(e -> !e.dryRun()).count();
  }

  @Override
  public void close() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // "Unable to close MockWebServer": on Java 17 the JDK HTTP client cannot be closed (HttpClient.close() came in
      // 21), so a connection a closed watch left open can outlive the server's 10 s shutdown wait; the test is over
    }
  }
}
