package dev.sreagent.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.AuditVerification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashChainedAuditLogTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static final AuditKey KEY = AuditKey.of("an audit key of at least 32 bytes, for tests".getBytes(
      StandardCharsets.UTF_8));

  private static AuditEntry entry(int i) {
    return new AuditEntry(T.plusSeconds(i), "test", "INC-1", "agent", Map.of("i", String.valueOf(i)));
  }

  private static HashChainedAuditLog keyed(Path file) {
    return HashChainedAuditLog.builder().setFile(file).setKey(KEY).build();
  }

  private static void write(Path file, boolean withKey, int records) {
    HashChainedAuditLog.Builder b = HashChainedAuditLog.builder().setFile(file);
    if (withKey) {
      b.setKey(KEY);
    }
    try (HashChainedAuditLog log = b.build()) {
      for (int i = 1; i <= records; i++) {
        log.append(entry(i));
      }
    }
  }

  /** Leaves the state of a crash between the append of one more record and the head update. */
  private static void crashAfterTheNextAppend(Path file, boolean withKey) throws Exception {
    Path head = Attacker.headFile(file);
    Path saved = file.resolveSibling("saved.head");
    Files.copy(head, saved);
    HashChainedAuditLog.Builder b = HashChainedAuditLog.builder().setFile(file);
    if (withKey) {
      b.setKey(KEY);
    }
    try (HashChainedAuditLog log = b.build()) {
      log.append(new AuditEntry(T.plusSeconds(99), "action.started", "INC-1", "agent", Map.of("key", "k1")));
    }
    Files.move(saved, head, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void reopeningReplaysTheRecordsAndContinuesTheChain(@TempDir Path dir) {
    Path file = dir.resolve("audit.jsonl");
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      log.append(entry(1));
      log.append(entry(2));
    }
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      assertThat(log.records()).extracting(AuditRecord::sequence).containsExactly(1L, 2L);
      AuditRecord third = log.append(entry(3));
      assertThat(third.sequence()).isEqualTo(3);
      assertThat(third.previousHash()).isEqualTo(log.records().get(1).hash());
      assertThat(log.verify().intact()).isTrue();
      assertThat(log.records().get(2).entry().data()).containsEntry("i", "3");
    }
  }

  @Test
  void aTornLastLineFromACrashIsDropped(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      log.append(entry(1));
    }
    Files.writeString(file, "{\"seq\":2,\"ts\":", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      assertThat(log.records()).hasSize(1);
      assertThat(log.append(entry(2)).sequence()).isEqualTo(2);
      assertThat(log.verify().intact()).isTrue();
    }
  }

  @Test
  void aTamperedLogIsRefusedWithTheRecordNumber(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      for (int i = 1; i <= 5; i++) {
        log.append(entry(i));
      }
    }
    List<String> lines = Files.readAllLines(file);
    lines.set(2, lines.get(2).replace("\"i\":\"3\"", "\"i\":\"9\""));
    Files.write(file, lines);
    assertThatThrownBy(() -> HashChainedAuditLog.open(file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("broken at record 3")
        .hasMessageContaining("edited");
  }

  @Test
  void cuttingRecordsOffTheEndIsDetectedThroughTheHead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      for (int i = 1; i <= 4; i++) {
        log.append(entry(i));
      }
    }
    List<String> lines = Files.readAllLines(file);
    Files.write(file, lines.subList(0, 2));
    assertThatThrownBy(() -> HashChainedAuditLog.open(file)).hasMessageContaining("head says 4");
  }

  @Test
  void theHeadExistsBeforeTheFirstRecord(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      assertThat(Files.readString(Attacker.headFile(file)).trim()).isEqualTo("0 " + AuditRecord.GENESIS);
    }
  }

  @Test
  void deletingTheHeadAndCuttingTheLastRecordsIsRefusedNamingTheLastRecord(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    write(file, false, 5);
    Files.delete(Attacker.headFile(file));
    Attacker.write(file, Attacker.read(file).subList(0, 3));
    assertThatThrownBy(() -> HashChainedAuditLog.open(file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the head file is missing")
        .hasMessageContaining("record 3 test at 2026-01-01T00:00:03Z by agent")
        .hasMessageContaining("acceptUnverifiedTail");
    assertThat(Files.readAllLines(file)).as("the refused log is left as it was").hasSize(3);
  }

  @Test
  void deletingTheHeadOfAKeyedLogAndCuttingRecordsIsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    write(file, true, 5);
    Files.delete(Attacker.headFile(file));
    Attacker.write(file, Attacker.read(file).subList(0, 3));
    assertThatThrownBy(() -> keyed(file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the head file is missing")
        .hasMessageContaining("record 4 and later were cut off")
        .hasMessageContaining("record 3 test at 2026-01-01T00:00:03Z");
  }

  @Test
  void verifyReportsAHeadDeletedWhileTheLogIsOpen(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      for (int i = 1; i <= 4; i++) {
        log.append(entry(i));
      }
      Files.delete(Attacker.headFile(file));
      Attacker.write(file, Attacker.read(file).subList(0, 2));
      AuditVerification v = log.verify();
      assertThat(v.intact()).isFalse();
      assertThat(v.problem()).contains("the head file is missing").contains("record 2 test");
    }
  }

  @Test
  void aLogWrittenInTheFormerFormatStillOpensAndContinues(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    Files.copy(Path.of("src/test/resources/audit/v0-unkeyed.jsonl"), file);
    Files.copy(Path.of("src/test/resources/audit/v0-unkeyed.jsonl.head"), Attacker.headFile(file));
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      assertThat(log.verify().intact()).isTrue();
      assertThat(log.records()).extracting(r -> r.entry().type())
          .containsExactly("agent.started", "phase.changed", "incident.opened");
      assertThat(log.records().get(1).entry().data()).containsEntry("reason", "operator override: \"quoted\" ünïcode");
      log.append(entry(4));
    }
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      assertThat(log.records()).hasSize(4);
      assertThat(log.verify().intact()).isTrue();
    }
  }

  @Test
  void aKeyedLogIsKeyedFromTheFirstRecordAndReopensWithTheKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    write(file, true, 3);
    List<String> lines = Attacker.read(file);
    assertThat(lines).allSatisfy(l -> assertThat(l).contains("\"alg\":\"hmac-sha256\",\"kid\":\"" + KEY.id() + "\"")
        .containsPattern(",\"mac\":\"[0-9a-f]{64}\"}$"));
    assertThat(Files.readString(Attacker.headFile(file)).trim().split(" ")).hasSize(3);
    try (HashChainedAuditLog log = keyed(file)) {
      assertThat(log.keyed()).isTrue();
      assertThat(log.verify().intact()).isTrue();
      assertThat(log.append(entry(4)).sequence()).isEqualTo(4);
      assertThat(log.head().mac()).isNotNull();
    }
    assertThat(HashChainedAuditLog.verifyLines(Attacker.read(file), null, KEY).intact()).isFalse();
  }

  @Test
  void aKeyedLogIsRefusedWithoutItsKeyOrWithAnother(@TempDir Path dir) {
    Path file = dir.resolve("audit.jsonl");
    write(file, true, 2);
    assertThatThrownBy(() -> HashChainedAuditLog.open(file))
        .hasMessageContaining("the log is keyed")
        .hasMessageContaining("key id " + KEY.id())
        .hasMessageContaining("configure the key it was written with");
    AuditKey other = AuditKey.of("another key, also at least 32 bytes long".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> HashChainedAuditLog.builder().setFile(file).setKey(other).build())
        .hasMessageContaining("written with another key (key id " + KEY.id() + "; the configured key's id is "
            + other.id() + ")");
  }

  @Test
  void aKeyedAgentRefusesToContinueAnUnkeyedLog(@TempDir Path dir) {
    Path file = dir.resolve("audit.jsonl");
    write(file, false, 2);
    assertThatThrownBy(() -> keyed(file))
        .hasMessageContaining("written without a key")
        .hasMessageContaining("move the log and its head aside");
  }

  @Test
  void anEmptyUnkeyedLogBecomesKeyed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    HashChainedAuditLog.open(file).close();
    try (HashChainedAuditLog log = keyed(file)) {
      log.append(entry(1));
    }
    try (HashChainedAuditLog log = keyed(file)) {
      assertThat(log.verify().intact()).isTrue();
    }
  }

  @Test
  void aKeyedCrashTailIsRecoveredAndTheRecoveryIsAudited(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    write(file, true, 2);
    crashAfterTheNextAppend(file, true);
    assertThat(HashChainedAuditLog.verifyLines(Attacker.read(file), null, KEY).intact()).isFalse();
    try (HashChainedAuditLog log = keyed(file)) {
      List<AuditRecord> records = log.records();
      assertThat(records).hasSize(4);
      assertThat(records.get(2).entry().type()).isEqualTo("action.started");
      AuditRecord recovery = records.get(3);
      assertThat(recovery.entry().type()).isEqualTo(AuditTypes.AUDIT_TAIL_RECOVERED);
      assertThat(recovery.entry().data().get("recovered")).isEqualTo("record 3 action.started at "
          + "2026-01-01T00:01:39Z by agent");
      assertThat(recovery.entry().data().get("oldHead")).startsWith("2 " + records.get(1).hash() + " ");
      assertThat(recovery.entry().data().get("newHead")).isEqualTo("3 " + records.get(2).hash());
      assertThat(log.verify().intact()).isTrue();
    }
  }

  @Test
  void anUnkeyedCrashTailIsRefusedUntilAnOperatorAcceptsIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    write(file, false, 2);
    crashAfterTheNextAppend(file, false);
    assertThatThrownBy(() -> HashChainedAuditLog.open(file))
        .hasMessageContaining("1 record(s) not covered by the head, which says 2 (record 3 action.started at "
            + "2026-01-01T00:01:39Z by agent)")
        .hasMessageContaining("looks the same as a forged append")
        .hasMessageContaining("--accept-audit-tail")
        .hasMessageContaining("configure an audit key");
    try (HashChainedAuditLog log = HashChainedAuditLog.builder().setFile(file).setClock(() -> T.plusSeconds(500))
        .acceptUnverifiedTail("bob", "checked record 3 against the executor's log").build()) {
      List<AuditRecord> records = log.records();
      assertThat(records).hasSize(4);
      AuditRecord acceptance = records.get(3);
      assertThat(acceptance.entry().type()).isEqualTo(AuditTypes.AUDIT_TAIL_ACCEPTED);
      assertThat(acceptance.entry().actor()).isEqualTo("bob");
      assertThat(acceptance.entry().timestamp()).isEqualTo(T.plusSeconds(500));
      assertThat(acceptance.entry().data())
          .containsEntry("reason", "checked record 3 against the executor's log")
          .containsEntry("accepted", "record 3 action.started at 2026-01-01T00:01:39Z by agent")
          .containsEntry("oldHead", "2 " + records.get(1).hash())
          .containsEntry("newHead", "3 " + records.get(2).hash());
      assertThat(log.verify().intact()).isTrue();
    }
    try (HashChainedAuditLog log = HashChainedAuditLog.open(file)) {
      assertThat(log.records()).hasSize(4);
    }
  }

  @Test
  void aKeyedHeadLaggingTwoRecordsIsNotACrashTail(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    write(file, true, 2);
    Path saved = dir.resolve("saved.head");
    Files.copy(Attacker.headFile(file), saved);
    try (HashChainedAuditLog log = keyed(file)) {
      log.append(entry(3));
      log.append(entry(4));
    }
    Files.move(saved, Attacker.headFile(file), StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> keyed(file))
        .hasMessageContaining("2 record(s) not covered by the head, which says 2")
        .hasMessageContaining("not a crash tail");
  }

  @Test
  void anAcceptanceNeverCoversABrokenChain(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    write(file, false, 3);
    List<String> lines = new ArrayList<>(Attacker.read(file));
    lines.set(1, lines.get(1).replace("\"i\":\"2\"", "\"i\":\"7\""));
    Attacker.write(file, lines);
    assertThatThrownBy(() -> HashChainedAuditLog.builder().setFile(file).acceptUnverifiedTail("bob", "whatever")
        .build()).hasMessageContaining("broken at record 2");
  }

  @Test
  void aDeletedLogWhoseHeadRemainsIsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    write(file, false, 2);
    Files.delete(file);
    assertThatThrownBy(() -> HashChainedAuditLog.open(file)).hasMessageContaining("is missing, but its head")
        .hasMessageContaining("held 2 record(s)");
  }

  @Test
  void theBuilderRefusesSettingsGivenTwiceOrBlank() {
    assertThatThrownBy(() -> HashChainedAuditLog.builder().setKey(KEY).setKey(KEY))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("key was already set");
    assertThatThrownBy(() -> HashChainedAuditLog.builder().setFile(Path.of("a")).setFile(Path.of("b")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("file was already set to a");
    assertThatThrownBy(() -> HashChainedAuditLog.builder().acceptUnverifiedTail(" ", "r"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("operator must not be blank, but was ' '");
    assertThatThrownBy(() -> HashChainedAuditLog.builder().acceptUnverifiedTail("a", "r").acceptUnverifiedTail("b",
        "r")).isInstanceOf(IllegalStateException.class).hasMessageContaining("already called by operator 'a'");
  }
}
