package dev.sreagent.jdbc;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link OutboxRetentionTest}'s scenario on PostgreSQL (the same SQL: OFFSET/FETCH, DELETE with a sub-select). */
class PostgresOutboxRetentionIT {
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void publishedRowsPastTheAgeOrTheCountAreDeletedOnPostgres() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T10:00:00Z"));
    OutboxRetentionTest.scenario(stores.track(JdbcStores.builder().setUrl(stores.newPostgresDatabase())
        .setUser(TestStores.postgresUser()).setPassword(TestStores.postgresPassword()).setClock(now::get).build()),
        now);
  }
}
