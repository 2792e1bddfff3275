package dev.sreagent.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.port.Reasoner;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.SreAgentBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiscoveryTest {
  private static final Incident INC = Incident.open("INC-1", new Anomaly(IncidentType.OOM_KILL, "a", "a", "m", 1,
      0.5, 0.5, Severity.SEV3, Instant.EPOCH, Instant.EPOCH, "x"), "a", Instant.EPOCH);

  @Test
  void providersOnTheClassPathAreFoundAndConfigNamesPickOne() {
    TestProviders.EVENTS.clear();
    try (SreAgent agent = SreAgent.builder().setClock(() -> Instant.EPOCH).build()) {
      agent.sink().accept(new dev.sreagent.api.model.MetricSample(
          dev.sreagent.api.model.MetricNames.CERTIFICATE_TIME_TO_EXPIRY, 86400, Instant.EPOCH,
          Map.of(dev.sreagent.api.model.Attributes.SERVICE_NAME, "web")));
      agent.tick();
      assertThat(TestProviders.EVENTS).as("the discovered notifier received the opening")
          .anyMatch(e -> e.kind() == dev.sreagent.api.event.IncidentEvent.Kind.OPENED);
    }
    var b = SreAgent.builder().setConfig(Map.of("sre-agent.reasoner", "picky", "picky.mode", "lenient"));
    assertThatThrownBy(b::build).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("picky.mode must be 'strict', but was 'lenient'");
  }

  @Test
  void anExplicitBuilderCallBeatsDiscovery() {
    Reasoner mine = (incident, knowledge) -> new Diagnosis(List.of(new Hypothesis("mine", 1, "", List.of())),
        new Confidence(1, Map.of(), "mine"), "mine");
    assertThat(mine.diagnose(INC, List.of()).reasoner()).isEqualTo("mine");
    try (SreAgent agent = SreAgent.builder().setReasoner(mine)
        .setConfig(Map.of("sre-agent.reasoner", "picky", "picky.mode", "lenient")).build()) {
      assertThat(agent).isNotNull(); // picky was never created: its bad config did not fail the build
    }
  }

  @Test
  void discoveryCanBeTurnedOff() {
    try (SreAgent agent = SreAgent.builder().setDiscovery(false)
        .setConfig(Map.of("picky.mode", "lenient")).build()) {
      assertThat(agent.knowledgeBase().size()).isPositive();
    }
  }

  @Test
  void aTelemetrySourceStartsOnlyWhenConfigurationNamesIt() {
    TestProviders.SOURCES_STARTED.clear();
    try (SreAgent agent = SreAgent.builder().setClock(() -> Instant.EPOCH).build()) {
      agent.start();
      assertThat(TestProviders.SOURCES_STARTED).as("on the class path but not named: not started").isEmpty();
    }
    try (SreAgent agent = SreAgent.builder().setClock(() -> Instant.EPOCH).setDiscovery(false)
        .setConfig(Map.of(SreAgentBuilder.TELEMETRY_SOURCES_KEY, " test-source ", "test-source.label", "x"))
        .build()) {
      agent.start();
      assertThat(TestProviders.SOURCES_STARTED).as("named: started, even with discovery off")
          .containsExactly("test-source-x");
    }
  }

  @Test
  void aTelemetrySourceNamedButNotOnTheClassPathIsRefusedWithTheKnownOnes() {
    var b = SreAgent.builder().setConfig(Map.of(SreAgentBuilder.TELEMETRY_SOURCES_KEY, "test-source,prometheus"));
    assertThatThrownBy(b::build).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sre-agent.telemetry-sources names provider 'prometheus'")
        .hasMessageContaining("[test-source]");
  }

  @Test
  void anExecutorThatWaitsToBeNamedIsAddedOnlyWhenConfigurationNamesIt() {
    TestProviders.EXECUTORS_CREATED.clear();
    try (SreAgent agent = SreAgent.builder().setClock(() -> Instant.EPOCH).build()) {
      assertThat(TestProviders.EXECUTORS_CREATED).as("on the class path but not named: not created").isEmpty();
    }
    try (SreAgent agent = SreAgent.builder().setClock(() -> Instant.EPOCH).setDiscovery(false)
        .setConfig(Map.of(SreAgentBuilder.EXECUTORS_KEY, "test-executor", "test-executor.label", "x")).build()) {
      assertThat(TestProviders.EXECUTORS_CREATED).as("named: created, even with discovery off").containsExactly("x");
    }
    var b = SreAgent.builder().setConfig(Map.of(SreAgentBuilder.EXECUTORS_KEY, "test-executor, gitops"));
    assertThatThrownBy(b::build).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sre-agent.executors names provider 'gitops'")
        .hasMessageContaining("[test-executor]");
  }

  @Test
  void aSetterCalledTwiceReplaces() {
    try (SreAgent agent = SreAgent.builder().setDetectors(List.of()).setDetectors(List.of()).build()) {
      assertThat(agent).isNotNull();
    }
  }
}
