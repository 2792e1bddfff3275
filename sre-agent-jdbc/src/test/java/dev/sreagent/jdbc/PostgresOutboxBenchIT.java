package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Outbox throughput against PostgreSQL, printed as a table: audit appends committed per second (each one record, one
 * outbox event, one head update in one transaction) with 1 and 4 appender threads, then the backlog relayed per
 * second by 1 and 2 relays (batches of 100). {@code -Dbench.seconds} sets each append run (default 4).
 */
class PostgresOutboxBenchIT {
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void outboxThroughput() throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 4);
    List<String> rows = new ArrayList<>();
    for (int threads : new int[] {1, 4}) {
      JdbcStores db = stores.track(JdbcStores.builder().setUrl(stores.newPostgresDatabase())
          .setUser(TestStores.postgresUser()).setPassword(TestStores.postgresPassword())
          .setMaximumPoolSize(threads + 2).build());
      long appended = append(db, threads, seconds);
      double committed = appended / (double) seconds;
      for (int relays : new int[] {1, 2}) {
        if (relays == 2) {
          // the same backlog again, for the second relay count
          resetPublished(db);
        }
        long started = System.nanoTime();
        List<OutboxRelay> running = new ArrayList<>();
        AtomicLong seen = new AtomicLong();
        for (int r = 0; r < relays; r++) {
          running.add(OutboxRelay.builder(db, e -> seen.incrementAndGet()).setBatchSize(100)
              .setPollInterval(Duration.ofMillis(10)).setName("bench-" + r).build().start());
        }
        while (db.pendingOutboxEvents() > 0) {
          Thread.sleep(5);
        }
        double relayed = appended / ((System.nanoTime() - started) / 1e9);
        running.forEach(OutboxRelay::close);
        assertThat(seen.get()).isEqualTo(appended);
        rows.add(String.format("| %d | %,d | %,.0f | %d | %,.0f |", threads, appended, committed, relays, relayed));
      }
      assertThat(db.auditLog().verify().intact()).isTrue();
    }
    System.out.println("outbox throughput against PostgreSQL (" + seconds + " s of appends per row):");
    System.out.println("| appender threads | events | committed events/s | relays | relayed events/s |");
    System.out.println("|---|---|---|---|---|");
    rows.forEach(System.out::println);
  }

  private static long append(JdbcStores db, int threads, int seconds) throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong n = new AtomicLong();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String writer = "bench" + t;
      Thread th = new Thread(() -> {
        int i = 0;
        while (!stop.get()) {
          db.auditLog().append(Scenarios.entry(writer, i++));
          n.incrementAndGet();
        }
      });
      ts.add(th);
      th.start();
    }
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    for (Thread th : ts) {
      th.join();
    }
    return n.get();
  }

  private static void resetPublished(JdbcStores db) throws Exception {
    try (java.sql.Connection c = db.database().dataSource.getConnection();
        java.sql.Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE sre_outbox SET published_at = NULL");
    }
  }
}
