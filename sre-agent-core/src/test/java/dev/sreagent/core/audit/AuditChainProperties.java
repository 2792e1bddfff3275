package dev.sreagent.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.AuditEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class AuditChainProperties {
  @Provide
  Arbitrary<List<String>> payloads() {
    return Arbitraries.strings().ofMaxLength(40).list().ofMinSize(2).ofMaxSize(30);
  }

  private static List<String> chain(List<String> payloads) {
    HashChainedAuditLog log = HashChainedAuditLog.inMemory();
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < payloads.size(); i++) {
      log.append(new AuditEntry(t.plusSeconds(i), "test.record", i % 3 == 0 ? null : "INC-" + i, "agent",
          Map.of("payload", payloads.get(i), "n", String.valueOf(i))));
    }
    assertThat(log.verify().intact()).isTrue();
    return log.lines();
  }

  private static HashChainedAuditLog.Head headOf(List<String> lines) {
    String last = lines.get(lines.size() - 1);
    return new HashChainedAuditLog.Head(lines.size(), last.substring(last.lastIndexOf(":\"") + 2, last.length() - 2));
  }

  @Property(tries = 300)
  void anySingleCharacterEditIsDetected(@ForAll("payloads") List<String> payloads, @ForAll @IntRange(max = 10_000)
      int where, @ForAll char replacement) {
    List<String> lines = chain(payloads);
    HashChainedAuditLog.Head head = headOf(lines);
    List<String> edited = new ArrayList<>(lines);
    int row = where % edited.size();
    String line = edited.get(row);
    int col = (where / edited.size()) % line.length();
    if (line.charAt(col) == replacement) {
      return;
    }
    edited.set(row, line.substring(0, col) + replacement + line.substring(col + 1));
    assertThat(HashChainedAuditLog.verifyLines(edited, head).intact()).isFalse();
  }

  @Property(tries = 300)
  void anySingleDeletionIsDetected(@ForAll("payloads") List<String> payloads, @ForAll @IntRange(max = 10_000)
      int where) {
    List<String> lines = chain(payloads);
    HashChainedAuditLog.Head head = headOf(lines);
    List<String> edited = new ArrayList<>(lines);
    edited.remove(where % edited.size());
    assertThat(HashChainedAuditLog.verifyLines(edited, head).intact()).isFalse();
  }

  @Property(tries = 300)
  void anySwapOfTwoRecordsIsDetected(@ForAll("payloads") List<String> payloads, @ForAll @IntRange(max = 10_000)
      int a, @ForAll @IntRange(max = 10_000) int b) {
    List<String> lines = chain(payloads);
    int i = a % lines.size();
    int j = b % lines.size();
    if (i == j) {
      return;
    }
    List<String> edited = new ArrayList<>(lines);
    edited.set(i, lines.get(j));
    edited.set(j, lines.get(i));
    assertThat(HashChainedAuditLog.verifyLines(edited, headOf(lines)).intact()).isFalse();
  }

  @Property(tries = 100)
  void anUntouchedChainVerifies(@ForAll("payloads") List<String> payloads) {
    List<String> lines = chain(payloads);
    assertThat(HashChainedAuditLog.verifyLines(lines, headOf(lines)).intact()).isTrue();
  }
}
