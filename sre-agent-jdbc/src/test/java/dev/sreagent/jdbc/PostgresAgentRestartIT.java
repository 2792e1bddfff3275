package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * An agent on PostgreSQL: PostgreSQL is stopped in the middle of an incident and started two seconds later, the agent
 * crashes and restarts afterwards: its writes wait the outage out (retry window), nothing is lost, the action runs
 * once, and the restarted agent rebuilds its state from the database.
 */
class PostgresAgentRestartIT {
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void postgresRestartedMidIncidentThenAgentCrash() throws Exception {
    String ctl = System.getProperty("postgres.ctl", "");
    Assumptions.assumeTrue(!ctl.isBlank() && !ctl.startsWith("${"), "no -Dpostgres.ctl script to stop PostgreSQL");
    JdbcStores db = stores.postgres(stores.newPostgresDatabase(), Duration.ofSeconds(60));
    Thread[] starter = new Thread[1];
    AgentScenarios.anIncidentIsHandledOnceAcrossACrash(db, () -> {
      run(ctl, "stop");
      starter[0] = new Thread(() -> {
        try {
          Thread.sleep(2_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        run(ctl, "start");
      });
      starter[0].start();
    });
    starter[0].join(120_000);
    assertThat(db.retries()).as("the agent's writes met the outage and were retried").isPositive();
    System.out.printf("PostgreSQL restarted mid-incident: %d transactions retried, incident resolved once%n",
        db.retries());
  }

  private static void run(String ctl, String action) {
    try {
      Process p = new ProcessBuilder(ctl, action).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("%s %s", ctl, action).isZero();
    } catch (Exception e) {
      throw new IllegalStateException(ctl + " " + action + " failed", e);
    }
  }
}
