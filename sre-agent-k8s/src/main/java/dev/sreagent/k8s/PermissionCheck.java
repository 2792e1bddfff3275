package dev.sreagent.k8s;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The start-up check that the agent may do what its enabled components need: one {@code SelfSubjectAccessReview}
 * ({@code authorization.k8s.io/v1}, which every authenticated identity may create) per distinct {@link Permission},
 * asking the API server's authorizer about the client's own identity. Call it before starting informers or executors:
 *
 * <pre>{@code
 * List<Permission> required = new ArrayList<>(Permissions.topology(namespaces));
 * required.addAll(Permissions.changeEvents(namespaces));
 * required.addAll(Permissions.scaleExecutor(policy.namespaces()));
 * PermissionCheck.verify(client, required);   // throws MissingPermissionsException naming every missing one
 * }</pre>
 */
public final class PermissionCheck {
  private PermissionCheck() {}

  /**
   * Fails fast unless every permission of {@code required} is allowed.
   *
   * @throws MissingPermissionsException listing every denied permission
   * @throws IllegalStateException when the API server could not be asked (naming the permission being asked)
   */
  public static void verify(KubernetesClient client, Collection<Permission> required) {
    List<Permission> missing = missing(client, required);
    if (!missing.isEmpty()) {
      throw new MissingPermissionsException(missing);
    }
  }

  /**
   * The permissions of {@code required} the API server denies (duplicates asked once), in order.
   *
   * @throws IllegalStateException when the API server could not be asked (naming the permission being asked)
   */
  public static List<Permission> missing(KubernetesClient client, Collection<Permission> required) {
    Objects.requireNonNull(client, "client");
    List<Permission> missing = new ArrayList<>();
    for (Permission p : new LinkedHashSet<>(Objects.requireNonNull(required, "required"))) {
      if (!allowed(client, p)) {
        missing.add(p);
      }
    }
    return missing;
  }

  private static boolean allowed(KubernetesClient client, Permission p) {
    SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
        .withVerb(p.verb()).withGroup(p.group()).withResource(p.resource()).withSubresource(p.subresource())
        .withNamespace(p.namespace()).endResourceAttributes().endSpec().build();
    SelfSubjectAccessReview answer;
    try {
      answer = client.authorization().v1().selfSubjectAccessReview().create(review);
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("could not ask the API server whether the agent may " + p
          + " (SelfSubjectAccessReview, HTTP " + e.getCode() + "): " + e.getMessage()
          + "; check the client's configuration and that authorization.k8s.io/v1 is served", e);
    }
    return answer != null && answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
  }
}
