package dev.sreagent.core.shard;

import dev.sreagent.api.Require;
import dev.sreagent.api.shard.ShardMembership;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A group of agents within one process that share the work: each {@link #join joins} with its id and gets a
 * {@link ShardMembership}; {@link #leave} takes a member out, as if its process had died or its lease had run out,
 * and every member sees the change at once (the listeners are told on the calling thread). For tests and
 * simulations of several agents over one cluster; agents in separate processes register in etcd
 * ({@code EtcdMembership}).
 *
 * <p>An agent without a membership behaves as the only member of its group: it owns every service.
 *
 * <pre>{@code
 * InMemoryShardGroup group = new InMemoryShardGroup();
 * SreAgent a = SreAgent.builder().setAgentId("a").setShardMembership(group.join("a"))...build();
 * SreAgent b = SreAgent.builder().setAgentId("b").setShardMembership(group.join("b"))...build();
 * group.leave("a"); // a's services move to b at b's next tick
 * }</pre>
 */
public final class InMemoryShardGroup {
  private final Set<String> live = new LinkedHashSet<>();
  private final List<Member> members = new CopyOnWriteArrayList<>();

  /**
   * Registers {@code id} and returns its view of the group.
   *
   * @throws IllegalArgumentException when {@code id} is blank
   * @throws IllegalStateException when {@code id} is live already: every agent needs an id of its own
   */
  public ShardMembership join(String id) {
    Require.notBlank(id, "id");
    Member m = new Member(id);
    synchronized (this) {
      if (live.contains(id)) {
        throw new IllegalStateException("member id '" + id + "' is live in this group already; give every agent an"
            + " id of its own (SreAgentBuilder.setAgentId)");
      }
      live.add(id);
      members.add(m);
    }
    changed();
    return m;
  }

  /** Takes {@code id} out of the live set (its process died, its lease ran out); returns whether it was live. */
  public boolean leave(String id) {
    Objects.requireNonNull(id, "id");
    boolean was;
    synchronized (this) {
      was = live.remove(id);
    }
    if (was) {
      changed();
    }
    return was;
  }

  /** The live members, in the order they joined. */
  public synchronized Set<String> liveMembers() {
    return Set.copyOf(live);
  }

  private void changed() {
    Set<String> now = liveMembers();
    for (Member m : members) {
      for (ShardMembership.Listener l : m.listeners) {
        l.membersChanged(now);
      }
    }
  }

  /** One member's view: the group's live set. */
  private final class Member implements ShardMembership {
    private final String id;
    private final List<ShardMembership.Listener> listeners = new CopyOnWriteArrayList<>();

    Member(String id) {
      this.id = id;
    }

    @Override
    public String self() {
      return id;
    }

    @Override
    public Set<String> liveMembers() {
      return InMemoryShardGroup.this.liveMembers();
    }

    @Override
    public void addListener(ShardMembership.Listener listener) {
      Objects.requireNonNull(listener, "listener");
      listeners.add(listener);
    }

    @Override
    public String toString() {
      return "InMemoryShardGroup.Member[" + id + " of " + new ArrayList<>(liveMembers()) + "]";
    }
  }
}
