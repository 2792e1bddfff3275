package dev.sreagent.api.shard;

import java.util.Set;

/**
 * The agents that share the work, as this agent sees them: its own id and the live members (itself included while
 * it is registered). Services are divided among the live members by {@link ShardAssignment}; an agent acts only on
 * the incidents it owns.
 *
 * <p>Implementations: {@code InMemoryShardGroup} in {@code sre-agent-core} (agents in one JVM; tests and
 * simulations) and {@code EtcdMembership} in {@code sre-agent-etcd} (one registration key per agent under a lease).
 * The testkit's {@code ShardMembershipContract} checks both.
 *
 * <p>Safety rests on the live set, not on the listener: {@link #owns(String)} reads {@link #liveMembers()} each time.
 * An agent whose registration is lost (its lease ran out, its session with the store broke) sees itself missing from
 * its live set and owns nothing until it is registered again. Two agents may briefly disagree on the live set while
 * a change propagates (each learns of it on its own schedule); the locks with fencing tokens keep two actions on one
 * target apart in that window.
 */
public interface ShardMembership {
  /** This agent's member id: unique among the agents that share the work, never blank. */
  String self();

  /**
   * The live members as of now, this agent included while it is registered; empty or without {@link #self()} when
   * this agent's registration is lost. Thread-safe, never blocks on the network.
   */
  Set<String> liveMembers();

  /** Whether this agent owns {@code service} now: it is live and {@link ShardAssignment} gives the service to it. */
  default boolean owns(String service) {
    Set<String> live = liveMembers();
    return live.contains(self()) && ShardAssignment.owner(service, live).map(self()::equals).orElse(false);
  }

  /**
   * The owner of {@code service} as this agent sees it, or {@code "(none)"} when no member is live (shown in logs and
   * audit reasons).
   */
  default String ownerOf(String service) {
    return ShardAssignment.owner(service, liveMembers()).orElse("(none)");
  }

  /**
   * Calls {@code listener} with the new live set after every change this agent notices, on a thread of the
   * implementation's choosing; it must return quickly. For logs and metrics: the agent's loop itself re-reads
   * {@link #liveMembers()} every tick.
   */
  void addListener(Listener listener);

  /** Told of changes of the live set. */
  @FunctionalInterface
  interface Listener {
    /** The live set changed to {@code liveMembers}. */
    void membersChanged(Set<String> liveMembers);
  }
}
