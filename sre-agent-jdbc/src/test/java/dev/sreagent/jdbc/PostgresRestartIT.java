package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL is stopped and started again while an agent appends and a relay publishes: appends fail with a clear
 * error while it is down (or wait it out within the retry window), then succeed; every acknowledged record is there,
 * the chain verifies and the relay publishes everything. Needs {@code -Dpostgres.ctl=<script start|stop>}
 * ({@code .ci/run} writes one).
 */
class PostgresRestartIT {
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  private static void ctl(String action) throws Exception {
    String ctl = System.getProperty("postgres.ctl", "");
    Assumptions.assumeTrue(!ctl.isBlank() && !ctl.startsWith("${"), "no -Dpostgres.ctl script to stop PostgreSQL");
    Process p = new ProcessBuilder(ctl, action).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s %s: %s", ctl, action, out).isZero();
  }

  @Test
  void appendsFailClearlyWhileTheServerIsDownThenResumeAndNothingIsLost() throws Exception {
    String ctlProperty = System.getProperty("postgres.ctl", "");
    Assumptions.assumeTrue(!ctlProperty.isBlank() && !ctlProperty.startsWith("${"), "no -Dpostgres.ctl");
    String url = stores.newPostgresDatabase();
    // the agent's store waits out a restart (retry window 60 s); a second one gives up at once, to see the error
    JdbcStores agent = stores.postgres(url, Duration.ofSeconds(60));
    JdbcStores impatient = stores.track(JdbcStores.builder().setUrl(url).setUser(TestStores.postgresUser())
        .setPassword(TestStores.postgresPassword()).setRetryWindow(Duration.ZERO)
        .setConnectionTimeout(Duration.ofMillis(500)).build());
    Map<String, Boolean> relayed = new ConcurrentHashMap<>();
    OutboxRelay relay = OutboxRelay.builder(agent, e -> relayed.put(e.eventId(), Boolean.TRUE))
        .setPollInterval(Duration.ofMillis(50)).setName("restart").build().start();

    Map<Long, AuditRecord> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    Thread appender = new Thread(() -> {
      int i = 0;
      while (!stop.get()) {
        try {
          AuditRecord r = agent.auditLog().append(Scenarios.entry("agent", i++));
          acknowledged.put(r.sequence(), r);
        } catch (JdbcStoreException e) {
          failed.incrementAndGet(); // not acknowledged: the agent would retry; nothing half-written
        } catch (Throwable t) {
          unexpected.set(t);
          return;
        }
      }
    }, "appender");
    appender.start();
    try {
      awaitAtLeast(acknowledged, 200);
      ctl("stop");
      int beforeDown = acknowledged.size();
      assertThatThrownBy(() -> impatient.auditLog().append(Scenarios.entry("impatient", 1)))
          .isInstanceOf(JdbcStoreException.class).hasMessageContaining(url)
          .hasMessageContaining("appending audit record").hasMessageContaining("retry window")
          .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("not reachable", "shutting down"));
      Thread.sleep(1_500);
      assertThat(acknowledged.size()).as("no append is acknowledged while the server is down")
          .isLessThanOrEqualTo(beforeDown + 1);
    } finally {
      ctl("start");
    }
    awaitAtLeast(acknowledged, acknowledged.size() + 200);
    stop.set(true);
    appender.join(60_000);
    assertThat(unexpected.get()).isNull();

    List<AuditRecord> all = agent.auditLog().records();
    for (AuditRecord r : acknowledged.values()) {
      assertThat(all.get((int) r.sequence() - 1)).as("acknowledged record %s kept", r.sequence()).isEqualTo(r);
    }
    AuditVerification v = agent.auditLog().verify();
    assertThat(v.intact()).as(v.problem()).isTrue();
    assertThat(all).hasSize(acknowledged.size());
    long deadline = System.currentTimeMillis() + 60_000;
    while (agent.pendingOutboxEvents() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    relay.close();
    assertThat(agent.pendingOutboxEvents()).isZero();
    assertThat(relayed).hasSize(all.size());
    System.out.printf("PostgreSQL restarted mid-run: %d records acknowledged and kept, %d appends failed and were"
        + " not acknowledged, chain intact, %d events relayed%n", all.size(), failed.get(), relayed.size());
  }

  private static void awaitAtLeast(Map<Long, AuditRecord> acknowledged, int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 120_000;
    while (acknowledged.size() < n) {
      assertThat(System.currentTimeMillis()).as("appends resumed").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
