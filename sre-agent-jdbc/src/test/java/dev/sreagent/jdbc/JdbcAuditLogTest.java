package dev.sreagent.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import dev.sreagent.core.audit.AuditChain;
import dev.sreagent.core.audit.AuditKey;
import dev.sreagent.core.audit.HashChainedAuditLog;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcAuditLogTest {
  private final TestStores stores = new TestStores();

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void eachRecordAndItsOutboxEventAreWrittenTogether() throws Exception {
    JdbcStores db = stores.h2();
    AuditRecord r1 = db.auditLog().append(Scenarios.entry("a", 1));
    AuditRecord r2 = db.auditLog().append(Scenarios.entry("a", 2));
    assertThat(db.pendingOutboxEvents()).isEqualTo(2);
    List<OutboxEvent> got = new ArrayList<>();
    assertThat(OutboxRelay.builder(db, got::add).build().relayOnce()).isEqualTo(2);
    assertThat(got).extracting(OutboxEvent::eventId).containsExactly(JdbcAuditLog.eventId(r1), JdbcAuditLog.eventId(r2));
    assertThat(got.get(1).auditSequence()).isEqualTo(2);
    assertThat(got.get(1).incidentId()).isEqualTo("INC-a-2");
    assertThat(AuditChain.parse(got.get(1).payload())).isEqualTo(r2);
    assertThat(db.pendingOutboxEvents()).isZero();
  }

  @Test
  void recordsAboutAnIncidentAreReadByItsIndexInChainOrder() {
    JdbcStores db = stores.h2();
    for (int i = 1; i <= 6; i++) {
      db.auditLog().append(Scenarios.entry(i % 2 == 0 ? "a" : "b", i));
    }
    db.auditLog().append(new dev.sreagent.api.model.AuditEntry(java.time.Instant.EPOCH, "test.append", "INC-a-2",
        "b", java.util.Map.of("n", "7")));
    assertThat(db.auditLog().recordsAbout("INC-a-2")).extracting(AuditRecord::sequence).containsExactly(2L, 7L);
    assertThat(db.auditLog().recordsAbout("INC-none")).isEmpty();
    assertThat(db.auditLog().recordsAbout("INC-b-1"))
        .isEqualTo(db.auditLog().records().stream().filter(r -> "INC-b-1".equals(r.entry().incidentId())).toList());
  }

  @Test
  void theSameLinesVerifyAsTheFileLogsRulesSay(@TempDir Path dir) throws Exception {
    JdbcStores db = stores.h2();
    for (int i = 1; i <= 5; i++) {
      db.auditLog().append(Scenarios.entry("a", i));
    }
    List<String> lines = lines(db);
    assertThat(HashChainedAuditLog.verifyLines(lines, new HashChainedAuditLog.Head(5, db.auditLog().records().get(4)
        .hash())).intact()).isTrue();
    // a file log fed the same entries writes the same lines
    try (HashChainedAuditLog file = HashChainedAuditLog.open(dir.resolve("audit.jsonl"))) {
      for (int i = 1; i <= 5; i++) {
        file.append(Scenarios.entry("a", i));
      }
      assertThat(file.lines()).isEqualTo(lines);
    }
  }

  @Test
  void anEditedRowADeletedRowAndACutEndAreCaught() throws Exception {
    JdbcStores db = stores.h2();
    for (int i = 1; i <= 4; i++) {
      db.auditLog().append(Scenarios.entry("a", i));
    }
    sql(db, "UPDATE sre_audit_record SET line = REPLACE(line, '\"n\":\"2\"', '\"n\":\"9\"') WHERE seq = 2");
    AuditVerification edited = db.auditLog().verify();
    assertThat(edited.intact()).isFalse();
    assertThat(edited.firstBadSequence()).isEqualTo(2);

    JdbcStores db2 = stores.h2();
    for (int i = 1; i <= 4; i++) {
      db2.auditLog().append(Scenarios.entry("a", i));
    }
    sql(db2, "DELETE FROM sre_audit_record WHERE seq = 3");
    assertThat(db2.auditLog().verify().firstBadSequence()).isEqualTo(3);

    JdbcStores db3 = stores.h2();
    for (int i = 1; i <= 4; i++) {
      db3.auditLog().append(Scenarios.entry("a", i));
    }
    sql(db3, "DELETE FROM sre_audit_record WHERE seq = 4");
    AuditVerification cut = db3.auditLog().verify();
    assertThat(cut.intact()).as("the head still says 4 records").isFalse();
  }

  @Test
  void aKeyedLogCarriesMacsAndRefusesRecordsForgedWithoutTheKey() throws Exception {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) 7);
    JdbcStores db = stores.track(JdbcStores.builder().setUrl("jdbc:h2:mem:keyed" + System.nanoTime()
        + ";DB_CLOSE_DELAY=-1").setUser("sa").setAuditKey(AuditKey.of(secret)).build());
    db.auditLog().append(Scenarios.entry("a", 1));
    db.auditLog().append(Scenarios.entry("a", 2));
    assertThat(db.auditLog().verify().intact()).isTrue();
    assertThat(lines(db).get(0)).contains("\"mac\":\"");
    // someone with database access but no key re-chains record 2 with a plain hash
    AuditRecord r1 = db.auditLog().records().get(0);
    AuditChain.Link forged = AuditChain.link(2, Scenarios.entry("forger", 2), r1.hash(), null);
    sql(db, "DELETE FROM sre_audit_record WHERE seq = 2");
    try (Connection c = db.database().dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO sre_audit_record (seq, record_type, recorded_at, hash,"
            + " line) VALUES (2, 't', 'x', ?, ?)")) {
      ps.setString(1, forged.hash());
      ps.setString(2, forged.text());
      ps.executeUpdate();
    }
    sql(db, "UPDATE sre_audit_head SET hash = '" + forged.hash() + "'");
    AuditVerification v = db.auditLog().verify();
    assertThat(v.intact()).isFalse();
    assertThat(v.firstBadSequence()).isEqualTo(2);
  }

  @Test
  void aKeyedChainIsRefusedWhenOpenedWithoutItsKeyOrWithAnotherAndNothingIsAppended() throws Exception {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) 7);
    String url = "jdbc:h2:mem:keyedopen" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    JdbcStores keyed = stores.track(JdbcStores.builder().setUrl(url).setUser("sa").setAuditKey(AuditKey.of(secret))
        .build());
    keyed.auditLog().append(Scenarios.entry("a", 1));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JdbcStores.builder().setUrl(url).setUser("sa").build())
        .hasMessageContaining("does not verify without a key at record 1").hasMessageContaining("setAuditKey");
    byte[] other = new byte[32];
    Arrays.fill(other, (byte) 9);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JdbcStores.builder().setUrl(url).setUser("sa")
        .setAuditKey(AuditKey.of(other)).build()).hasMessageContaining("does not verify with the key given");
    assertThat(keyed.auditLog().records()).as("nothing appended by the refused openings").hasSize(1);
    assertThat(keyed.auditLog().verify().intact()).isTrue();
  }

  @Test
  void appendsFromTwoStoresOnOneDatabaseMakeOneChain() throws Exception {
    String url = "jdbc:h2:mem:shared" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    JdbcStores a = stores.track(JdbcStores.builder().setUrl(url).setUser("sa").build());
    JdbcStores b = stores.track(JdbcStores.builder().setUrl(url).setUser("sa").build());
    Scenarios.concurrentAppendersMakeOneChain(List.of(a, b), 2, 100);
  }

  @Test
  void theEmbeddedStoreKeepsTheChainAcrossARestart(@TempDir Path dir) {
    AuditRecord last;
    try (JdbcStores db = JdbcStores.embedded(dir)) {
      db.auditLog().append(Scenarios.entry("a", 1));
      last = db.auditLog().append(Scenarios.entry("a", 2));
    }
    try (JdbcStores db = JdbcStores.embedded(dir)) {
      assertThat(db.auditLog().records()).hasSize(2).last().isEqualTo(last);
      AuditRecord next = db.auditLog().append(Scenarios.entry("a", 3));
      assertThat(next.previousHash()).isEqualTo(last.hash());
      assertThat(db.auditLog().verify().intact()).isTrue();
      assertThat(db.jdbcAuditLog().size()).isEqualTo(3);
    }
  }

  static List<String> lines(JdbcStores db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.database().dataSource.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT line FROM sre_audit_record ORDER BY seq")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  static void sql(JdbcStores db, String sql) throws Exception {
    try (Connection c = db.database().dataSource.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }
}
