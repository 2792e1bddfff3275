package dev.sreagent.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedAuditLogTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static AuditEntry entry(int i, String incident) {
    return new AuditEntry(T.plusSeconds(i), "test", incident, "agent", Map.of("i", String.valueOf(i)));
  }

  @Test
  void twoWritersAppendToOneChainEachReadsItsOwnAndAnIncidentIsReadWhole() {
    HashChainedAuditLog chain = HashChainedAuditLog.inMemory();
    SharedAuditLog a = SharedAuditLog.of(chain, "a");
    SharedAuditLog b = SharedAuditLog.of(chain, "b");
    a.append(entry(1, "INC-1"));
    b.append(entry(2, "INC-1"));
    a.append(entry(3, "INC-2"));
    AuditRecord last = b.append(entry(4, null));

    assertThat(last.sequence()).as("one chain, numbered across writers").isEqualTo(4);
    assertThat(a.records()).extracting(r -> r.entry().data().get("i")).containsExactly("1", "3");
    assertThat(b.records()).extracting(r -> r.entry().data().get("i")).containsExactly("2", "4");
    assertThat(b.recordsAfter(2)).extracting(AuditRecord::sequence).containsExactly(4L);
    assertThat(a.recordsAbout("INC-1")).as("every writer's records of one incident")
        .extracting(SharedAuditLog::writerOf).containsExactly("a", "b");
    assertThat(chain.records()).extracting(SharedAuditLog::writerOf).containsExactly("a", "b", "a", "b");
    assertThat(a.verify().intact()).isTrue();
    assertThat(a.verify().records()).as("the whole chain is verified").isEqualTo(4);
  }

  @Test
  void theWriterIsInsideTheHashedTextSoMovingARecordToAnotherWriterBreaksTheChain(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (HashChainedAuditLog chain = HashChainedAuditLog.builder().setFile(file).build()) {
      SharedAuditLog.of(chain, "a").append(entry(1, "INC-1"));
      SharedAuditLog.of(chain, "b").append(entry(2, "INC-1"));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0)).contains("\"writer\":\"a\"");
    lines.set(0, lines.get(0).replace("\"writer\":\"a\"", "\"writer\":\"b\""));
    Files.write(file, lines);
    assertThatThrownBy(() -> HashChainedAuditLog.builder().setFile(file).build())
        .as("the chain no longer verifies").hasMessageContaining(file.toString());
  }

  @Test
  void aViewRefusesAnEntryOfAnotherWriterAndAViewOfAView() {
    HashChainedAuditLog chain = HashChainedAuditLog.inMemory();
    SharedAuditLog a = SharedAuditLog.of(chain, "a");
    assertThatThrownBy(() -> a.append(new AuditEntry(T, "test", null, "agent", Map.of("writer", "b"))))
        .hasMessageContaining("names writer 'b'").hasMessageContaining("view of 'a'");
    assertThatThrownBy(() -> SharedAuditLog.of(a, "b")).hasMessageContaining("already the shared view of writer 'a'");
    assertThatThrownBy(() -> SharedAuditLog.of(chain, " ")).hasMessageContaining("writer");
    assertThat(chain.records()).isEmpty();
  }
}
