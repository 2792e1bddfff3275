package dev.sreagent.jdbc;

/** What differs between the databases the store runs on: the upsert and how a relay claims outbox rows. */
enum Dialect {
  POSTGRESQL(
      "INSERT INTO sre_incident (id, state, terminal, updated_at, body) VALUES (?, ?, ?, ?, ?)"
          + " ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, terminal = EXCLUDED.terminal,"
          + " updated_at = EXCLUDED.updated_at, body = EXCLUDED.body"),
  H2("MERGE INTO sre_incident (id, state, terminal, updated_at, body) KEY (id) VALUES (?, ?, ?, ?, ?)");

  private final String upsertIncident;

  Dialect(String upsertIncident) {
    this.upsertIncident = upsertIncident;
  }

  /** Inserts or replaces an incident (id, state, terminal, updated_at, body), keeping its place in the order. */
  String upsertIncident() {
    return upsertIncident;
  }

  /**
   * Claims up to {@code ?} unpublished outbox rows, oldest first, skipping rows another relay holds: both databases
   * understand {@code FOR UPDATE SKIP LOCKED}.
   */
  String claimOutbox() {
    return "SELECT id, event_id, event_type, incident_id, audit_seq, payload, created_at FROM sre_outbox"
        + " WHERE published_at IS NULL ORDER BY id FETCH FIRST ? ROWS ONLY FOR UPDATE SKIP LOCKED";
  }

  /** The dialect of a JDBC URL, or null when the store does not support it. */
  static Dialect of(String url) {
    if (url.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    if (url.startsWith("jdbc:h2:")) {
      return H2;
    }
    throw new IllegalArgumentException("url must start with jdbc:postgresql:// (PostgreSQL) or jdbc:h2: (embedded"
        + " H2), but was " + url + "; for example jdbc:postgresql://db.example:5432/sreagent or use"
        + " JdbcStores.embedded(dir)");
  }
}
