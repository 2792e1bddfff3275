package dev.sreagent.standalone;

import dev.sreagent.api.model.Lock;
import dev.sreagent.api.port.LockService;
import dev.sreagent.core.SreAgentBuilder;
import dev.sreagent.core.audit.AuditKey;
import dev.sreagent.core.audit.SharedAuditLog;
import dev.sreagent.etcd.EtcdLockService;
import dev.sreagent.etcd.EtcdMembership;
import dev.sreagent.jdbc.IncidentRetention;
import dev.sreagent.jdbc.JdbcStores;
import dev.sreagent.jdbc.OutboxRetention;
import dev.sreagent.redis.RedisLockService;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The store, the locks and the event stream {@code sre-agent run} shares with other agents, from the {@code store},
 * {@code locks} and {@code events} keys ({@link EventStream}): {@link JdbcStores} (incidents and the hash-chained audit log, PostgreSQL or an H2 file) and
 * {@link EtcdLockService} or {@link RedisLockService}. Opening fails fast with the adapters' own messages: the store
 * connects, migrates and verifies its audit chain (with the audit key when one is configured), the locks take and release a probe lock ({@value #PROBE_TARGET}). Unset keys leave the
 * agent's embedded defaults (in-memory incidents rebuilt from the audit file, in-process locks).
 *
 * <p>With {@code shard = etcd} the agent registers as member {@code agent.id} with an {@link EtcdMembership} (on the
 * locks' etcd or {@code shard.endpoints}) and shares the services with the other members; closing revokes the
 * registration, so the others take its services at once. With a store, an {@link OutboxRetention} job deletes
 * published outbox rows past {@code retention.outbox.max-age} or beyond {@code retention.outbox.max-rows}: once at
 * start, then every {@code retention.outbox.interval}, and an {@link IncidentRetention} keeps the newest
 * {@code retention.incidents.max-ended} ended incidents (10,000 by default, as the in-memory store).
 */
final class SharedState implements AutoCloseable {
  /** The target of the lock taken and released at start to check the lock service answers. */
  static final String PROBE_TARGET = "sre-agent-run-start-check";

  private final @Nullable JdbcStores store;
  private final @Nullable AutoCloseable lockCloser;
  private final @Nullable LockService locks;
  private final String storeText;
  private final String locksText;
  private @Nullable EventStream events;
  private @Nullable EtcdMembership shard;
  private @Nullable OutboxRetention retention;
  private @Nullable IncidentRetention incidentRetention;
  private String retentionText = "";

  private SharedState(@Nullable JdbcStores store, @Nullable LockService locks, @Nullable AutoCloseable lockCloser,
      String storeText, String locksText) {
    this.store = store;
    this.locks = locks;
    this.lockCloser = lockCloser;
    this.storeText = storeText;
    this.locksText = locksText;
  }

  /**
   * Connects to what {@code c} names.
   *
   * @param env reads an environment variable (the passwords' variables)
   * @param auditKey the audit log's key, given to the store when there is one
   * @throws IllegalArgumentException naming the key, the value and the fix (the adapters' messages included)
   */
  static SharedState open(RunConfig c, Function<String, @Nullable String> env, @Nullable AuditKey auditKey) {
    JdbcStores store = null;
    String storeText = "embedded (incidents rebuilt from the audit file " + c.audit + ")";
    if (c.store != null) {
      String url = c.store;
      boolean h2 = url.startsWith("jdbc:h2:");
      if (h2 && url.startsWith("jdbc:h2:file:") && !url.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY")) {
        url = url + ";WRITE_DELAY=0"; // commits flushed before they return, as JdbcStores.embedded does
      }
      String password = "";
      if (c.storePasswordEnv != null) {
        password = env.apply(c.storePasswordEnv);
        if (password == null) {
          throw new IllegalArgumentException("store.password-env names the environment variable "
              + c.storePasswordEnv + ", which is not set: export it with the database password");
        }
      }
      String user = c.storeUser != null ? c.storeUser : h2 ? "sa" : "";
      JdbcStores.Builder b = JdbcStores.builder().setUrl(url).setUser(user).setPassword(password);
      if (auditKey != null) {
        b.setAuditKey(auditKey);
      }
      try {
        store = b.build();
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("store " + c.store + ": " + e.getMessage()
            + (e.getMessage() != null && e.getMessage().contains("setAuditKey") ? " (here: audit.key-file or"
            + " audit.key-env)" : ""), e);
      }
      // a broken or differently keyed chain is refused by JdbcStores when it opens, as the audit file is
      storeText = (h2 ? "H2 " : "PostgreSQL ") + c.store + (user.isEmpty() ? "" : " as " + user)
          + (c.shard ? " (one audit chain shared by the members, each replaying its own records; incidents in memory)"
              : " (incidents and the audit log)");
    }
    LockService locks = null;
    AutoCloseable closer = null;
    String locksText = "in-process (one agent)";
    try {
      if (c.locks != null) {
        if (c.locks.kind() == RunConfig.Locks.Kind.ETCD) {
          EtcdLockService etcd = EtcdLockService.builder(c.locks.endpoints().toArray(String[]::new)).build();
          locks = etcd;
          closer = etcd;
          locksText = "etcd " + String.join(",", c.locks.endpoints());
        } else {
          String uri = c.locks.text();
          if (c.locksPasswordEnv != null) {
            String password = env.apply(c.locksPasswordEnv);
            if (password == null) {
              throw new IllegalArgumentException("locks.password-env names the environment variable "
                  + c.locksPasswordEnv + ", which is not set: export it with the Redis password");
            }
            int at = uri.indexOf("//") + 2;
            uri = uri.substring(0, at) + ":" + java.net.URLEncoder.encode(password,
                java.nio.charset.StandardCharsets.UTF_8) + "@" + uri.substring(at);
          }
          RedisLockService redis = RedisLockService.builder(uri).build();
          locks = redis;
          closer = redis;
          locksText = "Redis " + c.locks.text();
        }
        probe(locks, c.locks.text());
      }
    } catch (RuntimeException e) {
      closeQuietly(closer);
      if (store != null) {
        store.close();
      }
      throw e instanceof IllegalArgumentException ? e : new IllegalArgumentException(e.getMessage(), e);
    }
    SharedState shared = new SharedState(store, locks, closer, storeText, locksText);
    if (c.shard) {
      try {
        shared.shard = joinShard(c);
      } catch (RuntimeException e) {
        shared.close();
        throw e;
      }
    }
    if (store != null) {
      try {
        shared.startRetention(c, store);
      } catch (RuntimeException e) {
        shared.close();
        throw new IllegalArgumentException("retention of the outbox of store " + c.store + ": " + e.getMessage(), e);
      }
    }
    if (c.events != null) {
      try {
        shared.events = EventStream.open(c, env, store);
      } catch (RuntimeException e) {
        shared.close();
        throw e instanceof IllegalArgumentException ? e : new IllegalArgumentException(e.getMessage(), e);
      }
    }
    return shared;
  }

  /** Registers member {@code agent.id} in etcd; a taken id or an etcd that does not answer is refused. */
  private static EtcdMembership joinShard(RunConfig c) {
    String id = java.util.Objects.requireNonNull(c.agentId, "agent.id (checked by RunConfig.shardProblems)");
    List<String> endpoints = c.shardEtcd();
    EtcdMembership.Builder b = EtcdMembership.builder(id, endpoints.toArray(String[]::new));
    if (c.shardLease != null) {
      b.setTtl(c.shardLease);
    }
    if (c.shardPrefix != null) {
      b.setKeyPrefix(c.shardPrefix);
    }
    try {
      return b.build();
    } catch (RuntimeException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      throw new IllegalArgumentException("shard etcd " + String.join(",", endpoints) + ": " + msg
          + (msg.contains("give every agent an id of its own") ? " (agent.id, --agent-id)" : ""), e);
    }
  }

  private void startRetention(RunConfig c, JdbcStores db) {
    OutboxRetention job = OutboxRetention.builder(db).setMaxAge(c.outboxMaxAge).setMaxRows(c.outboxMaxRows).build();
    long deleted = job.runOnce(); // a broken outbox table stops the start rather than warn every interval
    IncidentRetention incidents = IncidentRetention.builder(db).setMaxEnded(c.maxEndedIncidents).build();
    long forgotten = incidents.runOnce();
    retention = job.start(c.retentionInterval);
    incidentRetention = incidents.start(c.retentionInterval);
    retentionText = "published outbox rows past " + text(c.outboxMaxAge) + " or beyond the newest "
        + c.outboxMaxRows + " and ended incidents beyond the newest " + c.maxEndedIncidents + " deleted every "
        + text(c.retentionInterval) + " (" + deleted + " rows and " + forgotten + " incidents at start)";
  }

  /**
   * Gives the store (incidents, audit log, detector snapshots) and the locks to {@code builder}; the audit file and
   * key stay with the builder without one (and the detector snapshots go to the file next to the audit file). A
   * member of a shard appends to the store's audit chain through its own {@link SharedAuditLog} view (the members
   * share the database: one merged chain, each member replaying its own records and reading a previous owner's at a
   * takeover) and keeps its incidents in memory, rebuilt from its records: every member keeps observed copies of the
   * others' incidents, which must not overwrite the owners' rows.
   */
  void configure(SreAgentBuilder builder) {
    if (store != null) {
      if (shard != null) {
        builder.setAuditLog(SharedAuditLog.of(store.auditLog(), shard.self()));
      } else {
        builder.setIncidentStore(store.incidentStore()).setAuditLog(store.auditLog());
      }
      builder.setDetectorStateStore(store.detectorStateStore());
    }
    if (locks != null) {
      builder.setLockService(locks);
    }
    if (shard != null) {
      builder.setShardMembership(shard);
    }
    if (events != null) {
      events.configure(builder);
    }
  }

  boolean hasStore() {
    return store != null;
  }

  /** "store ..., locks ..." for the start line. */
  String describe() {
    return "store " + storeText + ", locks " + locksText + ", events "
        + (events != null ? events.describe() : "on standard output only")
        + (shard == null ? "" : ", shard " + shard + " with the live members "
            + new java.util.TreeSet<>(shard.liveMembers()))
        + (retention == null ? "" : ", retention " + retentionText);
  }

  /** The shard membership, when {@code shard = etcd}. */
  @Nullable EtcdMembership shard() {
    return shard;
  }

  private static void probe(LockService locks, String where) {
    String owner;
    try {
      owner = "sre-agent run start check on " + InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      owner = "sre-agent run start check";
    }
    Optional<Lock> lock;
    try {
      lock = locks.tryAcquire(PROBE_TARGET, owner, Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("locks " + where + " did not answer: " + e.getMessage(), e);
    }
    lock.ifPresent(locks::release); // empty: another agent is checking at this moment, which is an answer too
  }

  @Override
  public void close() {
    closeQuietly(shard); // revokes the registration: the other members take this agent's services at once
    closeQuietly(retention);
    closeQuietly(incidentRetention);
    closeQuietly(events);
    closeQuietly(lockCloser);
    if (store != null) {
      store.close();
    }
  }

  /** A duration as the keys write it: 7d, 10m, 90s. */
  static String text(Duration d) {
    long s = d.toSeconds();
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    return s % 86_400 == 0 ? s / 86_400 + "d" : s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // closing a client that could not connect: nothing to keep
    }
  }
}
