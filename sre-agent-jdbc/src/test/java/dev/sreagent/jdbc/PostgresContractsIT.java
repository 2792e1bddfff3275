package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.testkit.contract.AuditLogContract;
import dev.sreagent.testkit.contract.IncidentStoreContract;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The testkit's port contracts, one chain from concurrent writers, two relays and the error messages against a real
 * PostgreSQL ({@code -Dpostgres.url}, started by {@code .ci/run}); each test on a new database.
 */
class PostgresContractsIT {
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  @Nested
  class IncidentStoreOnPostgres extends IncidentStoreContract {
    @Override
    protected IncidentStore create() {
      return stores.postgres().incidentStore();
    }
  }

  @Nested
  class AuditLogOnPostgres extends AuditLogContract {
    @Override
    protected AuditLog create() {
      return stores.postgres().auditLog();
    }
  }

  @Test
  void twoAppendersOnTwoPoolsMakeOneUnbrokenChain() throws Exception {
    String url = stores.newPostgresDatabase();
    JdbcStores a = stores.postgres(url, java.time.Duration.ofSeconds(10));
    JdbcStores b = stores.postgres(url, java.time.Duration.ofSeconds(10));
    Scenarios.concurrentAppendersMakeOneChain(List.of(a, b), 2, 250);
  }

  @Test
  void twoRelaysSkipEachOthersRowsAndPublishEachEventOnce() throws Exception {
    String url = stores.newPostgresDatabase();
    Scenarios.twoRelaysNeverPublishOneRowTwice(stores.postgres(url, java.time.Duration.ofSeconds(10)),
        stores.postgres(url, java.time.Duration.ofSeconds(10)), 1_000, true);
  }

  @Test
  void aMissingDatabaseIsNamedWithTheFix() {
    String admin = TestStores.postgresUrl();
    String url = admin.substring(0, admin.lastIndexOf('/') + 1) + "no_such_database";
    assertThatThrownBy(() -> JdbcStores.postgres(url, TestStores.postgresUser(), "pw-not-shown"))
        .isInstanceOf(JdbcStoreException.class)
        .hasMessageContaining(url).hasMessageContaining("does not exist").hasMessageContaining("createdb")
        .hasMessageNotContaining("pw-not-shown")
        .satisfies(e -> assertThat(((JdbcStoreException) e).sqlState()).isEqualTo("3D000"));
  }

  @Test
  void theIncidentStoreAndAuditLogOfAReopenedStoreHoldWhatWasWritten() {
    String url = stores.newPostgresDatabase();
    JdbcStores first = stores.postgres(url, java.time.Duration.ofSeconds(10));
    first.auditLog().append(Scenarios.entry("a", 1));
    first.close();
    JdbcStores again = stores.postgres(url, java.time.Duration.ofSeconds(10));
    assertThat(again.auditLog().records()).hasSize(1);
    assertThat(again.auditLog().append(Scenarios.entry("a", 2)).sequence()).isEqualTo(2);
    assertThat(again.auditLog().verify().intact()).isTrue();
  }
}
