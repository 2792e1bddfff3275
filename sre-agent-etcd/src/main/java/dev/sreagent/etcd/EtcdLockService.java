package dev.sreagent.etcd;

import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.LockService;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locks in etcd: one key per target, attached to a lease of its own; the fencing token is the key's create revision.
 *
 * <p><b>What it guarantees.</b> etcd is a linearizable, replicated store (Raft), so a lock survives the loss of a
 * minority of the cluster, and:
 *
 * <ul>
 *   <li><b>At most one holder per target</b> among the leases etcd considers alive: {@link #tryAcquire} puts the key in
 *       a transaction that succeeds only when the key does not exist.
 *   <li><b>Fencing tokens grow</b>: the token is the revision at which the key was created, and etcd's revision only
 *       grows, across all keys, through leader changes and restarts. A later holder of a target always has a greater
 *       token (not merely a different one), so a resource that records the greatest token it has seen can refuse a
 *       stale holder.
 *   <li><b>Safe release</b>: {@link #release} deletes the key in a transaction that compares its create revision with
 *       the lock's token, then revokes the lease that carried it; a stale holder can never delete its successor's key.
 *   <li><b>Renewal is honest</b>: {@link #renew} first checks that the key still exists with the lock's token, then
 *       keeps its lease alive once ({@code LeaseKeepAlive}), then checks the key again. It answers empty when the lease
 *       expired, the key was deleted or taken over, or etcd did not answer within the request timeout: a lease that
 *       cannot be confirmed is treated as lost, and the agent cancels the action it guarded.
 * </ul>
 *
 * <p><b>Its limits.</b> A lease is a <em>duration</em> the etcd leader counts, in whole seconds (etcd grants at least
 * about 2 s): {@link Lock#expiresAt()} is the caller's clock read <em>before</em> the grant plus the granted TTL, so the
 * holder believes its lease ends no later than etcd does. etcd extends every lease by its TTL when a new leader is
 * elected or etcd restarts (leases are persisted), so a lease may outlive {@code expiresAt} but never ends before it
 * as etcd counts. What no lock service can promise is that the holder is still running when its lease ends: a process
 * paused (GC, a stopped VM, a slow network) past its lease may wake up and act. That is what the fencing token is for:
 * the resource, not the lock, has the last word. The Kubernetes executors compare the token with the one recorded on
 * the object; a resource stored in etcd itself can be guarded in one transaction comparing the lock key's create
 * revision with the token.
 *
 * <p>Keep-alive is explicit, not a background stream: the lease lives as long as the agent's loop calls {@link #renew}
 * (it does at half the lease while an action runs), so a loop that stops or a JVM that pauses loses the lock on time
 * rather than keeping it alive from a healthy I/O thread.
 *
 * <p>A target held by the same owner name under another lease is refused too: an owner name does not prove it is the
 * same process (a restarted agent waits for its predecessor's lease to run out).
 *
 * <p>Failures: {@link #tryAcquire} throws {@link IllegalStateException} naming the endpoints and the fix when etcd does
 * not answer (the agent contains it and treats the target as locked); {@link #renew} answers empty; {@link #release}
 * logs and leaves the lease to run out.
 *
 * <pre>{@code
 * try (EtcdLockService locks = EtcdLockService.builder("http://127.0.0.1:2379").build()) {
 *   SreAgent agent = SreAgent.builder().setLocks(locks)...build();
 * }
 * }</pre>
 */
public final class EtcdLockService implements LockService, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdLockService.class);

  private final Client client;
  private final EtcdRequests requests;
  private final boolean ownsClient;
  private final Clock clock;
  private final String keyPrefix;
  private final Duration requestTimeout;
  private final String endpoints;

  private EtcdLockService(Builder b) {
    this.ownsClient = b.client == null;
    this.endpoints = b.client == null ? String.join(",", b.endpoints) : "(client given to the builder)";
    this.clock = b.clock;
    this.keyPrefix = b.keyPrefix;
    this.requestTimeout = b.requestTimeout;
    this.client = b.client != null ? b.client : EtcdRequests.client(b.endpoints, b.requestTimeout);
    this.requests = new EtcdRequests(endpoints, requestTimeout, "EtcdLockService.builder(...)");
  }

  /**
   * A builder for a lock service on the etcd cluster at {@code endpoints}, each {@code http://host:port} (the client
   * URLs, e.g. {@code http://127.0.0.1:2379}).
   *
   * @throws IllegalArgumentException naming the bad endpoint when one is not an {@code http(s)://host:port} URL
   */
  public static Builder builder(String... endpoints) {
    return new Builder(null, List.of(endpoints));
  }

  /** A builder for a lock service on an etcd client the caller configured (TLS, auth) and closes. */
  public static Builder builder(Client client) {
    return new Builder(Objects.requireNonNull(client, "client"), List.of());
  }

  /** The etcd key holding the lock of {@code target}. */
  public String keyOf(String target) {
    return keyPrefix + target;
  }

  @Override
  public Optional<Lock> tryAcquire(String target, String owner, Duration ttl) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(owner, "owner");
    long seconds = leaseSeconds(ttl);
    Instant start = clock.now();
    var grant = await(client.getLeaseClient().grant(seconds), "grant a lease for " + target);
    long lease = grant.getID();
    ByteSequence key = bytes(keyOf(target));
    TxnResponse txn;
    try {
      txn = await(client.getKVClient().txn()
          .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
          .Then(Op.put(key, bytes(owner), PutOption.builder().withLeaseId(lease).build()))
          .Else(Op.get(key, GetOption.DEFAULT))
          .commit(), "take the lock on " + target);
    } catch (RuntimeException e) {
      revokeQuietly(lease);
      throw e;
    }
    if (!txn.isSucceeded()) {
      revokeQuietly(lease);
      if (LOG.isDebugEnabled()) {
        List<KeyValue> held = txn.getGetResponses().isEmpty() ? List.of() : txn.getGetResponses().get(0).getKvs();
        LOG.debug("{} is held: {}", target, held.isEmpty() ? "(released meanwhile)"
            : held.get(0).getValue().toString(StandardCharsets.UTF_8) + " token " + held.get(0).getCreateRevision());
      }
      return Optional.empty();
    }
    // the key was created by this transaction, so its create revision is the revision the transaction produced
    long token = txn.getHeader().getRevision();
    return Optional.of(new Lock(target, owner, token, start.plusSeconds(grant.getTTL())));
  }

  @Override
  public void release(Lock lock) {
    ByteSequence key = bytes(keyOf(lock.target()));
    try {
      TxnResponse txn = await(client.getKVClient().txn()
          .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(lock.fencingToken())))
          .Then(Op.get(key, GetOption.DEFAULT), Op.delete(key, DeleteOption.DEFAULT))
          .commit(), "release the lock on " + lock.target());
      if (txn.isSucceeded() && !txn.getGetResponses().isEmpty() && !txn.getGetResponses().get(0).getKvs().isEmpty()) {
        revokeQuietly(txn.getGetResponses().get(0).getKvs().get(0).getLease());
      }
    } catch (RuntimeException e) {
      LOG.warn("could not release {} (token {}); its lease runs out by itself: {}", lock.target(), lock.fencingToken(),
          e.getMessage());
    }
  }

  @Override
  public Optional<Lock> renew(Lock lock, Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    try {
      Instant start = clock.now();
      Optional<KeyValue> held = heldBy(lock);
      if (held.isEmpty()) {
        return Optional.empty();
      }
      LeaseKeepAliveResponse alive;
      try {
        alive = await(client.getLeaseClient().keepAliveOnce(held.get().getLease()), "renew the lease of "
            + lock.target());
      } catch (IllegalStateException e) {
        if (e.getCause() != null && e.getCause().getClass().getSimpleName().contains("NoSuchLease")) {
          return Optional.empty();
        }
        throw e;
      }
      if (alive.getTTL() <= 0 || heldBy(lock).isEmpty()) {
        return Optional.empty(); // expired meanwhile, or released or taken over between the two reads
      }
      return Optional.of(new Lock(lock.target(), lock.owner(), lock.fencingToken(), start.plusSeconds(alive.getTTL())));
    } catch (RuntimeException e) {
      LOG.warn("the lock on {} (token {}) could not be renewed, so it counts as lost: {}", lock.target(),
          lock.fencingToken(), e.getMessage());
      return Optional.empty();
    }
  }

  /** The key of {@code lock}'s target when it still exists with the lock's token. */
  private Optional<KeyValue> heldBy(Lock lock) {
    GetResponse got = await(client.getKVClient().get(bytes(keyOf(lock.target()))), "read the lock on "
        + lock.target());
    if (got.getKvs().isEmpty() || got.getKvs().get(0).getCreateRevision() != lock.fencingToken()) {
      return Optional.empty();
    }
    return Optional.of(got.getKvs().get(0));
  }

  /** Closes the etcd client when this service created it. */
  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "EtcdLockService[" + endpoints + ", keys " + keyPrefix + "<target>]";
  }

  private void revokeQuietly(long lease) {
    requests.revokeQuietly(client, lease, LOG);
  }

  private <T> T await(CompletableFuture<T> call, String what) {
    return requests.await(call, what);
  }

  private static long leaseSeconds(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, but was " + ttl);
    }
    long ms = ttl.toMillis();
    return Math.max(1, (ms + 999) / 1000);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /** Configures an {@link EtcdLockService}; {@link #build()} may be called more than once. */
  public static final class Builder {
    /** Where lock keys live unless set: {@code /sre-agent/locks/<target>}. */
    public static final String DEFAULT_KEY_PREFIX = "/sre-agent/locks/";
    /** How long one request to etcd may take before the lock counts as unavailable. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(3);

    private final @Nullable Client client;
    private final List<String> endpoints;
    private Clock clock = Clock.system();
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

    private Builder(@Nullable Client client, List<String> endpoints) {
      this.client = client;
      List<String> checked = new ArrayList<>();
      for (String e : endpoints) {
        checked.add(checkEndpoint(e));
      }
      if (client == null && checked.isEmpty()) {
        throw new IllegalArgumentException("etcd endpoints must name at least one client URL such as"
            + " http://127.0.0.1:2379, but were none");
      }
      this.endpoints = List.copyOf(checked);
    }

    /** The clock {@link Lock#expiresAt()} is read from; the system clock by default. */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The prefix of the lock keys; {@link #DEFAULT_KEY_PREFIX} by default. Agents that share locks share it. */
    public Builder setKeyPrefix(String keyPrefix) {
      Objects.requireNonNull(keyPrefix, "keyPrefix");
      if (keyPrefix.isEmpty()) {
        throw new IllegalArgumentException("keyPrefix must not be empty, but was ''");
      }
      this.keyPrefix = keyPrefix;
      return this;
    }

    /** How long one request may take; {@link #DEFAULT_REQUEST_TIMEOUT} by default. */
    public Builder setRequestTimeout(Duration requestTimeout) {
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      if (requestTimeout.toMillis() < 100) {
        throw new IllegalArgumentException("requestTimeout must be at least 100 ms, but was " + requestTimeout);
      }
      this.requestTimeout = requestTimeout;
      return this;
    }

    /** A lock service; it connects lazily, at its first request. */
    public EtcdLockService build() {
      return new EtcdLockService(this);
    }

    private static String checkEndpoint(String endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      URI uri;
      try {
        uri = URI.create(endpoint.trim());
      } catch (IllegalArgumentException e) {
        throw badEndpoint(endpoint);
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
          || uri.getPort() < 0) {
        throw badEndpoint(endpoint);
      }
      return endpoint.trim();
    }

    private static IllegalArgumentException badEndpoint(String endpoint) {
      return new IllegalArgumentException("etcd endpoint must be a client URL http(s)://host:port such as"
          + " http://127.0.0.1:2379 (etcd's --advertise-client-urls), but was '" + endpoint + "'");
    }
  }
}
