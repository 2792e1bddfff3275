package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay in a child JVM is SIGKILLed in the middle of a batch: the events it handed on but had not committed as
 * published come again from the next relay, so nothing is lost, and the idempotent consumer absorbs exactly those
 * duplicates.
 */
class PostgresRelayKilledIT {
  private static final int EVENTS = 600;
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void aRelayKilledMidBatchLosesNothingAndItsDuplicatesAreAbsorbed(@TempDir Path dir) throws Exception {
    String url = stores.newPostgresDatabase();
    JdbcStores db = stores.postgres(url, Duration.ofSeconds(10));
    for (int i = 0; i < EVENTS; i++) {
      db.auditLog().append(Scenarios.entry("agent", i));
    }
    Path sink = dir.resolve("delivered.txt");
    Files.createFile(sink);
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), RelayChild.class.getName(), url, TestStores.postgresUser(),
        TestStores.postgresPassword(), sink.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    try {
      // kill it in the middle of a batch: past the first committed batches, between two batch boundaries
      long deadline = System.currentTimeMillis() + 120_000;
      while (true) {
        int n = delivered(sink).size();
        if (n >= 170 && n % 50 >= 10 && n % 50 <= 40) {
          break;
        }
        assertThat(child.isAlive()).as("child relay still running (log: %s)", dir.resolve("child.log")).isTrue();
        assertThat(System.currentTimeMillis()).as("child relay progress").isLessThan(deadline);
        Thread.sleep(2);
      }
      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    List<String> byChild = delivered(sink);
    long markedByChild = published(db);
    assertThat(markedByChild).as("whole batches committed").isLessThan(byChild.size()).isPositive();
    assertThat(markedByChild % 50).isZero();
    assertThat(db.pendingOutboxEvents()).isEqualTo(EVENTS - markedByChild);

    // the downstream system is idempotent: it remembers the ids it received (here: what the child delivered)
    Set<String> received = new HashSet<>(byChild);
    long[] duplicates = {0};
    OutboxConsumer idempotent = e -> {
      if (!received.add(e.eventId())) {
        duplicates[0]++;
      }
    };
    OutboxRelay relay = OutboxRelay.builder(db, idempotent).setName("survivor").build();
    long drainDeadline = System.currentTimeMillis() + 60_000;
    while (db.pendingOutboxEvents() > 0 && System.currentTimeMillis() < drainDeadline) {
      if (relay.relayOnce() == 0) {
        Thread.sleep(20); // rows still locked by the killed relay's session until the server notices it died
      }
    }
    assertThat(db.pendingOutboxEvents()).isZero();
    assertThat(received).as("every event delivered").isEqualTo(allEventIds(db)).hasSize(EVENTS);
    assertThat(duplicates[0]).as("exactly the events of the killed batch came twice")
        .isEqualTo(byChild.size() - markedByChild);
    assertThat(db.auditLog().verify().intact()).isTrue();
    System.out.printf("relay killed mid-batch: child delivered %d, committed %d as published; survivor redelivered"
        + " %d duplicates (absorbed), %d events, none lost%n", byChild.size(), markedByChild, duplicates[0], EVENTS);
  }

  private static List<String> delivered(Path sink) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : new String(Files.readAllBytes(sink), StandardCharsets.UTF_8).split("\n", -1)) {
      if (line.matches("audit-\\d+-[0-9a-f]{16}")) {
        out.add(line);
      }
    }
    return out;
  }

  private static long published(JdbcStores db) throws Exception {
    try (Connection c = db.database().dataSource.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sre_outbox WHERE published_at IS NOT NULL")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Set<String> allEventIds(JdbcStores db) throws Exception {
    Set<String> out = new HashSet<>();
    try (Connection c = db.database().dataSource.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT event_id FROM sre_outbox")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
