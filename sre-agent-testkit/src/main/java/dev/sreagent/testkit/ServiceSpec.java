package dev.sreagent.testkit;

import dev.sreagent.api.Require;
import java.util.Map;
import java.util.Objects;

/**
 * One simulated service.
 *
 * @param name service name
 * @param replicas initial replicas
 * @param maxReplicas HPA maximum
 * @param minAvailable PodDisruptionBudget
 * @param capacityPerReplica requests per second one replica serves at 100% utilisation
 * @param baseLatencySeconds service time of one request with no queueing
 * @param baseErrorRatio errors with nothing wrong
 * @param calls downstream calls per request, by callee
 * @param externalRate requests per second arriving from outside (only entry services)
 * @param tlsCertificate name of the TLS certificate the service serves, or empty
 */
public record ServiceSpec(String name, int replicas, int maxReplicas, int minAvailable, double capacityPerReplica,
    double baseLatencySeconds, double baseErrorRatio, Map<String, Double> calls, double externalRate,
    String tlsCertificate) {
  public ServiceSpec {
    Objects.requireNonNull(name, "name");
    if (replicas < 1 || maxReplicas < replicas) {
      throw new IllegalArgumentException("need 1 <= replicas <= maxReplicas, but was replicas=" + replicas
          + ", maxReplicas=" + maxReplicas + " for " + name);
    }
    Require.within(minAvailable, 0, replicas, "minAvailable of " + name);
    Require.positive(capacityPerReplica, "capacityPerReplica");
    calls = Map.copyOf(calls);
    Objects.requireNonNull(tlsCertificate, "tlsCertificate");
  }
}
