package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fabric8 mock API server that answers only {@code SelfSubjectAccessReview}s, as an RBAC authorizer would. The CRUD
 * mock cannot: it has no authorizer and treats a POSTed review as an object to store (a review as the client sends it,
 * without metadata, is answered 422 "metadata is required"; checked against fabric8 8.0.0). Here each
 * review is allowed unless {@link #deny} named its attributes; anything else is answered 404. What it does not
 * emulate: RBAC rule evaluation (wildcards, aggregation, bindings); a review of a non-resource URL.
 */
final class AccessReviewServer implements AutoCloseable {
  private static final String PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
  private final Set<String> denied = ConcurrentHashMap.newKeySet();
  private final List<Permission> asked = Collections.synchronizedList(new ArrayList<>());
  private volatile int failWith;
  private final KubernetesMockServer server;
  final KubernetesClient client;

  AccessReviewServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return answer(request);
      }
    }, false);
    server.init();
    client = server.createClient();
  }

  private MockResponse answer(RecordedRequest request) {
    if (!"POST".equals(request.getMethod()) || !request.getPath().startsWith(PATH)) {
      return new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"code\":404}");
    }
    if (failWith != 0) {
      return new MockResponse().setResponseCode(failWith).setBody("{\"kind\":\"Status\",\"code\":" + failWith
          + ",\"message\":\"failed by the test\"}");
    }
    var serialization = client.getKubernetesSerialization();
    SelfSubjectAccessReview review = serialization.unmarshal(request.getUtf8Body(), SelfSubjectAccessReview.class);
    ResourceAttributes a = review.getSpec().getResourceAttributes();
    Permission p = new Permission(a.getVerb(), a.getGroup() == null ? "" : a.getGroup(), a.getResource(),
        a.getSubresource(), a.getNamespace());
    asked.add(p);
    boolean allowed = !denied.contains(p.toString());
    review.setStatus(new SubjectAccessReviewStatusBuilder().withAllowed(allowed)
        .withReason(allowed ? "allowed by the test" : "").build());
    return new MockResponse().setResponseCode(201).setBody(serialization.asJson(review));
  }

  /** From now on reviews of {@code permission} answer "not allowed". */
  void deny(Permission permission) {
    denied.add(permission.toString());
  }

  /** From now on every review is answered with HTTP {@code code}. */
  void failWith(int code) {
    this.failWith = code;
  }

  /** The permissions reviewed so far, in order. */
  List<Permission> asked() {
    synchronized (asked) {
      return List.copyOf(asked);
    }
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
