package dev.sreagent.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent runs on the embedded store and rebuilds its state from it after a crash. */
class AgentOnJdbcStoreTest {
  @Test
  void anAgentOnTheEmbeddedStoreHandlesAnIncidentOnceAcrossACrash(@TempDir Path dir) {
    try (JdbcStores db = JdbcStores.embedded(dir)) {
      AgentScenarios.anIncidentIsHandledOnceAcrossACrash(db, () -> {});
    }
  }
}
