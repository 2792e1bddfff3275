package dev.sreagent.api.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.model.Topology;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The no-op ports do nothing, and say so. */
class NoopPortsTest {
  private static final Incident INC = Incident.open("INC-1", new Anomaly(IncidentType.OOM_KILL, "cart", "cart-0",
      "memory", 0.97, 0.85, 0.9, Severity.SEV3, Instant.EPOCH, Instant.EPOCH, "memory high"), "cart", Instant.EPOCH);

  @Test
  void theNoopExecutorSupportsNoAction() {
    assertThat(ActionExecutor.noop().supports(new Action.RestartPods("cart", java.util.List.of("cart-0"))))
        .isFalse();
  }

  @Test
  void theNoopPlannerPlansNothing() {
    var plan = RemediationPlanner.noop().plan(INC, new Topology(Map.of(), java.util.Set.of()));
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.incidentId()).isEqualTo("INC-1");
  }

  @Test
  void theNoopSinkTakesEverything() {
    assertThat(TelemetrySink.noop().accept(new MetricSample("m", 1, Instant.EPOCH, Map.of()))).isTrue();
  }
}
