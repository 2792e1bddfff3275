package dev.sreagent.api.port;

import dev.sreagent.api.model.Topology;

/** Knows the services, their replicas and revisions, and who calls whom. */
@FunctionalInterface
public interface TopologyProvider {
  /** The topology as known now. */
  Topology topology();

  /** Knows nothing. */
  static TopologyProvider noop() {
    return Topology::empty;
  }
}
