package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.detect.BuiltInDetectors;
import dev.sreagent.detect.MetricNoveltyDetector;
import dev.sreagent.detect.StreamingAnomalyScorer.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A custom metric watched by the general scorer becomes an incident of the whole loop, next to the built-ins. */
class CustomMetricNoveltyTest {
  private static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");
  private static final int BACKLOG_AT = MetricNoveltyDetector.DAY_OF_15S_SAMPLES + 1_000;

  /** A day and four hours of an ordinary queue, then an hour of a backlog; the novelty incidents. */
  private static List<Incident> run(SreAgentBuilder builder, AtomicReference<Instant> now) {
    Random rng = new Random(2);
    try (SreAgent agent = builder.setClock(now::get).build()) {
      for (int i = 0; i < BACKLOG_AT + 240; i++) {
        now.set(T0.plusSeconds(15L * i));
        double depth = i < BACKLOG_AT ? 20 + 2 * rng.nextGaussian() : 400 + 40 * rng.nextGaussian();
        agent.sink().accept(new MetricSample("app.queue.depth", depth, now.get(),
            Map.of(Attributes.SERVICE_NAME, "orders", Attributes.K8S_POD_NAME, "orders-7f9c")));
        agent.tick();
      }
      return agent.incidents().stream().filter(inc -> inc.type().equals(MetricNoveltyDetector.TYPE)).toList();
    }
  }

  private static void assertOneBacklogIncident(List<Incident> novelty) {
    Instant backlog = T0.plusSeconds(15L * BACKLOG_AT);
    List<Incident> fromBacklog = novelty.stream().filter(inc -> !inc.openedAt().isBefore(backlog)).toList();
    assertThat(fromBacklog).as("the backlog, however it wanders").hasSize(1);
    Incident incident = fromBacklog.get(0);
    assertThat(incident.rootService()).isEqualTo("orders");
    assertThat(incident.openedAt()).isEqualTo(backlog);
    assertThat(incident.anomalies().get(0).summary()).contains("a level it never reached before");
    // white noise reaches a new tail level now and then (here once: a 4-sigma value in the four scored hours before)
    assertThat(novelty.size() - fromBacklog.size()).as("noise before the backlog").isLessThanOrEqualTo(1);
  }

  @Test
  void aBackedUpQueueOpensOneIncidentNamingItsService() {
    var detectors = new ArrayList<>(BuiltInDetectors.create());
    // a noisy queue: new depths and extreme values matter, rare runs of noise do not
    detectors.add(MetricNoveltyDetector.builder("app.queue.depth")
        .setReasons(EnumSet.of(Reason.NEW_LEVEL, Reason.EXTREME_VALUE, Reason.UNUSUAL_STAY)).build());
    assertOneBacklogIncident(run(SreAgent.builder().setDiscovery(false).setDetectors(detectors),
        new AtomicReference<>(T0)));
  }

  @Test
  void theSameFromConfigurationAlone() {
    assertOneBacklogIncident(run(SreAgent.builder().setConfig(Map.of("novelty.metrics", "app.queue.depth",
        "novelty.reasons", "new-level, extreme-value, unusual-stay")), new AtomicReference<>(T0)));
  }
}
