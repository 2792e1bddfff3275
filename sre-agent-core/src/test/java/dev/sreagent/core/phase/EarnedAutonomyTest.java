package dev.sreagent.core.phase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.audit.AuditTypes;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EarnedAutonomyTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  /** Opens one certificate incident per service and lets it be diagnosed (the agent has no executor). */
  private static void incidents(SreAgent agent, int n) {
    for (int i = 0; i < n; i++) {
      agent.sink().accept(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, 86400, T,
          Map.of(Attributes.SERVICE_NAME, "svc-" + i, Attributes.TLS_CERTIFICATE, "c" + i)));
    }
    agent.tick();
  }

  @Test
  void promotionNeedsEnoughVerifiedAccuracyAndIsAuditedAndReplayed(@TempDir Path dir) {
    Path audit = dir.resolve("audit.jsonl");
    try (SreAgent agent = SreAgent.builder().setClock(() -> T).setAuditFile(audit).build()) {
      incidents(agent, 30);
      var ids = agent.incidents().stream().map(i -> i.id()).toList();
      for (int i = 0; i < 10; i++) {
        agent.reviewDiagnosis(ids.get(i), true, "alice");
      }
      assertThatThrownBy(() -> agent.promote(IncidentType.CERTIFICATE_EXPIRY, null, Phase.ASSIST, "bob", 20, 0.8))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("10/10 diagnoses verified correct")
          .hasMessageContaining("needs >= 20 verified");
      for (int i = 10; i < 30; i++) {
        agent.reviewDiagnosis(ids.get(i), i != 17, "alice");
      }
      agent.promote(IncidentType.CERTIFICATE_EXPIRY, null, Phase.ASSIST, "bob", 20, 0.8);
      assertThat(agent.phase(IncidentType.CERTIFICATE_EXPIRY)).isEqualTo(Phase.ASSIST);
      agent.promote(IncidentType.CERTIFICATE_EXPIRY, "svc-1", Phase.AUTONOMOUS, "bob", 20, 0.8);
      assertThat(agent.phase(IncidentType.CERTIFICATE_EXPIRY, "svc-1")).isEqualTo(Phase.AUTONOMOUS);
      assertThat(agent.phase(IncidentType.CERTIFICATE_EXPIRY, "svc-2")).isEqualTo(Phase.ASSIST);
      assertThat(agent.auditLog().records()).filteredOn(r -> r.entry().type().equals(AuditTypes.PHASE_CHANGED))
          .hasSize(2).allSatisfy(r -> {
            assertThat(r.entry().actor()).isEqualTo("bob");
            assertThat(r.entry().data().get("reason")).contains("29/30").contains("Wilson");
          });
    }
    try (SreAgent restarted = SreAgent.builder().setClock(() -> T).setAuditFile(audit).build()) {
      assertThat(restarted.phase(IncidentType.CERTIFICATE_EXPIRY)).isEqualTo(Phase.ASSIST);
      assertThat(restarted.phase(IncidentType.CERTIFICATE_EXPIRY, "svc-1")).isEqualTo(Phase.AUTONOMOUS);
      assertThat(restarted.accuracy(IncidentType.CERTIFICATE_EXPIRY).verified()).isEqualTo(30);
    }
  }

  @Test
  void anOperatorOverrideIsAuditedAsSuch() {
    try (SreAgent agent = SreAgent.builder().setClock(() -> T).setDefaultPhase(Phase.AUTONOMOUS).build()) {
      agent.setPhase(IncidentType.OOM_KILL, Phase.OBSERVE, "carol", "game day");
      assertThat(agent.phase(IncidentType.OOM_KILL)).isEqualTo(Phase.OBSERVE);
      assertThat(agent.phase(IncidentType.HIGH_LATENCY)).isEqualTo(Phase.AUTONOMOUS);
      assertThat(agent.auditLog().records()).anyMatch(r -> r.entry().actor().equals("carol")
          && r.entry().data().get("reason").equals("operator override: game day"));
    }
  }

  @Test
  void aTypesTrackRecordJoinsTheConfidenceOnceReviewed() {
    java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(T);
    try (SreAgent agent = SreAgent.builder().setClock(now::get).build()) {
      incidents(agent, 6);
      now.set(T.plusSeconds(120));
      agent.tick();
      var first = agent.incidents();
      assertThat(first).allSatisfy(i -> assertThat(i.diagnosis()).isNotNull());
      double before = first.get(0).diagnosis().confidence().score();
      assertThat(first.get(0).diagnosis().confidence().factors()).doesNotContainKey("history");
      for (var i : first) {
        agent.reviewDiagnosis(i.id(), false, "alice");
      }
      agent.sink().accept(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, 86400, now.get(),
          Map.of(Attributes.SERVICE_NAME, "svc-new", Attributes.TLS_CERTIFICATE, "c-new")));
      agent.tick();
      now.set(now.get().plusSeconds(120));
      agent.tick();
      var later = agent.incidents().stream().filter(i -> i.rootService().equals("svc-new")).findFirst().orElseThrow();
      assertThat(later.diagnosis().confidence().factors()).containsEntry("history", 1.0 / 8);
      assertThat(later.diagnosis().confidence().score()).isCloseTo(0.8 * before + 0.2 / 8,
          org.assertj.core.data.Offset.offset(1e-9));
      assertThat(later.diagnosis().confidence().explanation()).contains("(0/6 verified correct)");
    }
  }
}
