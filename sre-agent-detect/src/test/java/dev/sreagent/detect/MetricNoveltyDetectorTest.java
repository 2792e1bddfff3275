package dev.sreagent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.detect.StreamingAnomalyScorer.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricNoveltyDetectorTest {
  private static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");
  private static final String QUEUE = "app.queue.depth";

  private static MetricSample queue(String service, String pod, double value, int i) {
    return new MetricSample(QUEUE, value, T0.plusSeconds(15L * i),
        Map.of(Attributes.SERVICE_NAME, service, Attributes.K8S_POD_NAME, pod));
  }

  @Test
  void aQueueThatBacksUpIsReportedOnceWithWhatItDid() {
    MetricNoveltyDetector d = MetricNoveltyDetector.builder(QUEUE).build();
    Random rng = new Random(1);
    List<Anomaly> quiet = new ArrayList<>();
    int day = MetricNoveltyDetector.DAY_OF_15S_SAMPLES;
    int i = 0;
    for (; i < day + 2_000; i++) {
      quiet.addAll(d.observe(queue("orders", "orders-1", 20 + 2 * rng.nextGaussian(), i)));
    }
    // noise meets a rare run of tail values now and then
    assertThat(quiet).as("reports while the queue was ordinary, after a day of warm-up").hasSizeLessThanOrEqualTo(1);
    List<Anomaly> backedUp = new ArrayList<>();
    int backlogStart = i;
    for (int j = 0; j < 10; j++, i++) {
      backedUp.addAll(d.observe(queue("orders", "orders-1", 200 + 20 * rng.nextGaussian(), i)));
    }
    assertThat(backedUp).hasSize(1);
    Anomaly a = backedUp.get(0);
    quiet.forEach(q -> assertThat(q.detectedAt()).isBefore(T0.plusSeconds(15L * backlogStart)));
    assertThat(a.type()).isEqualTo(MetricNoveltyDetector.TYPE);
    assertThat(a.service()).isEqualTo("orders");
    assertThat(a.resource()).isEqualTo("orders-1");
    assertThat(a.signal()).isEqualTo(QUEUE);
    assertThat(a.observed()).isGreaterThan(100);
    assertThat(a.score()).isBetween(0.1, 1.0);
    assertThat(a.detectedAt()).isEqualTo(T0.plusSeconds(15L * backlogStart));
    assertThat(a.summary()).contains("app.queue.depth of orders").contains("a level it never reached before");
    assertThat(d.isFiring("orders")).isTrue();
    assertThat(d.isFiring("payments")).isFalse();
    // an hour of a backlog wandering over new depths: the same episode
    for (int j = 0; j < 240; j++, i++) {
      backedUp.addAll(d.observe(queue("orders", "orders-1", 200 + 20 * rng.nextGaussian() + j, i)));
    }
    assertThat(backedUp).as("one report while the backlog lasts").hasSize(1);
    assertThat(d.isFiring("orders")).isTrue();
    // the pod is gone: its series falls silent, other series go on - 30 minutes later the episode is over
    for (int j = 0; j < 130; j++, i++) {
      d.observe(queue("orders", "orders-2", 20 + 2 * rng.nextGaussian(), i));
    }
    assertThat(d.isFiring("orders")).isFalse();
  }

  @Test
  void aKindOfNewsCanBeLeftOut() {
    MetricNoveltyDetector all = MetricNoveltyDetector.builder(QUEUE).setWarmUp(300).build();
    MetricNoveltyDetector noSequences = MetricNoveltyDetector.builder(QUEUE).setWarmUp(300)
        .setReasons(EnumSet.of(Reason.NEW_LEVEL, Reason.EXTREME_VALUE, Reason.UNUSUAL_STAY)).build();
    List<Anomaly> fromAll = new ArrayList<>();
    List<Anomaly> fromTheOther = new ArrayList<>();
    // a sawtooth climbing through five levels, then falling through the same five: only the order is new
    for (int i = 0; i < 1_500; i++) {
      double v = i < 1_000 ? i % 5 : 4 - i % 5;
      fromAll.addAll(all.observe(queue("batch", "batch-1", v, i)));
      fromTheOther.addAll(noSequences.observe(queue("batch", "batch-1", v, i)));
    }
    assertThat(fromAll).singleElement().satisfies(a -> assertThat(a.summary()).contains("in an order never seen"));
    assertThat(fromTheOther).isEmpty();
  }

  @Test
  void otherMetricsAndBadValuesAreIgnored() {
    MetricNoveltyDetector d = MetricNoveltyDetector.builder(QUEUE).build();
    for (int i = 0; i < 1_000; i++) {
      assertThat(d.observe(MetricSample.of(MetricNames.LATENCY_P99, i % 7 == 0 ? 1e9 : 0.1, T0.plusSeconds(i),
          "orders"))).isEmpty();
      assertThat(d.observe(queue("orders", "orders-1", Double.NaN, i))).isEmpty();
    }
    assertThat(d.trackedSeries()).isZero();
  }

  @Test
  void aSeriesThatReportsRegularlyKeepsItsScorerThroughABurstOfOneOffSeries() {
    MetricNoveltyDetector d = MetricNoveltyDetector.builder(QUEUE).setWarmUp(300).setMaxSeries(50).build();
    Random rng = new Random(3);
    List<Anomaly> reports = new ArrayList<>();
    int i = 0;
    for (; i < 400; i++) {
      reports.addAll(d.observe(queue("orders", "orders-1", 20 + 2 * rng.nextGaussian(), i)));
    }
    for (int j = 0; j < 5; j++, i++) {
      reports.addAll(d.observe(queue("orders", "orders-1", 200 + 20 * rng.nextGaussian(), i)));
    }
    assertThat(reports).hasSize(1);
    for (int j = 0; j < 5_000; j++) { // one sample each from 5,000 pods: 100 times the cap
      d.observe(queue("batch", "batch-" + j, 7, i));
    }
    assertThat(d.isFiring("orders")).as("the reporting series kept its state").isTrue();
    assertThat(d.trackedSeries()).isEqualTo(50);
    assertThat(d.evictedSeries()).isEqualTo(5_000 - 49).isEqualTo(d.evictedStates());
    for (int j = 0; j < 5; j++, i++) { // the backlog goes on: the same episode, not a new report of a new scorer
      reports.addAll(d.observe(queue("orders", "orders-1", 200 + 20 * rng.nextGaussian(), i)));
    }
    assertThat(reports).hasSize(1);
  }

  @Test
  void theNumberOfSeriesStaysBounded() {
    MetricNoveltyDetector d = MetricNoveltyDetector.builder(QUEUE).setMaxSeries(50).build();
    for (int i = 0; i < 1_000; i++) {
      d.observe(queue("orders", "orders-" + i, 20, i));
    }
    assertThat(d.trackedSeries()).isEqualTo(50);
    assertThat(d.evictedSeries()).isEqualTo(950);
  }

  @Test
  void aThresholdKeepsOnlyTheNewsOfQuietSeries() {
    MetricNoveltyDetector strict = MetricNoveltyDetector.builder(QUEUE).setThreshold(0.9).setWarmUp(300)
        .setPeriod(288).setHold(Duration.ofMinutes(1)).setType(IncidentType.of("queue-backlog")).build();
    int reports = 0;
    // a new record every 100 values: each report scores less than the one before
    for (int i = 0; i < 5_000; i++) {
      double v = 10 + (i % 7) + (i >= 300 && i % 100 == 0 ? 100 + i : 0);
      for (Anomaly a : strict.observe(queue("orders", "orders-1", v, i))) {
        assertThat(a.type().name()).isEqualTo("queue-backlog");
        assertThat(a.score()).isGreaterThanOrEqualTo(0.9);
        reports++;
      }
    }
    assertThat(reports).as("only the first records, while they are still rare").isBetween(1, 5);
  }

  @Test
  void badSettingsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> MetricNoveltyDetector.builder(" ")).hasMessageContaining("metric");
    assertThatThrownBy(() -> MetricNoveltyDetector.builder(QUEUE).setThreshold(0))
        .hasMessageContaining("threshold must be in (0, 1], but was 0.0");
    assertThatThrownBy(() -> MetricNoveltyDetector.builder(QUEUE).setWarmUp(5))
        .hasMessageContaining("warmUp must be at least 10, but was 5");
    assertThatThrownBy(() -> MetricNoveltyDetector.builder(QUEUE).setHold(Duration.ZERO))
        .hasMessageContaining("hold must be positive");
    assertThatThrownBy(() -> MetricNoveltyDetector.builder(QUEUE).setMaxSeries(0))
        .hasMessageContaining("maxSeries must be at least 1");
    assertThatThrownBy(() -> MetricNoveltyDetector.builder(QUEUE).setReasons(EnumSet.noneOf(Reason.class)))
        .hasMessageContaining("reasons must name at least one of");
  }
}
