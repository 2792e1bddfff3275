package dev.sreagent.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link IncidentRetentionTest}'s scenario on PostgreSQL (OFFSET/FETCH, FOR UPDATE SKIP LOCKED, the V3 table). */
class PostgresIncidentRetentionIT {
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void endedIncidentsBeyondTheNewestAreDeletedAndStayDeletedAcrossARestartOnPostgres() {
    IncidentRetentionTest.scenario(stores.postgres());
  }
}
