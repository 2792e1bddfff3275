package dev.sreagent.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.port.AuditLog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AuditLog} promises: append-only, in order, each record chained to its predecessor; entries come
 * back exactly as appended (any characters); a reader can keep up with {@code recordsAfter}; an untouched log
 * verifies.
 */
public abstract class AuditLogContract {
  private static final Instant T = Instant.parse("2026-03-02T08:00:00Z");

  /** A fresh, empty audit log. */
  protected abstract AuditLog create();

  private static AuditEntry entry(int i) {
    return new AuditEntry(T.plusSeconds(i), "test.record", i % 2 == 0 ? "INC-000" + i : null, "agent",
        Map.of("n", String.valueOf(i), "text", "quote \" backslash \\ newline \n tab \t unicode é ✓ 🔥"));
  }

  @Test
  void recordsAreChainedInOrderAndComeBackAsAppended() {
    try (AuditLog log = create()) {
      for (int i = 1; i <= 5; i++) {
        AuditRecord r = log.append(entry(i));
        assertEquals(i, r.sequence());
      }
      List<AuditRecord> records = log.records();
      assertEquals(5, records.size());
      assertEquals(AuditRecord.GENESIS, records.get(0).previousHash());
      for (int i = 0; i < records.size(); i++) {
        assertEquals(entry(i + 1), records.get(i).entry(), "record " + (i + 1) + " as appended");
        if (i > 0) {
          assertEquals(records.get(i - 1).hash(), records.get(i).previousHash(), "record " + (i + 1) + " chained");
        }
      }
      assertTrue(log.verify().intact(), log.verify().problem());
    }
  }

  @Test
  void aReaderKeepsUpWithRecordsAfter() {
    try (AuditLog log = create()) {
      log.append(entry(1));
      log.append(entry(2));
      assertEquals(List.of(2L), log.recordsAfter(1).stream().map(AuditRecord::sequence).toList());
      log.append(entry(3));
      assertEquals(log.records().subList(1, 3), log.recordsAfter(1));
      assertTrue(log.recordsAfter(3).isEmpty());
    }
  }

  @Test
  void theRecordsCannotBeChangedThroughTheList() {
    try (AuditLog log = create()) {
      log.append(entry(1));
      List<AuditRecord> records = log.records();
      try {
        records.clear();
      } catch (UnsupportedOperationException expected) {
        // an unmodifiable list is fine too
      }
      assertEquals(1, log.records().size(), "the log is append-only");
      assertNull(log.records().get(0).entry().incidentId());
    }
  }

  @Test
  void anEmptyLogVerifies() {
    try (AuditLog log = create()) {
      assertTrue(log.verify().intact());
      assertEquals(0, log.records().size());
    }
  }
}
