package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentOutcome;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.core.lifecycle.IncidentLifecycle;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import dev.sreagent.core.store.InMemoryIncidentStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Memory stays bounded when every one of thousands of unrelated services pages at once, and over months of incidents. */
class AlertStormTest {
  private static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");

  @Test
  void aStormOfUnrelatedAnomaliesOpensAtMostTheCapAndCountsTheRest() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    try (SreAgent agent = SreAgent.builder().setDiscovery(false).setClock(now::get).build()) {
      for (int i = 0; i < 1_200; i++) {
        agent.sink().accept(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, Duration.ofDays(3).toSeconds(),
            now.get(), Map.of(Attributes.SERVICE_NAME, "junk-" + i, Attributes.TLS_CERTIFICATE, "junk-" + i)));
      }
      agent.tick();
      assertThat(agent.incidents()).hasSize(IncidentIntake.MAX_ACTIVE_INCIDENTS);
      assertThat(agent.stats().anomaliesSuppressed()).isEqualTo(1_200 - IncidentIntake.MAX_ACTIVE_INCIDENTS);
      // once the storm's incidents end (OBSERVE: shadowed and handed to humans), new ones open again
      now.set(T0.plus(Duration.ofMinutes(2)));
      agent.tick();
      assertThat(agent.incidents()).allMatch(i -> i.state() == IncidentState.ESCALATED);
      agent.sink().accept(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, Duration.ofDays(3).toSeconds(),
          now.get(), Map.of(Attributes.SERVICE_NAME, "payments", Attributes.TLS_CERTIFICATE, "payments-mtls")));
      agent.tick();
      assertThat(agent.incidents()).anyMatch(i -> i.rootService().equals("payments"));
    }
  }

  @Test
  void theStoreKeepsEveryActiveIncidentAndTheNewestEndedOnes() {
    InMemoryIncidentStore store = new InMemoryIncidentStore(3);
    for (int i = 1; i <= 10; i++) {
      Anomaly a = new Anomaly(IncidentType.OOM_KILL, "s" + i, "p", "m", 1, 0.8, 0.9, Severity.SEV3, T0, T0, "x");
      Incident inc = Incident.open(String.format("INC-%04d", i), a, "s" + i, T0);
      store.save(i % 2 == 0 ? inc : IncidentLifecycle.end(IncidentLifecycle.transition(inc,
          IncidentState.INVESTIGATING, T0), IncidentOutcome.DENIED, "test", T0));
    }
    assertThat(store.active()).extracting(Incident::id).containsExactly("INC-0002", "INC-0004", "INC-0006",
        "INC-0008", "INC-0010");
    assertThat(store.all()).filteredOn(i -> i.state().isTerminal()).extracting(Incident::id)
        .containsExactly("INC-0005", "INC-0007", "INC-0009");
  }
}
