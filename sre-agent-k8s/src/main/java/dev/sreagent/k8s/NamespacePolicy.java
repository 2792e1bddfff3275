package dev.sreagent.k8s;

import dev.sreagent.api.Require;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The namespaces an executor may touch. Only listed namespaces are allowed; the control-plane namespaces
 * ({@link #CONTROL_PLANE}) are refused even when listed, unless {@link #forcingControlPlane()} says so explicitly.
 * Immutable.
 */
public final class NamespacePolicy {
  /** Namespaces refused unless forced: the cluster's own machinery lives there. */
  public static final Set<String> CONTROL_PLANE = Set.of("kube-system", "kube-public", "kube-node-lease");

  private final Set<String> allowed;
  private final boolean controlPlaneForced;

  private NamespacePolicy(Set<String> allowed, boolean controlPlaneForced) {
    this.allowed = Set.copyOf(allowed);
    this.controlPlaneForced = controlPlaneForced;
  }

  /**
   * Allows exactly {@code namespaces} (control-plane namespaces among them stay refused).
   *
   * @throws IllegalArgumentException when {@code namespaces} is empty or holds a blank name
   */
  public static NamespacePolicy allowing(Set<String> namespaces) {
    Objects.requireNonNull(namespaces, "namespaces");
    if (namespaces.isEmpty()) {
      throw new IllegalArgumentException("namespaces must not be empty, but was []");
    }
    namespaces.forEach(n -> Require.notBlank(n, "namespaces"));
    return new NamespacePolicy(namespaces, false);
  }

  /** The same policy, with listed control-plane namespaces allowed too: an explicit, audited-by-code decision. */
  public NamespacePolicy forcingControlPlane() {
    return new NamespacePolicy(allowed, true);
  }

  /** The listed namespaces, sorted (including refused control-plane ones: they are searched, then refused). */
  public Set<String> namespaces() {
    return new TreeSet<>(allowed);
  }

  /** Why {@code namespace} may not be touched, or empty when it may. */
  public Optional<String> refusal(String namespace) {
    if (!allowed.contains(namespace)) {
      return Optional.of("namespace " + namespace + " is not in the allow-list " + namespaces());
    }
    if (CONTROL_PLANE.contains(namespace) && !controlPlaneForced) {
      return Optional.of("namespace " + namespace + " is a control-plane namespace, refused unless the policy"
          + " forces it (NamespacePolicy.forcingControlPlane())");
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "NamespacePolicy" + namespaces() + (controlPlaneForced ? " (control plane forced)" : "");
  }
}
