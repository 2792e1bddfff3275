package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retention of the outbox on H2: published rows past the age or the count go, unpublished rows and the audit stay. */
class OutboxRetentionTest {
  private final TestStores stores = new TestStores();


  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void publishedRowsPastTheAgeOrTheCountAreDeletedNeverUnpublishedOnesNorTheAudit() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T10:00:00Z"));
    scenario(stores.track(JdbcStores.builder().setUrl("jdbc:h2:mem:retention;DB_CLOSE_DELAY=-1")
        .setUser("sa").setClock(now::get).build()), now);
  }

  /** 30 records, 20 published two days apart: retention by age (1 day) then by count (4). */
  static void scenario(JdbcStores db, AtomicReference<Instant> now) throws Exception {
    for (int i = 0; i < 30; i++) {
      db.auditLog().append(Scenarios.entry("a", i));
    }
    List<String> seen = new ArrayList<>();
    OutboxRelay relay = OutboxRelay.builder(db, e -> seen.add(e.eventId())).setBatchSize(10).build();
    relay.relayOnce(); // 10 published at 10:00
    now.set(now.get().plus(Duration.ofDays(2)));
    relay.relayOnce(); // 10 more at 2 days later; 10 stay unpublished
    OutboxRetention retention = OutboxRetention.builder(db).setMaxAge(Duration.ofDays(1)).setMaxRows(4).build();
    assertThat(retention.runOnce()).as("10 by age, then 6 beyond the newest 4").isEqualTo(16);
    assertThat(ids(db, "published_at IS NOT NULL")).containsExactly(17L, 18L, 19L, 20L);
    assertThat(db.pendingOutboxEvents()).isEqualTo(10);
    assertThat(ids(db, "published_at IS NULL")).hasSize(10).allSatisfy(id -> assertThat(id).isGreaterThan(20L));
    assertThat(db.auditLog().records()).hasSize(30);
    assertThat(db.auditLog().verify().intact()).isTrue();
    assertThat(retention.runOnce()).as("idempotent").isZero();
    relay.relayOnce();
    assertThat(seen).hasSize(30).doesNotHaveDuplicates();
    assertThat(retention.deleted()).isEqualTo(16);
    assertThatThrownBy(() -> OutboxRetention.builder(db).setMaxRows(0)).hasMessageContaining("maxRows");
  }

  private static List<Long> ids(JdbcStores db, String where) throws Exception {
    List<Long> out = new ArrayList<>();
    try (Connection c = db.database().dataSource.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM sre_outbox WHERE " + where + " ORDER BY id")) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }
}
