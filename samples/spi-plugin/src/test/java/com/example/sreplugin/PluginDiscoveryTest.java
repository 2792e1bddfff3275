package com.example.sreplugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentState;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.Revision;
import dev.sreagent.api.model.ServiceInfo;
import dev.sreagent.api.model.Topology;
import dev.sreagent.core.SreAgent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plugin is found on the class path; its guardrail stops an action the built-in chain would allow. */
class PluginDiscoveryTest {
  @Test
  void theDiscoveredGuardrailProtectsTheNamespace() {
    Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
    Topology topo = new Topology(Map.of("ledger", new ServiceInfo("ledger", "payments-prod", 3, 6, 1, "r1",
        List.of(new Revision("r1", now[0], true)), List.of("ledger-0", "ledger-1", "ledger-2"))), Set.of());
    try (SreAgent agent = SreAgent.builder().setClock(() -> now[0]).setTopologyProvider(() -> topo)
        .setDefaultPhase(Phase.AUTONOMOUS).build()) {
      agent.sink().accept(new MetricSample(MetricNames.CERTIFICATE_TIME_TO_EXPIRY, 5 * 86400.0, now[0],
          Map.of(Attributes.SERVICE_NAME, "ledger", Attributes.TLS_CERTIFICATE, "ledger-tls")));
      agent.tick();
      now[0] = now[0].plusSeconds(120);
      agent.tick();
      agent.tick();
      assertThat(agent.incidents()).singleElement().satisfies(i -> {
        assertThat(i.plan().actions()).singleElement().isInstanceOf(Action.RenewCertificate.class);
        assertThat(i.state()).isEqualTo(IncidentState.ESCALATED);
        assertThat(i.outcomeReason()).contains("denied by protected-namespace").contains("payments-prod");
      });
    }
  }
}
