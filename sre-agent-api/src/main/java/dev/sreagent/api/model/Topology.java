package dev.sreagent.api.model;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The services and their call dependencies: an edge {@code from -> to} means {@code from} calls {@code to}.
 *
 * @param services workloads by name
 * @param dependencies call edges
 */
public record Topology(Map<String, ServiceInfo> services, Set<Dependency> dependencies) {
  /**
   * A call edge.
   *
   * @param from the caller
   * @param to the callee
   */
  public record Dependency(String from, String to) {
    public Dependency {
      Checks.notBlank(from, "from");
      Checks.notBlank(to, "to");
    }
  }

  public Topology {
    services = Map.copyOf(Objects.requireNonNull(services, "services"));
    dependencies = Set.copyOf(Objects.requireNonNull(dependencies, "dependencies"));
  }

  /** A topology that knows nothing. */
  public static Topology empty() {
    return new Topology(Map.of(), Set.of());
  }

  /** The service named {@code name}. */
  public Optional<ServiceInfo> service(String name) {
    return Optional.ofNullable(services.get(name));
  }

  /** Services that {@code service} calls. */
  public Set<String> dependenciesOf(String service) {
    Set<String> out = new TreeSet<>();
    for (Dependency d : dependencies) {
      if (d.from().equals(service)) {
        out.add(d.to());
      }
    }
    return out;
  }

  /** Services that call {@code service}. */
  public Set<String> dependentsOf(String service) {
    Set<String> out = new TreeSet<>();
    for (Dependency d : dependencies) {
      if (d.to().equals(service)) {
        out.add(d.from());
      }
    }
    return out;
  }

  /** Services one call away from {@code service}, either direction. */
  public Set<String> neighboursOf(String service) {
    Set<String> out = dependenciesOf(service);
    out.addAll(dependentsOf(service));
    return out;
  }

  /** Total pods across all services. */
  public int fleetSize() {
    return services.values().stream().mapToInt(ServiceInfo::replicas).sum();
  }
}
