package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SreAgentBuilderTest {
  @Test
  void buildsWithNoConfigurationAtAllAndStartsInObserve() {
    try (SreAgent agent = SreAgent.builder().build()) {
      assertThat(agent.phase(IncidentType.OOM_KILL)).isEqualTo(Phase.OBSERVE);
      assertThat(agent.knowledgeBase().size()).isGreaterThan(0);
      assertThat(agent.sink().accept(MetricSample.of(MetricNames.MEMORY_UTILIZATION, 0.5, Instant.now(), "a")))
          .isTrue();
      agent.tick();
      assertThat(agent.stats().signalsAccepted()).isEqualTo(1);
      assertThat(agent.auditLog().verify().intact()).isTrue();
    }
  }

  @Test
  void aFullInboxPushesBackInsteadOfGrowing() {
    try (SreAgent agent = SreAgent.builder().setSettings(AgentSettings.defaults().withInboxCapacity(16)).build()) {
      int accepted = 0;
      for (int i = 0; i < 100; i++) {
        accepted += agent.sink().accept(MetricSample.of("m", i, Instant.now(), "a")) ? 1 : 0;
      }
      assertThat(accepted).isEqualTo(16);
      assertThat(agent.stats().signalsDropped()).isEqualTo(84);
      agent.tick();
      assertThat(agent.sink().accept(MetricSample.of("m", 1, Instant.now(), "a"))).isTrue();
    }
  }

  @Test
  void anUnknownNamedProviderNamesTheKnownOnesAndTheFix() {
    assertThatThrownBy(() -> SreAgent.builder().setConfig(Map.of("sre-agent.reasoner", "gpt-9")).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'gpt-9'")
        .hasMessageContaining("add the module");
  }

  @Test
  void allProblemsAreReportedTogether() {
    var b = SreAgent.builder().setDefaultPhase(Phase.ASSIST)
        .setSettings(AgentSettings.defaults().withApproverRoles(Set.of()))
        .setConfig(Map.of("sre-agent.knowledge-base", "nope"));
    assertThatThrownBy(b::build).isInstanceOfSatisfying(ConfigurationException.class,
        e -> assertThat(e.problems()).hasSize(2));
  }

  @Test
  void conflictingSettersFailFast() {
    assertThatThrownBy(() -> SreAgent.builder().setAuditFile(Path.of("a")).setAuditLog(
        dev.sreagent.core.audit.HashChainedAuditLog.inMemory()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot be combined");
    assertThatThrownBy(() -> AgentSettings.defaults().withInboxCapacity(3))
        .hasMessageContaining("inboxCapacity must be >= 16, but was 3");
  }
}
