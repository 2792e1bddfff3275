package dev.sreagent.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sreagent.api.Require;
import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.core.audit.AuditKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC store of one agent (or of several agents sharing one database): a connection pool (HikariCP), the schema
 * migrated on start (Flyway, {@code classpath:db/sre-agent}, the same migrations on PostgreSQL and H2), and the ports
 * over it: {@link #incidentStore()}, {@link #auditLog()} (hash-chained; each record and its outbox event written in
 * one transaction), {@link #detectorStateStore()} (the detectors' snapshots) and {@link OutboxRelay}s that publish
 * the outbox.
 *
 * <pre>{@code
 * JdbcStores db = JdbcStores.postgres("jdbc:postgresql://db:5432/sreagent", "sreagent", password);
 * SreAgent agent = SreAgent.builder()
 *     .setIncidentStore(db.incidentStore())
 *     .setAuditLog(db.auditLog())
 *     .setDetectorStateStore(db.detectorStateStore())
 *     .build();
 * OutboxRelay relay = OutboxRelay.builder(db, OutboxConsumer.deduplicating(event -> bus.publish(event))).build();
 * relay.start();
 * }</pre>
 *
 * <p>Connecting fails at once, naming the URL and user (never the password), the database's words and the fix. Opening
 * verifies the audit chain, as the audit file does (reading every record once): a broken chain, or a keyed one opened
 * without its key or with another, is refused before anything is appended.
 * {@link #close()} closes the pool; close the agent and the relays first.
 */
public final class JdbcStores implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcStores.class);

  /** Connections in the pool by default. */
  public static final int DEFAULT_MAXIMUM_POOL_SIZE = 4;
  /** How long to wait for a connection by default. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(3);
  /** How long an append keeps retrying a transient failure (database restarting) by default before it throws. */
  public static final Duration DEFAULT_RETRY_WINDOW = Duration.ofSeconds(10);

  private final HikariDataSource pool;
  private final Database db;
  private final JdbcIncidentStore incidents;
  private final JdbcAuditLog audit;
  private final JdbcDetectorStateStore detectorStates;

  private JdbcStores(Builder b) {
    String url = Objects.requireNonNull(b.url, "url (setUrl)");
    if (url.startsWith("jdbc:h2:") && !url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")) {
      // H2 closes a database from its own JVM shutdown hook, before the agent's hook has stopped the agent (whose
      // last reads and appends then fail): the store is closed by close(), like any other
      url = url + ";DB_CLOSE_ON_EXIT=FALSE";
    }
    Dialect dialect = Dialect.of(url);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(b.user);
    config.setPassword(b.password);
    config.setMaximumPoolSize(b.maximumPoolSize);
    config.setMinimumIdle(Math.min(1, b.maximumPoolSize));
    config.setConnectionTimeout(b.connectionTimeout.toMillis());
    config.setValidationTimeout(Math.min(b.connectionTimeout.toMillis(), 2_000));
    config.setInitializationFailTimeout(b.connectionTimeout.toMillis());
    config.setPoolName("sre-agent-jdbc");
    try {
      this.pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw Database.failure("connecting", url, b.user, e);
    }
    this.db = new Database(pool, url, b.user, dialect, b.clock, b.retryWindow);
    try {
      if (b.migrate) {
        migrate();
      }
      this.incidents = new JdbcIncidentStore(db);
      this.audit = new JdbcAuditLog(db, b.auditKey);
      this.detectorStates = new JdbcDetectorStateStore(db);
      // as the audit file does when it opens: a broken chain, or one keyed differently (or keyed, opened without
      // its key), is refused before anything is appended to it
      dev.sreagent.api.model.AuditVerification v = audit.verify();
      if (!v.intact()) {
        throw new IllegalStateException("the audit log in the database does not verify"
            + (b.auditKey == null ? " without a key" : " with the key given (setAuditKey)") + " at record "
            + v.firstBadSequence() + ": " + v.problem() + "; give the key the chain was written with"
            + " (setAuditKey), or look into the records it names");
      }
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /**
   * A PostgreSQL store, its schema migrated: {@code url} such as {@code jdbc:postgresql://host:5432/sreagent}.
   *
   * @throws JdbcStoreException when the server cannot be reached or refuses the user; the message says how to fix it
   */
  public static JdbcStores postgres(String url, String user, String password) {
    return builder().setUrl(url).setUser(user).setPassword(password).build();
  }

  /**
   * The embedded default: an H2 database in {@code dir} (created when missing), one process at a time, commits
   * flushed before they return.
   */
  public static JdbcStores embedded(Path dir) {
    Path file = dir.toAbsolutePath().resolve("sre-agent");
    return builder().setUrl("jdbc:h2:file:" + file + ";WRITE_DELAY=0").setUser("sa").setPassword("").build();
  }

  /** An H2 database in memory named {@code name}, gone when the store is closed (tests, demos). */
  public static JdbcStores inMemory(String name) {
    Require.notBlank(name, "name");
    return builder().setUrl("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1").setUser("sa").setPassword("").build();
  }

  /** A builder for every setting. */
  public static Builder builder() {
    return new Builder();
  }

  /** The incidents. */
  public IncidentStore incidentStore() {
    return incidents;
  }

  /** The audit log (one per store; hand it to one agent). */
  public AuditLog auditLog() {
    return audit;
  }

  /**
   * Where the agents keep their detectors' snapshots ({@code SreAgentBuilder.setDetectorStateStore}), one per agent
   * id, so that a restarted agent resumes detection without a new warm-up.
   */
  public JdbcDetectorStateStore detectorStateStore() {
    return detectorStates;
  }

  /** The audit log with its JDBC-specific methods. */
  public JdbcAuditLog jdbcAuditLog() {
    return audit;
  }

  /** The JDBC URL (no password). */
  public String url() {
    return db.url;
  }

  Database database() {
    return db;
  }

  /** Transactions retried after a transient failure (the database restarting, a connection cut) since the start. */
  public long retries() {
    return db.retries.get();
  }

  /** Outbox events not yet published. */
  public long pendingOutboxEvents() {
    return db.inTransaction("counting pending outbox events", c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sre_outbox WHERE published_at IS NULL")) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  private void migrate() {
    try {
      Flyway.configure(JdbcStores.class.getClassLoader())
          .dataSource(pool)
          .locations("classpath:db/sre-agent")
          .table("sre_agent_schema_history")
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw Database.failure("migrating the schema (Flyway, classpath:db/sre-agent)", db.url, db.user, e);
    }
  }

  /** Closes the pool (and shuts an H2 database down). */
  @Override
  public void close() {
    if (pool.isClosed()) {
      return;
    }
    if (db.dialect == Dialect.H2) {
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      } catch (SQLException e) {
        LOG.debug("H2 shutdown of {} failed", db.url, e);
      }
    }
    pool.close();
  }

  @Override
  public String toString() {
    return "JdbcStores[" + db.url + " as " + db.user + "]";
  }

  /** Builder of {@link JdbcStores}; {@link #build()} connects, migrates and can run again. */
  public static final class Builder {
    private @Nullable String url;
    private String user = "";
    private String password = "";
    private int maximumPoolSize = DEFAULT_MAXIMUM_POOL_SIZE;
    private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
    private Duration retryWindow = DEFAULT_RETRY_WINDOW;
    private Clock clock = Clock.system();
    private @Nullable AuditKey auditKey;
    private boolean migrate = true;

    private Builder() {}

    /** {@code jdbc:postgresql://host:port/database} or {@code jdbc:h2:...}. */
    public Builder setUrl(String url) {
      if (this.url != null) {
        throw new IllegalStateException("url was already set to " + this.url);
      }
      Dialect.of(Require.notBlank(url, "url"));
      this.url = url;
      return this;
    }

    public Builder setUser(String user) {
      this.user = Objects.requireNonNull(user, "user");
      return this;
    }

    public Builder setPassword(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /** Connections in the pool (at least 1); default {@value #DEFAULT_MAXIMUM_POOL_SIZE}. */
    public Builder setMaximumPoolSize(int size) {
      this.maximumPoolSize = Require.atLeast(size, 1, "maximumPoolSize");
      return this;
    }

    /** How long to wait for a connection (at least 250 ms); also how long the first connection may take. */
    public Builder setConnectionTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.toMillis() < 250) {
        throw new IllegalArgumentException("connectionTimeout must be at least 250 ms, but was " + timeout);
      }
      this.connectionTimeout = timeout;
      return this;
    }

    /** How long a write keeps retrying transient failures before it throws (zero: no retry). */
    public Builder setRetryWindow(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.isNegative()) {
        throw new IllegalArgumentException("retryWindow must not be negative, but was " + window);
      }
      this.retryWindow = window;
      return this;
    }

    /** The clock of outbox timestamps and retry backoff; default the system clock. */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Keys the audit log (every agent sharing the database must use the same key). */
    public Builder setAuditKey(AuditKey key) {
      if (this.auditKey != null) {
        throw new IllegalStateException("auditKey was already set to " + this.auditKey);
      }
      this.auditKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /** Whether to migrate the schema on start (default true); false when a DBA runs the migrations. */
    public Builder setMigrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /**
     * Connects and migrates.
     *
     * @throws JdbcStoreException when the database cannot be reached, refuses the user or the migration fails
     */
    public JdbcStores build() {
      if (url == null) {
        throw new IllegalStateException("url must be set (setUrl), but was not; e.g. "
            + "jdbc:postgresql://localhost:5432/sreagent, or use JdbcStores.embedded(dir)");
      }
      return new JdbcStores(this);
    }
  }
}
