package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Metrics-only telemetry (no spans, no topology provider): the client-side series of checkout's calls to payment
 * ({@code peer.service}) tell the agent that checkout calls payment, so a delay into payment — checkout slower, payment's
 * own latency flat — is one incident rooted at payment, checkout among its affected services, not two incidents and
 * not one rooted at checkout.
 */
class MetricsOnlyCallEdgeTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void theCallersSlownessAndTheDelayIntoItsCalleeAreOneIncidentRootedAtTheCallee() {
    AtomicReference<Instant> now = new AtomicReference<>(T0);
    try (SreAgent agent = SreAgent.builder().setClock(now::get).setDiscovery(false)
        .setDefaultPhase(Phase.OBSERVE).build()) {
      agent.start();
      for (int i = 0; i < 45; i++) {
        Instant at = T0.plusSeconds(60L * i);
        now.set(at);
        boolean delayed = i >= 35;
        double jitter = 1 + 0.02 * ((i * 7) % 5);
        agent.sink().accept(new MetricSample(MetricNames.LATENCY_P99, (delayed ? 0.65 : 0.05) * jitter, at,
            Map.of(Attributes.SERVICE_NAME, "checkout")));
        agent.sink().accept(new MetricSample(MetricNames.LATENCY_P99, 0.02 * jitter, at,
            Map.of(Attributes.SERVICE_NAME, "payment")));
        agent.sink().accept(new MetricSample(MetricNames.CLIENT_LATENCY_P50, (delayed ? 0.21 : 0.01) * jitter, at,
            Map.of(Attributes.SERVICE_NAME, "checkout", Attributes.PEER_SERVICE, "payment")));
        agent.tick();
      }
      assertThat(agent.incidents()).singleElement().satisfies((Incident inc) -> {
        assertThat(inc.rootService()).isEqualTo("payment");
        assertThat(inc.affectedServices()).contains("checkout", "payment");
      });
      assertThat(agent.dependencyGraph()).anySatisfy(e -> {
        assertThat(e.from()).isEqualTo("checkout");
        assertThat(e.to()).isEqualTo("payment");
      });
    }
  }
}
