package dev.sreagent.jdbc;

import dev.sreagent.api.port.Clock;
import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pool, where it points (for messages), the dialect, the clock, and one way to run a transaction with retries. */
final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  final DataSource dataSource;
  final String url;
  final String user;
  final Dialect dialect;
  final Clock clock;
  final Duration retryWindow;
  final java.util.concurrent.atomic.AtomicLong retries = new java.util.concurrent.atomic.AtomicLong();

  Database(DataSource dataSource, String url, String user, Dialect dialect, Clock clock, Duration retryWindow) {
    this.dataSource = dataSource;
    this.url = url;
    this.user = user;
    this.dialect = dialect;
    this.clock = clock;
    this.retryWindow = retryWindow;
  }

  /** Work inside one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction and commits; on a transient failure (connection lost or refused, server
   * shutting down, serialisation failure) it retries with backoff for up to the retry window, then throws.
   *
   * @throws JdbcStoreException naming {@code what}, the URL, the database's words and the fix
   */
  <T> T inTransaction(String what, Work<T> work) {
    Instant deadline = clock.now().plus(retryWindow);
    long backoffMs = 50;
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        return once(work);
      } catch (SQLException e) {
        if (!isTransient(e) || !clock.now().isBefore(deadline)) {
          throw failure(what + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), e);
        }
        retries.incrementAndGet();
        LOG.debug("{} failed (attempt {}), retrying: {}", what, attempt, e.toString());
        try {
          clock.sleep(Duration.ofMillis(backoffMs));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw failure(what + " (interrupted while retrying)", e);
        }
        backoffMs = Math.min(backoffMs * 2, 1_000);
      }
    }
  }

  private <T> T once(Work<T> work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException re) {
          e.addSuppressed(re);
        }
        throw e;
      }
    }
  }

  /** Connection-class failures, a server going away, and serialisation failures or deadlocks: worth a retry. */
  static boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
        return true;
      }
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P") || state.equals("40001") || state.equals("40P01")
            || state.equals("53300")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** The exception to throw for {@code e} while doing {@code what}: the URL, the user, the database's words, a fix. */
  JdbcStoreException failure(String what, SQLException e) {
    return failure(what, url, user, e);
  }

  static JdbcStoreException failure(String what, String url, String user, Throwable e) {
    String state = sqlState(e);
    String words = deepestMessage(e);
    return new JdbcStoreException(what + " against " + url + " as user '" + user + "' failed: " + words
        + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")") + "; " + hint(state, e), state, e);
  }

  static String hint(String state, Throwable e) {
    if (state.equals("28P01") || state.equals("28000")) {
      return "check the user and password given to JdbcStores (and the server's pg_hba.conf for this host)";
    }
    if (state.equals("3D000")) {
      return "the database named in the URL does not exist: create it (createdb <name>) or name an existing one";
    }
    if (state.startsWith("08") || hasCause(e, ConnectException.class)) {
      return "the database server is not reachable: check that it runs and listens at the host and port of the"
          + " URL; writes retry within the configured retry window, then fail (nothing is half-written)";
    }
    if (state.startsWith("57P")) {
      return "the database server is shutting down, starting up or was restarted (this connection was cut);"
          + " writes retry within the configured retry window, then fail (nothing is half-written)";
    }
    if (state.equals("42P01") || state.equals("42S02") || state.equals("42S04")) {
      return "the store's tables are missing: let JdbcStores migrate the schema (it does on start) or run its"
          + " Flyway migrations from classpath:db/sre-agent";
    }
    return "see the cause for the driver's details";
  }

  static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return "";
  }

  private static String deepestMessage(Throwable e) {
    @Nullable String msg = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && (t instanceof SQLException || msg == null)) {
        msg = t.getMessage();
      }
      if (t instanceof SQLException s && s.getSQLState() != null) {
        break;
      }
    }
    return msg == null ? e.toString() : msg;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
