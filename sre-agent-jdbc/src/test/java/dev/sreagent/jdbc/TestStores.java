package dev.sreagent.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/** Fresh stores for tests: H2 in memory, or a new database on the PostgreSQL named by system properties. */
final class TestStores implements AutoCloseable {
  private final List<JdbcStores> open = new ArrayList<>();
  private final List<String> databases = new ArrayList<>();

  /** A fresh, empty H2 store in memory. */
  JdbcStores h2() {
    return track(JdbcStores.inMemory("t" + UUID.randomUUID().toString().replace("-", "")));
  }

  /** The PostgreSQL URL from {@code -Dpostgres.url}; skips the test when it is not set. */
  static String postgresUrl() {
    String url = System.getProperty("postgres.url", "");
    Assumptions.assumeTrue(!url.isBlank() && !url.startsWith("${"),
        "no PostgreSQL: run with -Pit -Dpostgres.url=jdbc:postgresql://127.0.0.1:PORT/postgres (see .ci/run)");
    return url;
  }

  static String postgresUser() {
    String user = System.getProperty("postgres.user", "");
    return user.isBlank() || user.startsWith("${") ? "postgres" : user;
  }

  static String postgresPassword() {
    String pw = System.getProperty("postgres.password", "");
    return pw.startsWith("${") ? "" : pw;
  }

  /** The URL of a new, empty database on the test server. */
  String newPostgresDatabase() {
    String admin = postgresUrl();
    String name = "sre_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    try (Connection c = DriverManager.getConnection(admin, postgresUser(), postgresPassword());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database on " + admin + ": " + e.getMessage(), e);
    }
    databases.add(name);
    int slash = admin.lastIndexOf('/');
    int query = admin.indexOf('?', slash);
    return admin.substring(0, slash + 1) + name + (query < 0 ? "" : admin.substring(query));
  }

  /** A store on a new, empty PostgreSQL database. */
  JdbcStores postgres() {
    return postgres(newPostgresDatabase(), Duration.ofSeconds(10));
  }

  JdbcStores postgres(String url, Duration retryWindow) {
    return track(JdbcStores.builder().setUrl(url).setUser(postgresUser()).setPassword(postgresPassword())
        .setRetryWindow(retryWindow).build());
  }

  JdbcStores track(JdbcStores s) {
    open.add(s);
    return s;
  }

  @Override
  public void close() {
    for (JdbcStores s : open) {
      s.close();
    }
    open.clear();
    if (databases.isEmpty()) {
      return;
    }
    try (Connection c = DriverManager.getConnection(postgresUrl(), postgresUser(), postgresPassword());
        Statement s = c.createStatement()) {
      for (String db : databases) {
        s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      }
    } catch (SQLException e) {
      // a test database left behind on a throwaway server is harmless
    }
    databases.clear();
  }
}
