package dev.sreagent.etcd;

import dev.sreagent.api.Require;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.shard.ShardMembership;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shard membership in etcd: this agent registers the key {@code <prefix>members/<id>} under a lease of its own, keeps
 * the lease alive, and watches the prefix; the live members are the keys under it. When an agent dies its lease runs
 * out (etcd drops the key) and the survivors see it gone; {@link dev.sreagent.api.shard.ShardAssignment} then moves
 * its services to them.
 *
 * <p><b>What it guarantees.</b> Registration is a transaction that puts the key only when it does not exist, so two
 * agents can never register one id. The live set is re-read in full on every watch event and on every keep-alive
 * round (a broken watch cannot freeze it). This agent's own registration counts only until the end of its lease as
 * last confirmed ({@code validUntil}: the clock read before the keep-alive plus the TTL etcd granted): past it, or
 * when a keep-alive fails, {@link #liveMembers()} answers empty, so the agent owns nothing, and says so at WARN,
 * until it is registered again (under a new lease, when the old one ran out). etcd counts the lease from later than
 * this agent does, so a survivor can take over its services only after this agent has stopped believing it owns them
 * (up to clock-rate differences over one lease).
 *
 * <p><b>Failover time.</b> A member that dies without a goodbye is noticed after its lease runs out (the TTL, at
 * least about 2 s with etcd; etcd checks expiry every 500 ms) plus the watch's delivery; one that {@link #close()}s
 * revokes its lease and is gone at once. Measured by {@code EtcdMembershipFailoverIT} (etcd 3.4 on loopback, 2 shared
 * cores, 2 s lease, 8 runs): a crash moved the services after 2.2–2.3 s (median 2.29 s), a clean close after
 * 10–45 ms.
 *
 * <p><b>Limits.</b> Members may briefly disagree on the live set while a change propagates (each learns of it on its
 * own schedule): the locks with fencing tokens keep two actions on one target apart in that window. The keep-alive
 * runs on a thread of this class (unlike the locks' explicit renewal): a member whose loop hangs keeps its services,
 * and its actions then stop at their locks' leases.
 *
 * <pre>{@code
 * try (EtcdMembership shard = EtcdMembership.builder("agent-a", "http://127.0.0.1:2379").build()) {
 *   SreAgent agent = SreAgent.builder().setSettings(AgentSettings.defaults().withAgentId("agent-a"))
 *       .setShardMembership(shard).setLockService(locks)...build();
 * }
 * }</pre>
 */
public final class EtcdMembership implements ShardMembership, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdMembership.class);

  private final String self;
  private final Client client;
  private final EtcdRequests requests;
  private final boolean ownsClient;
  private final String endpoints;
  private final Clock clock;
  private final String membersPrefix;
  private final Duration ttl;
  private final Duration requestTimeout;
  private final ScheduledExecutorService keeper;
  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private volatile Set<String> others = Set.of();
  private volatile Set<String> published = Set.of();
  private volatile @Nullable Instant validUntil;
  private long lease;
  private Watch.@Nullable Watcher watcher;
  private volatile boolean closed;

  private EtcdMembership(Builder b) {
    this.self = b.self;
    this.ownsClient = b.client == null;
    this.endpoints = b.client == null ? String.join(",", b.endpoints) : "(client given to the builder)";
    this.clock = b.clock;
    this.membersPrefix = b.keyPrefix + "members/";
    this.ttl = b.ttl;
    this.requestTimeout = b.requestTimeout;
    this.client = b.client != null ? b.client : EtcdRequests.client(b.endpoints, b.requestTimeout);
    this.requests = new EtcdRequests(endpoints, requestTimeout, "EtcdMembership.builder(...)");
    this.keeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "etcd-membership-" + self);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * A builder for member {@code self} on the etcd cluster at {@code endpoints} (client URLs such as
   * {@code http://127.0.0.1:2379}).
   */
  public static Builder builder(String self, String... endpoints) {
    return new Builder(self, null, java.util.List.of(endpoints));
  }

  /** A builder for member {@code self} on an etcd client the caller configured (TLS, auth) and closes. */
  public static Builder builder(String self, Client client) {
    return new Builder(self, Objects.requireNonNull(client, "client"), java.util.List.of());
  }

  /** Registers this member, reads the live set and starts the keep-alive and the watch. */
  private void start() {
    register(true);
    ByteSequence prefix = bytes(membersPrefix);
    watcher = client.getWatchClient().watch(prefix, WatchOption.builder().isPrefix(true).build(),
        Watch.listener(response -> refreshQuietly(), error -> {
          if (!closed) {
            LOG.warn("the watch on {} broke ({}); the live set is re-read at every keep-alive", membersPrefix,
                error.toString());
          }
        }));
    refresh();
    long period = Math.max(100, ttl.toMillis() / 3);
    keeper.scheduleWithFixedDelay(this::keepAlive, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public String self() {
    return self;
  }

  /** The etcd key this member registers. */
  public String key() {
    return membersPrefix + self;
  }

  @Override
  public Set<String> liveMembers() {
    Instant until = validUntil;
    if (until == null || !clock.now().isBefore(until)) {
      return others;
    }
    Set<String> all = new TreeSet<>(others);
    all.add(self);
    return Set.copyOf(all);
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Whether this member's registration is confirmed now (its lease has not run out as it last confirmed it). */
  public boolean registered() {
    Instant until = validUntil;
    return until != null && clock.now().isBefore(until);
  }

  private void register(boolean first) {
    synchronized (lock) {
      Instant start = clock.now();
      var grant = await(client.getLeaseClient().grant(Math.max(1, (ttl.toMillis() + 999) / 1000)),
          "grant a lease for member " + self);
      ByteSequence key = bytes(key());
      TxnResponse txn = await(client.getKVClient().txn()
          .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
          .Then(Op.put(key, bytes(self), PutOption.builder().withLeaseId(grant.getID()).build()))
          .Else(Op.get(key, GetOption.DEFAULT))
          .commit(), "register member " + self);
      if (!txn.isSucceeded()) {
        revokeQuietly(grant.getID());
        java.util.List<KeyValue> held = txn.getGetResponses().isEmpty() ? java.util.List.of()
            : txn.getGetResponses().get(0).getKvs();
        if (!first && !held.isEmpty() && held.get(0).getLease() == lease) {
          // still ours: etcd kept the lease (it extends leases by their TTL when it restarts); keep it alive again
          LeaseKeepAliveResponse alive = await(client.getLeaseClient().keepAliveOnce(lease), "keep the lease of"
              + " member " + self + " alive");
          if (alive.getTTL() > 0) {
            validUntil = start.plusSeconds(alive.getTTL());
            LOG.warn("member {} is registered in etcd again (lease {}): it owns its share of the services again",
                self, Long.toHexString(lease));
            return;
          }
        }
        String msg = "member id '" + self + "' is registered in etcd at " + endpoints + " already (key " + key()
            + "): another agent runs with this id, or a previous run's lease has not run out yet (it does within "
            + ttl.toSeconds() + " s); give every agent an id of its own";
        if (first) {
          throw new IllegalStateException(msg);
        }
        LOG.warn("{}; this agent owns nothing until it can register", msg);
        return;
      }
      lease = grant.getID();
      validUntil = start.plusSeconds(grant.getTTL());
      if (!first) {
        LOG.warn("member {} registered again in etcd (lease {}): it owns its share of the services again", self,
            Long.toHexString(lease));
      }
    }
  }

  private void keepAlive() {
    if (closed) {
      return;
    }
    try {
      if (validUntil == null) {
        register(false);
      } else {
        Instant start = clock.now();
        LeaseKeepAliveResponse alive = await(client.getLeaseClient().keepAliveOnce(lease), "keep the lease of member "
            + self + " alive");
        if (alive.getTTL() <= 0) {
          lost("its lease ran out");
        } else if (validUntil != null) {
          validUntil = start.plusSeconds(alive.getTTL());
        }
      }
    } catch (RuntimeException e) {
      if (e.getCause() != null && e.getCause().getClass().getSimpleName().contains("NoSuchLease")) {
        lost("its lease ran out");
      } else if (registered()) {
        LOG.debug("keep-alive of member {} failed, retried until its lease ends: {}", self, e.getMessage());
      } else {
        lost(e.getMessage());
      }
    }
    refreshQuietly();
  }

  private void lost(@Nullable String why) {
    if (validUntil != null && !closed) {
      LOG.warn("member {} lost its registration in etcd ({}): it owns no service until it is registered again", self,
          why);
    }
    validUntil = null;
    publish();
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.debug("could not read the live members under {}: {}", membersPrefix, e.getMessage());
      publish();
    }
  }

  /** Re-reads the members under the prefix. */
  private void refresh() {
    if (closed) {
      return;
    }
    ByteSequence prefix = bytes(membersPrefix);
    GetResponse got = await(client.getKVClient().get(prefix, GetOption.builder().isPrefix(true).build()),
        "read the live members");
    Set<String> ids = new TreeSet<>();
    for (KeyValue kv : got.getKvs()) {
      String id = kv.getKey().toString(StandardCharsets.UTF_8).substring(membersPrefix.length());
      if (!id.equals(self)) {
        ids.add(id);
      }
    }
    others = Set.copyOf(ids);
    publish();
  }

  private void publish() {
    Set<String> now = liveMembers();
    if (!now.equals(published)) {
      published = now;
      LOG.info("member {} sees the live members {}", self, now);
      for (Listener l : listeners) {
        try {
          l.membersChanged(now);
        } catch (RuntimeException e) {
          LOG.warn("a membership listener failed", e);
        }
      }
    }
  }

  /** Leaves the group: stops the keep-alive and the watch and revokes the lease, so the others see it gone at once. */
  @Override
  public void close() {
    stop(true);
  }

  /**
   * Stops as a crashed process would: no more keep-alives and no goodbye, so the others see this member gone only
   * when its lease runs out. For failover tests in this module.
   */
  void crash() {
    stop(false);
  }

  private void stop(boolean revoke) {
    if (closed) {
      return;
    }
    closed = true;
    keeper.shutdownNow();
    if (watcher != null) {
      watcher.close();
    }
    if (revoke && validUntil != null) {
      revokeQuietly(lease);
    }
    validUntil = null;
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "EtcdMembership[" + self + " at " + endpoints + ", keys " + membersPrefix + "<id>, lease " + ttl + "]";
  }

  private void revokeQuietly(long id) {
    requests.revokeQuietly(client, id, LOG);
  }

  private <T> T await(CompletableFuture<T> call, String what) {
    return requests.await(call, what);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /** Configures an {@link EtcdMembership}. */
  public static final class Builder {
    /** Where member keys live unless set: {@code /sre-agent/shard/members/<id>}. */
    public static final String DEFAULT_KEY_PREFIX = "/sre-agent/shard/";
    /** The lease of a member's registration unless set: a dead member's services move after about this long. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);

    private final String self;
    private final @Nullable Client client;
    private final java.util.List<String> endpoints;
    private Clock clock = Clock.system();
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration ttl = DEFAULT_TTL;
    private Duration requestTimeout = EtcdLockService.Builder.DEFAULT_REQUEST_TIMEOUT;

    private Builder(String self, @Nullable Client client, java.util.List<String> endpoints) {
      Require.notBlank(self, "self (the member id)");
      if (self.contains("/")) {
        throw new IllegalArgumentException("self (the member id) must not contain '/', but was '" + self + "'");
      }
      this.self = self;
      this.client = client;
      if (client == null) {
        // the lock service's builder checks the endpoints the same way and names the bad one
        EtcdLockService.builder(endpoints.toArray(String[]::new));
      }
      this.endpoints = java.util.List.copyOf(endpoints).stream().map(String::trim).toList();
    }

    /** The clock the registration's end is read from; the system clock by default. */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The prefix under which the members register; {@link #DEFAULT_KEY_PREFIX} by default. Agents that share
     * the work share it. */
    public Builder setKeyPrefix(String keyPrefix) {
      Require.notBlank(keyPrefix, "keyPrefix");
      this.keyPrefix = keyPrefix.endsWith("/") ? keyPrefix : keyPrefix + "/";
      return this;
    }

    /**
     * The lease of this member's registration, in whole seconds, at least 2 s (etcd's minimum); {@link #DEFAULT_TTL}
     * by default. Shorter moves a dead member's services sooner; longer tolerates longer stalls.
     */
    public Builder setTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.toMillis() < 2000) {
        throw new IllegalArgumentException("ttl must be at least 2 s (etcd grants no shorter lease), but was " + ttl);
      }
      this.ttl = ttl;
      return this;
    }

    /** How long one request may take; 3 s by default. */
    public Builder setRequestTimeout(Duration requestTimeout) {
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      if (requestTimeout.toMillis() < 100) {
        throw new IllegalArgumentException("requestTimeout must be at least 100 ms, but was " + requestTimeout);
      }
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * Registers the member and starts watching.
     *
     * @throws IllegalStateException naming the id when it is registered already, or naming the endpoints when etcd
     *     does not answer
     */
    public EtcdMembership build() {
      EtcdMembership m = new EtcdMembership(this);
      try {
        m.start();
      } catch (RuntimeException e) {
        m.stop(false);
        throw e;
      }
      return m;
    }
  }
}
