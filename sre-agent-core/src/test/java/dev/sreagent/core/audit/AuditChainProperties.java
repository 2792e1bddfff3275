package dev.sreagent.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditVerification;
import java.nio.charset.StandardCharsets;
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
import org.jspecify.annotations.Nullable;

class AuditChainProperties {
  private static final AuditKey KEY = AuditKey.of("the property tests' audit key, 32+ bytes".getBytes(
      StandardCharsets.UTF_8));

  /** What an attacker without the key writes as the head after changing the lines. */
  enum HeadChoice { ORIGINAL, RECOMPUTED_PLAIN, RECOMPUTED_WITH_OLD_MAC, NONE }

  @Provide
  Arbitrary<List<String>> payloads() {
    return Arbitraries.strings().ofMaxLength(40).list().ofMinSize(2).ofMaxSize(30);
  }

  private static List<String> chain(List<String> payloads) {
    return chain(payloads, HashChainedAuditLog.inMemory());
  }

  private static HashChainedAuditLog keyedLog(List<String> payloads) {
    HashChainedAuditLog log = HashChainedAuditLog.builder().setKey(KEY).build();
    chain(payloads, log);
    return log;
  }

  private static List<String> chain(List<String> payloads, HashChainedAuditLog log) {
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

  // ---------------------------------------------------------------- keyed logs: the attacker may recompute hashes

  private static HashChainedAuditLog.@Nullable Head attackersHead(HeadChoice choice, HashChainedAuditLog.Head original,
      List<String> attacked) {
    HashChainedAuditLog.Head plain = Attacker.plainHead(attacked);
    return switch (choice) {
      case ORIGINAL -> original;
      case RECOMPUTED_PLAIN -> plain;
      case RECOMPUTED_WITH_OLD_MAC -> new HashChainedAuditLog.Head(plain.sequence(), plain.hash(), original.mac());
      case NONE -> null;
    };
  }

  /** The first position (1-based) where {@code attacked} differs from {@code lines}: the record to be named. */
  private static long firstDifference(List<String> lines, List<String> attacked) {
    int i = 0;
    while (i < lines.size() && i < attacked.size() && lines.get(i).equals(attacked.get(i))) {
      i++;
    }
    return i + 1L;
  }

  private static void assertDetectedAt(List<String> attacked, HashChainedAuditLog.@Nullable Head head, long record) {
    AuditVerification v = HashChainedAuditLog.verifyLines(attacked, head, KEY);
    assertThat(v.intact()).as("verified: %s", attacked).isFalse();
    assertThat(v.firstBadSequence()).as(v.problem()).isEqualTo(record);
    assertThat(v.problem()).contains("record " + record);
  }

  @Property(tries = 300)
  void aKeyedLogDetectsAnyEditEvenWithTheChainRecomputed(@ForAll("payloads") List<String> payloads,
      @ForAll @IntRange(max = 100_000) int where, @ForAll char replacement, @ForAll boolean rechain,
      @ForAll HeadChoice headChoice) {
    HashChainedAuditLog log = keyedLog(payloads);
    List<String> lines = log.lines();
    List<String> edited = new ArrayList<>(lines);
    int row = where % edited.size();
    String line = edited.get(row);
    int col = (where / edited.size()) % line.length();
    if (line.charAt(col) == replacement) {
      return;
    }
    edited.set(row, line.substring(0, col) + replacement + line.substring(col + 1));
    List<String> attacked = rechain ? Attacker.rechain(edited, true) : edited;
    if (attacked.equals(lines)) {
      return; // the edit was in a hash, sequence or back link that re-chaining wrote back
    }
    HashChainedAuditLog.Head head = log.head();
    assertThat(firstDifference(lines, attacked)).isEqualTo(row + 1);
    assertDetectedAt(attacked, rechain ? attackersHead(headChoice, head, attacked) : head, row + 1);
  }

  @Property(tries = 300)
  void aKeyedLogDetectsAnyDeletionOrTruncation(@ForAll("payloads") List<String> payloads,
      @ForAll @IntRange(max = 10_000) int where, @ForAll @IntRange(min = 1, max = 5) int count,
      @ForAll boolean rechain, @ForAll HeadChoice headChoice) {
    HashChainedAuditLog log = keyedLog(payloads);
    List<String> lines = log.lines();
    int from = where % lines.size();
    int to = Math.min(lines.size(), from + count);
    if (from == 0 && to == lines.size()) {
      return; // everything gone: indistinguishable from a new log without an external anchor (README)
    }
    List<String> cut = new ArrayList<>(lines.subList(0, from));
    cut.addAll(lines.subList(to, lines.size()));
    List<String> attacked = rechain ? Attacker.rechain(cut, true) : cut;
    assertDetectedAt(attacked, attackersHead(headChoice, log.head(), attacked), from + 1);
  }

  @Property(tries = 300)
  void aKeyedLogDetectsAnyReorderingOrInsertion(@ForAll("payloads") List<String> payloads,
      @ForAll @IntRange(max = 10_000) int a, @ForAll @IntRange(max = 10_000) int b, @ForAll boolean insert,
      @ForAll HeadChoice headChoice) {
    HashChainedAuditLog log = keyedLog(payloads);
    List<String> lines = log.lines();
    int i = a % lines.size();
    int j = b % lines.size();
    List<String> changed = new ArrayList<>(lines);
    if (insert) {
      changed.add(i, lines.get(j)); // a copy of a genuine record, MAC and all
    } else {
      if (i == j) {
        return;
      }
      changed.set(i, lines.get(j));
      changed.set(j, lines.get(i));
    }
    List<String> attacked = Attacker.rechain(changed, true);
    assertDetectedAt(attacked, attackersHead(headChoice, log.head(), attacked), firstDifference(lines, attacked));
  }

  @Property(tries = 100)
  void anUntouchedKeyedChainVerifiesOnlyWithItsKey(@ForAll("payloads") List<String> payloads) {
    HashChainedAuditLog log = keyedLog(payloads);
    assertThat(HashChainedAuditLog.verifyLines(log.lines(), log.head(), KEY).intact()).isTrue();
    assertThat(log.verify().intact()).isTrue();
    AuditVerification withoutKey = HashChainedAuditLog.verifyLines(log.lines(), log.head());
    assertThat(withoutKey.intact()).isFalse();
    assertThat(withoutKey.problem()).contains("no audit key is configured");
  }
}
