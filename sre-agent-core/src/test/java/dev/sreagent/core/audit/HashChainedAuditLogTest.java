package dev.sreagent.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashChainedAuditLogTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static AuditEntry entry(int i) {
    return new AuditEntry(T.plusSeconds(i), "test", "INC-1", "agent", Map.of("i", String.valueOf(i)));
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
}
