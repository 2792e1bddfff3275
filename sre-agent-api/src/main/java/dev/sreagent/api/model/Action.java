package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A remediation step from the closed action catalog. The built-in actions are the records nested here;
 * {@link Custom} is the extension point for user actions, which run only when their kind is registered in the
 * action catalog.
 */
public sealed interface Action
    permits Action.RestartPods, Action.ScaleReplicas, Action.RollBack, Action.TruncateLogs,
        Action.RenewCertificate, Action.Custom {

  /** Catalog name of the action, for example {@code restart-pods}. */
  String kind();

  /** The service this action changes. */
  String service();

  /** The resource locked while the action runs; two actions on the same target never run at once. */
  default String target() {
    return kind() + ":" + service();
  }

  /** A canonical, stable text form; plan hashes and idempotency keys are derived from it. */
  String canonical();

  /** The action that undoes this one, when there is one. */
  default Optional<Action> inverse() {
    return Optional.empty();
  }

  /**
   * Rolling restart of the listed pods, one at a time.
   *
   * @param service the workload
   * @param pods the pods to restart, in order
   */
  record RestartPods(String service, List<String> pods) implements Action {
    public RestartPods {
      Require.notBlank(service, "service");
      pods = List.copyOf(Objects.requireNonNull(pods, "pods"));
      if (pods.isEmpty()) {
        throw new IllegalArgumentException("pods must not be empty, but was []");
      }
    }

    @Override
    public String kind() {
      return "restart-pods";
    }

    @Override
    public String canonical() {
      return kind() + "(" + service + ";" + String.join(",", pods) + ")";
    }
  }

  /**
   * Change the replica count of a workload.
   *
   * @param service the workload
   * @param fromReplicas replicas before
   * @param toReplicas replicas after
   */
  record ScaleReplicas(String service, int fromReplicas, int toReplicas) implements Action {
    public ScaleReplicas {
      Require.notBlank(service, "service");
      Require.atLeast(fromReplicas, 0, "fromReplicas");
      Require.atLeast(toReplicas, 1, "toReplicas");
      if (fromReplicas == toReplicas) {
        throw new IllegalArgumentException("toReplicas must differ from fromReplicas, but both were " + toReplicas);
      }
    }

    @Override
    public String kind() {
      return toReplicas > fromReplicas ? "scale-out" : "scale-in";
    }

    @Override
    public String target() {
      return "scale:" + service;
    }

    @Override
    public String canonical() {
      return kind() + "(" + service + ";" + fromReplicas + "->" + toReplicas + ")";
    }

    @Override
    public Optional<Action> inverse() {
      return Optional.of(new ScaleReplicas(service, toReplicas, fromReplicas));
    }
  }

  /**
   * Roll a workload back to an earlier revision.
   *
   * @param service the workload
   * @param fromRevision the revision running now
   * @param toRevision the revision to return to; guardrails require that it was healthy
   */
  record RollBack(String service, String fromRevision, String toRevision) implements Action {
    public RollBack {
      Require.notBlank(service, "service");
      Require.notBlank(fromRevision, "fromRevision");
      Require.notBlank(toRevision, "toRevision");
      if (fromRevision.equals(toRevision)) {
        throw new IllegalArgumentException("toRevision must differ from fromRevision, but both were " + toRevision);
      }
    }

    @Override
    public String kind() {
      return "rollback";
    }

    @Override
    public String canonical() {
      return kind() + "(" + service + ";" + fromRevision + "->" + toRevision + ")";
    }

    /** Roll forward again; guardrails allow it only if that revision had run healthy. */
    @Override
    public Optional<Action> inverse() {
      return Optional.of(new RollBack(service, toRevision, fromRevision));
    }
  }

  /**
   * Truncate or rotate the logs under a path on a host.
   *
   * @param service the service whose logs fill the disk
   * @param host the host or node
   * @param path the directory; guardrails allow only allow-listed prefixes
   */
  record TruncateLogs(String service, String host, String path) implements Action {
    public TruncateLogs {
      Require.notBlank(service, "service");
      Require.notBlank(host, "host");
      Require.notBlank(path, "path");
    }

    @Override
    public String kind() {
      return "truncate-logs";
    }

    @Override
    public String target() {
      return kind() + ":" + host + ":" + path;
    }

    @Override
    public String canonical() {
      return kind() + "(" + service + ";" + host + ";" + path + ")";
    }
  }

  /**
   * Trigger renewal of a TLS certificate.
   *
   * @param service the service the certificate belongs to
   * @param certificate the certificate name
   */
  record RenewCertificate(String service, String certificate) implements Action {
    public RenewCertificate {
      Require.notBlank(service, "service");
      Require.notBlank(certificate, "certificate");
    }

    @Override
    public String kind() {
      return "renew-certificate";
    }

    @Override
    public String target() {
      return kind() + ":" + certificate;
    }

    @Override
    public String canonical() {
      return kind() + "(" + service + ";" + certificate + ")";
    }
  }

  /**
   * A user-defined action. It runs only when {@code kind} is registered in the action catalog and an executor
   * supports it.
   *
   * @param kind the catalog name
   * @param service the service it changes
   * @param parameters parameters for the executor
   */
  record Custom(String kind, String service, Map<String, String> parameters) implements Action {
    public Custom {
      Require.notBlank(kind, "kind");
      Require.notBlank(service, "service");
      parameters = Map.copyOf(Objects.requireNonNull(parameters, "parameters"));
    }

    @Override
    public String canonical() {
      return kind + "(" + service + ";" + new TreeMap<>(parameters) + ")";
    }
  }
}
