package dev.sreagent.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.SreAgentBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tampering cases of issue #12, played against the agent through its builder: someone with write access to the
 * audit files, but not to the key, tries to change what the agent replays on start.
 */
class AuditTamperingTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  private static final IncidentType CERT = IncidentType.CERTIFICATE_EXPIRY;

  private static SreAgentBuilder agent(Path audit, @Nullable AuditKey key) {
    SreAgentBuilder b = SreAgent.builder().setClock(() -> T).setDiscovery(false).setAuditFile(audit);
    if (key != null) {
      b.setAuditKey(key);
    }
    return b;
  }

  private static AuditKey keyIn(Path dir) throws Exception {
    Path file = dir.resolve("keys").resolve("audit.key");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "bm90IGEgcmVhbCBrZXkgYnV0IDMyIGJ5dGVzIGxvbmcu\n");
    return AuditKey.fromFile(file);
  }

  /** An agent that started (record 1) and had certificate-expiry set to ASSIST by an operator (record 2). */
  private static void history(Path audit, @Nullable AuditKey key) {
    try (SreAgent a = agent(audit, key).build()) {
      a.setPhase(CERT, Phase.ASSIST, "alice", "approvals first");
    }
  }

  private static void append(Path audit, String line) throws Exception {
    List<String> lines = new ArrayList<>(Attacker.read(audit));
    lines.add(line);
    Attacker.write(audit, lines);
  }

  @Test
  void headDeletedAndLastRecordsCutIsRefusedNamingTheLastRecord(@TempDir Path dir) throws Exception {
    for (AuditKey key : new AuditKey[] {null, keyIn(dir)}) {
      Path audit = dir.resolve((key == null ? "plain" : "keyed") + ".jsonl");
      history(audit, key);
      agent(audit, key).build().close(); // record 3: agent.started again
      Files.delete(Attacker.headFile(audit));
      Attacker.write(audit, Attacker.read(audit).subList(0, 2));
      assertThatThrownBy(() -> agent(audit, key).build()).as(key == null ? "unkeyed" : "keyed")
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the head file is missing")
          .hasMessageContaining("record 2 phase.changed at 2026-01-01T00:00:00Z by alice");
    }
  }

  @Test
  void aForgedPromotionAppendedBehindAnUntouchedHeadIsRefused(@TempDir Path dir) throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    history(audit, null);
    List<String> lines = Attacker.read(audit);
    append(audit, Attacker.forgedPromotion(lines.get(1), 3, null, null));
    assertThat(HashChainedAuditLog.verifyLines(Attacker.read(audit), new HashChainedAuditLog.Head(3,
        Attacker.hashOf(Attacker.read(audit).get(2)))).intact()).as("the forgery is correctly chained").isTrue();

    assertThatThrownBy(() -> agent(audit, null).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 record(s) not covered by the head, which says 2 (record 3 phase.changed at"
            + " 2026-01-01T03:00:00Z by alice)");
    assertThat(Attacker.read(audit)).as("the refused log is left as it was, for the investigation").hasSize(3);
  }

  @Test
  void anOperatorMayAcceptTheTailAndTheAcceptanceIsAudited(@TempDir Path dir) throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    history(audit, null);
    append(audit, Attacker.forgedPromotion(Attacker.read(audit).get(1), 3, null, null));
    try (SreAgent a = agent(audit, null).acceptUnverifiedAuditTail("bob", "record 3 is alice's, per the change log")
        .build()) {
      assertThat(a.phase(CERT)).as("what the operator accepted takes effect").isEqualTo(Phase.AUTONOMOUS);
      List<AuditRecord> records = a.auditLog().records();
      AuditRecord acceptance = records.get(3);
      assertThat(acceptance.entry().type()).isEqualTo(AuditTypes.AUDIT_TAIL_ACCEPTED);
      assertThat(acceptance.entry().actor()).isEqualTo("bob");
      assertThat(acceptance.entry().data())
          .containsEntry("reason", "record 3 is alice's, per the change log")
          .containsEntry("accepted", "record 3 phase.changed at 2026-01-01T03:00:00Z by alice")
          .containsEntry("oldHead", "2 " + records.get(1).hash())
          .containsEntry("newHead", "3 " + records.get(2).hash());
      assertThat(records.get(4).entry().type()).isEqualTo(AuditTypes.AGENT_STARTED);
      assertThat(a.auditLog().verify().intact()).isTrue();
    }
    try (SreAgent again = agent(audit, null).build()) {
      assertThat(again.phase(CERT)).isEqualTo(Phase.AUTONOMOUS);
    }
  }

  @Test
  void aForgedPromotionInAKeyedLogIsDetectedByItsMacEvenWhenAccepted(@TempDir Path dir) throws Exception {
    AuditKey key = keyIn(dir);
    Path audit = dir.resolve("audit.jsonl");
    history(audit, key);
    List<String> lines = Attacker.read(audit);
    String kid = Attacker.kidOf(lines.get(1));
    List<String> forgeries = List.of(Attacker.forgedPromotion(lines.get(1), 3, null, null),
        Attacker.forgedPromotion(lines.get(1), 3, kid, null),
        Attacker.forgedPromotion(lines.get(1), 3, kid, Attacker.macOf(lines.get(1))));
    List<String> expected = List.of("record 3 has no MAC: it was not written with the key",
        "record 3 has no MAC: edited or forged", "record 3's MAC does not verify with the key");
    for (int i = 0; i < forgeries.size(); i++) {
      Attacker.write(audit, lines);
      append(audit, forgeries.get(i));
      assertThatThrownBy(() -> agent(audit, key).build()).hasMessageContaining("broken at record 3")
          .hasMessageContaining(expected.get(i));
      assertThatThrownBy(() -> agent(audit, key).acceptUnverifiedAuditTail("bob", "looks fine").build())
          .hasMessageContaining("broken at record 3");
      assertThat(HashChainedAuditLog.verifyLines(Attacker.read(audit), null, key).firstBadSequence())
          .isEqualTo(3);
    }
  }

  @Test
  void aKeyedLogDetectsAnEditWithTheChainAndHeadRecomputed(@TempDir Path dir) throws Exception {
    AuditKey key = keyIn(dir);
    Path audit = dir.resolve("audit.jsonl");
    history(audit, key);
    agent(audit, key).build().close();
    List<String> lines = new ArrayList<>(Attacker.read(audit));
    lines.set(1, lines.get(1).replace("\"to\":\"ASSIST\"", "\"to\":\"AUTONOMOUS\""));
    for (boolean keepMacs : new boolean[] {true, false}) {
      List<String> rechained = Attacker.rechain(lines, keepMacs);
      Attacker.write(audit, rechained);
      Attacker.writePlainHead(audit, rechained);
      assertThatThrownBy(() -> agent(audit, key).build())
          .hasMessageContaining("broken at record " + (keepMacs ? 2 : 1));
    }
  }

  @Test
  void anUnkeyedLogCannotDetectAnEditWithTheChainAndHeadRecomputed(@TempDir Path dir) throws Exception {
    // the documented limit of unkeyed logs: whoever can write the files can rewrite history consistently
    Path audit = dir.resolve("audit.jsonl");
    history(audit, null);
    List<String> lines = new ArrayList<>(Attacker.read(audit));
    lines.set(1, lines.get(1).replace("\"to\":\"ASSIST\"", "\"to\":\"AUTONOMOUS\""));
    List<String> rechained = Attacker.rechain(lines, false);
    Attacker.write(audit, rechained);
    Attacker.writePlainHead(audit, rechained);
    try (SreAgent a = agent(audit, null).build()) {
      assertThat(a.phase(CERT)).isEqualTo(Phase.AUTONOMOUS);
    }
  }

  @Test
  void aKeyedLogRewrittenAsAnUnkeyedOneIsRefused(@TempDir Path dir) throws Exception {
    AuditKey key = keyIn(dir);
    Path audit = dir.resolve("audit.jsonl");
    history(audit, key);
    List<String> unkeyed = new ArrayList<>();
    for (String line : Attacker.read(audit)) {
      unkeyed.add(line.replaceFirst(",\"alg\":\"hmac-sha256\",\"kid\":\"[0-9a-f]{16}\"", "")
          .replaceFirst(",\"mac\":\"[0-9a-f]{64}\"}$", "}"));
    }
    List<String> rechained = Attacker.rechain(unkeyed, false);
    Attacker.write(audit, rechained);
    Attacker.writePlainHead(audit, rechained);
    assertThatThrownBy(() -> agent(audit, key).build()).hasMessageContaining("written without a key");
  }

  @Test
  void aKeyedCrashBetweenAppendAndHeadUpdateRecoversWithAnAuditedRecord(@TempDir Path dir) throws Exception {
    AuditKey key = keyIn(dir);
    Path audit = dir.resolve("audit.jsonl");
    history(audit, key);
    Path saved = dir.resolve("saved.head");
    Files.copy(Attacker.headFile(audit), saved);
    try (SreAgent a = agent(audit, key).build()) { // record 3: agent.started
      Files.copy(Attacker.headFile(audit), saved, StandardCopyOption.REPLACE_EXISTING);
      a.setPhase(CERT, Phase.AUTONOMOUS, "alice", "rollout"); // record 4, then the process "dies" before the head
    }
    Files.copy(saved, Attacker.headFile(audit), StandardCopyOption.REPLACE_EXISTING);
    try (SreAgent a = agent(audit, key).build()) {
      assertThat(a.phase(CERT)).as("the recovered record is authentic and takes effect").isEqualTo(Phase.AUTONOMOUS);
      List<AuditRecord> records = a.auditLog().records();
      assertThat(records.get(4).entry().type()).isEqualTo(AuditTypes.AUDIT_TAIL_RECOVERED);
      assertThat(records.get(4).entry().data()).containsEntry("recovered",
          "record 4 phase.changed at 2026-01-01T00:00:00Z by alice");
      assertThat(a.auditLog().verify().intact()).isTrue();
    }
    Files.copy(saved, Attacker.headFile(audit), StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> agent(audit, key).build()).as("an old head copy is more than one record behind")
        .hasMessageContaining("3 record(s) not covered by the head, which says 3");
  }

  @Test
  void aKeyOrAnAcceptanceNeedsAnAuditFileAndNoExplicitLog(@TempDir Path dir) throws Exception {
    AuditKey key = keyIn(dir);
    assertThatThrownBy(() -> SreAgent.builder().setDiscovery(false).setAuditKey(key).build())
        .isInstanceOf(dev.sreagent.api.config.ConfigurationException.class)
        .hasMessageContaining("there is no auditFile");
    assertThatThrownBy(() -> SreAgent.builder().setAuditKey(key).setAuditLog(HashChainedAuditLog.inMemory()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("HashChainedAuditLog.builder()");
    assertThatThrownBy(() -> SreAgent.builder().setAuditKey(key).setAuditKey(key))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("auditKey was already set");
    assertThatThrownBy(() -> SreAgent.builder().acceptUnverifiedAuditTail("bob", " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("reason must not be blank, but was ' '");
  }
}
