package dev.sreagent.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.AuditEntry;
import dev.sreagent.api.model.AuditRecord;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.SreAgent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log written before the audit records were typed ({@code src/test/resources/audit-logs/before-typed-events}: an
 * ASSIST run of the simulator with an approval refused and one granted, a rollback verified and resolved, a diagnosis
 * review, freezes, phase overrides, the kill switch engaged and released, and a second incident left waiting for an
 * approval under a declared freeze) still verifies, reads back as typed events and restores the agent.
 */
class AuditLogCompatibilityTest {
  private static final String FIXTURE = "/audit-logs/before-typed-events/";

  private static Path unpack(Path dir) throws IOException {
    Path log = dir.resolve("audit.jsonl");
    try (InputStream in = new GZIPInputStream(Objects.requireNonNull(
        AuditLogCompatibilityTest.class.getResourceAsStream(FIXTURE + "audit.jsonl.gz")))) {
      Files.copy(in, log);
    }
    try (InputStream in = Objects.requireNonNull(
        AuditLogCompatibilityTest.class.getResourceAsStream(FIXTURE + "audit.jsonl.head"))) {
      Files.copy(in, dir.resolve("audit.jsonl.head"));
    }
    return log;
  }

  @Test
  void anOldLogVerifiesAndEveryRecordReadsAsItsTypedEvent(@TempDir Path dir) throws IOException {
    try (HashChainedAuditLog log = HashChainedAuditLog.open(unpack(dir))) {
      assertThat(log.verify().intact()).isTrue();
      List<AuditEvent> events = AuditEvents.read(log);
      assertThat(events).hasSize(36).noneMatch(e -> e instanceof AuditEvent.Unrecognised);
      assertThat(events).extracting(AuditEvent::auditType)
          .containsExactlyElementsOf(log.records().stream().map(r -> r.entry().type()).toList());
      for (int i = 0; i < events.size(); i++) {
        AuditEntry old = log.records().get(i).entry();
        AuditEvent e = events.get(i);
        assertThat(e.incidentId()).isEqualTo(old.incidentId());
        assertThat(e.actor()).isEqualTo(old.actor());
        // written again and read back: the same event (a rewrite may format a number or a default differently)
        assertThat(AuditEvents.fromEntry(AuditEvents.toEntry(e, old.timestamp()))).isEqualTo(e);
      }
      AuditEvent.ApprovalRefused refused = AuditEvents.of(log, AuditEvent.ApprovalRefused.class).get(0);
      assertThat(refused.approver()).isEqualTo("mallory");
      assertThat(refused.reason()).contains("the approval is for plan 000000000000");
      AuditEvent.ActionStarted started = AuditEvents.of(log, AuditEvent.ActionStarted.class).get(0);
      assertThat(started.action()).isNotNull();
      assertThat(started.action().canonical()).startsWith("rollback");
      assertThat(started.fencingToken()).isPositive();
      assertThat(AuditEvents.of(log, AuditEvent.Decided.class)).filteredOn(AuditEvent.Decided::first)
          .allSatisfy(d -> assertThat(d.plan()).isNotNull());
      assertThat(AuditEvents.of(log, AuditEvent.KillSwitchChanged.class)).extracting(
          AuditEvent.KillSwitchChanged::engaged).containsExactly(true, false);
    }
  }

  @Test
  void anAgentStartedOnAnOldLogRestoresWhatItKnewAndKeepsTheChain(@TempDir Path dir) throws IOException {
    Path file = unpack(dir);
    Instant after = Instant.parse("2026-03-02T11:14:00Z");
    try (SreAgent agent = SreAgent.builder().setClock(() -> after).setDiscovery(false).setDefaultPhase(Phase.ASSIST)
        .setAuditFile(file).build()) {
      Map<String, IncidentState> states = new TreeMap<>();
      agent.incidents().forEach(i -> states.put(i.id(), i.state()));
      assertThat(states).containsExactly(Map.entry("INC-0001", IncidentState.RESOLVED),
          Map.entry("INC-0002", IncidentState.AWAITING_APPROVAL));
      Incident resolved = agent.incident("INC-0001").orElseThrow();
      // the outcome was a sentence then: migrated to the typed outcome its state implies, the sentence kept
      assertThat(resolved.outcome()).isEqualTo(IncidentOutcome.RECOVERED);
      assertThat(resolved.outcomeReason()).startsWith("verified: error-rate-spike signals of [cart] recovered");
      Incident waiting = agent.incident("INC-0002").orElseThrow();
      assertThat(waiting.outcome()).isNull();
      assertThat(agent.pendingApprovals()).singleElement().satisfies(r -> {
        assertThat(r.incident().id()).isEqualTo("INC-0002");
        assertThat(r.planHash()).isEqualTo(Objects.requireNonNull(waiting.plan()).hash());
      });
      assertThat(agent.freezes().inForce(after)).hasValueSatisfying(f -> assertThat(f.name()).isEqualTo("release-week"));
      assertThat(agent.freezes().all()).extracting(f -> f.name()).doesNotContain("short");
      assertThat(agent.phase(IncidentType.CERTIFICATE_EXPIRY)).isEqualTo(Phase.OBSERVE);
      assertThat(agent.phase(IncidentType.OOM_KILL, "payments")).isEqualTo(Phase.AUTONOMOUS);
      assertThat(agent.phase(IncidentType.OOM_KILL, "cart")).isEqualTo(Phase.ASSIST);
      assertThat(agent.accuracy(IncidentType.ERROR_RATE_SPIKE).verified()).isEqualTo(1);
      assertThat(agent.killSwitch().engaged()).isFalse();

      List<AuditRecord> records = agent.auditLog().records();
      assertThat(records).hasSize(37);
      assertThat(AuditEvents.fromRecord(records.get(36))).isEqualTo(new AuditEvent.AgentStarted("sre-agent", 2));
      assertThat(agent.auditLog().verify().intact()).isTrue();
    }
  }

  @Test
  void aRecordThatLacksWhatItsTypeNeedsIsRefusedByNameAndAnUnknownTypeIsKept() {
    Instant t = Instant.parse("2026-03-02T10:00:00Z");
    assertThatThrownBy(() -> AuditEvents.fromEntry(new AuditEntry(t, AuditTypes.FREEZE_ENDED, null, "bob",
        Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'freeze.ended'").hasMessageContaining("has no 'name'");
    assertThatThrownBy(() -> AuditEvents.fromEntry(new AuditEntry(t, AuditTypes.KILL_SWITCH, null, "bob",
        Map.of("engaged", "yes"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'engaged' cannot be read as boolean: 'yes'");
    AuditEvent custom = AuditEvents.fromEntry(new AuditEntry(t, "acme.paged", "INC-9", "pager", Map.of("to",
        "oncall")));
    assertThat(custom).isEqualTo(new AuditEvent.Unrecognised("acme.paged", "INC-9", "pager", Map.of("to",
        "oncall")));
    assertThat(AuditEvents.toEntry(custom, t)).isEqualTo(new AuditEntry(t, "acme.paged", "INC-9", "pager",
        Map.of("to", "oncall")));
  }

  @Test
  void everyEventTypeHasItsOwnWireNameAndEveryWireNameOfAuditTypesHasARecord() throws IllegalAccessException {
    List<String> declared = new java.util.ArrayList<>();
    for (var f : AuditTypes.class.getFields()) {
      if (!f.getName().startsWith("KEY_")) {
        declared.add((String) f.get(null));
      }
    }
    assertThat(AuditEvents.types().keySet()).containsExactlyInAnyOrderElementsOf(declared);
    List<Class<?>> records = new java.util.ArrayList<>();
    for (Class<?> c : AuditEvent.class.getPermittedSubclasses()) {
      records.addAll(c.isInterface() ? List.of(c.getPermittedSubclasses()) : List.of(c));
    }
    records.remove(AuditEvent.Unrecognised.class);
    assertThat(records).containsExactlyInAnyOrderElementsOf(AuditEvents.types().values());
  }
}
