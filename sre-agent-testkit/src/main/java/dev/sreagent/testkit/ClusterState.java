package dev.sreagent.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link SimulatedCluster} looks like at one instant: for asserting the end state of a chaos test (replicas,
 * revisions, disk usage, certificate expiry) rather than the agent's own account of it.
 *
 * @param at when the snapshot was taken (virtual time)
 * @param services by name
 * @param volumes every log volume
 * @param certificates every TLS certificate
 */
public record ClusterState(Instant at, Map<String, ServiceState> services, List<VolumeState> volumes,
    List<CertificateState> certificates) {
  public ClusterState {
    Objects.requireNonNull(at, "at");
    services = Map.copyOf(services);
    volumes = List.copyOf(volumes);
    certificates = List.copyOf(certificates);
  }

  /**
   * One service.
   *
   * @param name service name
   * @param replicas replicas running
   * @param revision the revision running
   * @param pods pod names
   * @param latencyP99Seconds the model's p99 latency without noise
   * @param errorRatio the model's error ratio without noise
   * @param utilisation arrivals over capacity (above 1: overloaded)
   */
  public record ServiceState(String name, int replicas, String revision, List<String> pods, double latencyP99Seconds,
      double errorRatio, double utilisation) {
    public ServiceState {
      pods = List.copyOf(pods);
    }
  }

  /**
   * One log volume of a service on a node.
   *
   * @param service the service writing to it
   * @param node the node
   * @param path the mount path
   * @param used fraction used, 0..1
   */
  public record VolumeState(String service, String node, String path, double used) {}

  /**
   * One TLS certificate.
   *
   * @param name certificate name
   * @param service the service serving it
   * @param expiresAt when it expires
   */
  public record CertificateState(String name, String service, Instant expiresAt) {
    /** Time left at {@code t}. */
    public Duration remainingAt(Instant t) {
      return Duration.between(t, expiresAt);
    }
  }

  /** The service named {@code name}. */
  public ServiceState service(String name) {
    ServiceState s = services.get(name);
    if (s == null) {
      throw new IllegalArgumentException("unknown service '" + name + "'; known services are " + services.keySet());
    }
    return s;
  }

  /** The certificate {@code service} serves, if any. */
  public Optional<CertificateState> certificateOf(String service) {
    return certificates.stream().filter(c -> c.service().equals(service)).findFirst();
  }

  /** The fullest log volume of {@code service}, as a fraction 0..1 (0 when it has none). */
  public double maxDiskUsage(String service) {
    return volumes.stream().filter(v -> v.service().equals(service)).mapToDouble(VolumeState::used).max().orElse(0);
  }
}
