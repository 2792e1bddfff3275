package dev.sreagent.jdbc;

/**
 * The database could not be reached or refused an operation. The message names the JDBC URL (never the password),
 * what failed, the database's own words and how to fix it; the cause is the driver's exception.
 */
public final class JdbcStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;

  JdbcStoreException(String message, String sqlState, Throwable cause) {
    super(message, cause);
    this.sqlState = sqlState;
  }

  /** The SQLSTATE the driver reported, or {@code ""} when there was none. */
  public String sqlState() {
    return sqlState;
  }
}
