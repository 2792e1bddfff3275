package dev.sreagent.k8s;

import java.util.List;

/**
 * The agent's service account lacks permissions its enabled components need ({@link PermissionCheck}); the message
 * lists every missing one and points to the RBAC manifest this module ships.
 */
public final class MissingPermissionsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Where the module's RBAC manifest lives: in the source tree, and as a class-path resource in the jar. */
  public static final String RBAC_MANIFEST = "sre-agent-k8s/src/main/resources/rbac/sre-agent-rbac.yaml";

  private final transient List<Permission> missing;

  /** For {@code missing} (at least one) permissions. */
  public MissingPermissionsException(List<Permission> missing) {
    super(message(missing));
    this.missing = List.copyOf(missing);
  }

  /** Every missing permission, in the order they were required. */
  public List<Permission> missing() {
    return missing;
  }

  private static String message(List<Permission> missing) {
    boolean clusterWide = missing.stream().anyMatch(p -> p.namespace() == null);
    return "the agent's service account lacks " + missing.size() + " permission(s) its components need: "
        + String.join("; ", missing.stream().map(Permission::toString).toList())
        + ". Grant them: apply the RBAC manifest this module ships (" + RBAC_MANIFEST
        + ", in the jar as rbac/sre-agent-rbac.yaml) with a RoleBinding in every namespace named here"
        + (clusterWide ? ", and a ClusterRoleBinding for the cluster-wide ones" : "")
        + ", or extend your own Role accordingly";
  }
}
