package dev.sreagent.jdbc;

import dev.sreagent.api.port.AuditLog;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.testkit.contract.AuditLogContract;
import dev.sreagent.testkit.contract.IncidentStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The testkit's port contracts against the embedded H2 store. */
class H2ContractsTest {
  @Nested
  class IncidentStoreOnH2 extends IncidentStoreContract {
    private final TestStores stores = new TestStores();

    @Override
    protected IncidentStore create() {
      return stores.h2().incidentStore();
    }

    @AfterEach
    void close() {
      stores.close();
    }
  }

  @Nested
  class AuditLogOnH2 extends AuditLogContract {
    private final TestStores stores = new TestStores();

    @Override
    protected AuditLog create() {
      return stores.h2().auditLog();
    }

    @AfterEach
    void close() {
      stores.close();
    }
  }
}
