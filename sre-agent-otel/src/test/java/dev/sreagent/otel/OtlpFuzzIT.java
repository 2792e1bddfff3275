package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.api.port.Clock;
import dev.sreagent.otel.OtlpHttpReceiver.Endpoint;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.Test;

/**
 * The long fuzz runs (100,000 mutated payloads per signal type, run by {@code mvn -Pit verify} in CI) and the
 * label-explosion test (1,000,000 distinct series against the cardinality limits and a memory bound).
 */
class OtlpFuzzIT {
  private static final OtlpHttpReceiver RECEIVER = OtlpFuzzing.receiver();

  @Provide
  Arbitrary<List<OtlpFuzzing.Mutation>> chains() {
    return OtlpFuzzing.chains();
  }

  @Property(tries = 100_000)
  void metrics(@ForAll int seed, @ForAll("chains") List<OtlpFuzzing.Mutation> chain) {
    OtlpFuzzing.check(RECEIVER, Endpoint.METRICS, "application/x-protobuf",
        OtlpFuzzing.mutate(OtlpFuzzing.seeds(Endpoint.METRICS), seed, chain));
  }

  @Property(tries = 100_000)
  void traces(@ForAll int seed, @ForAll("chains") List<OtlpFuzzing.Mutation> chain) {
    OtlpFuzzing.check(RECEIVER, Endpoint.TRACES, "application/x-protobuf",
        OtlpFuzzing.mutate(OtlpFuzzing.seeds(Endpoint.TRACES), seed, chain));
  }

  @Property(tries = 100_000)
  void logs(@ForAll int seed, @ForAll("chains") List<OtlpFuzzing.Mutation> chain) {
    OtlpFuzzing.check(RECEIVER, Endpoint.LOGS, "application/x-protobuf",
        OtlpFuzzing.mutate(OtlpFuzzing.seeds(Endpoint.LOGS), seed, chain));
  }

  @Property(tries = 100_000)
  void jsonOfEverySignal(@ForAll int seed, @ForAll("chains") List<OtlpFuzzing.Mutation> chain) {
    Endpoint e = Endpoint.values()[Math.floorMod(seed, Endpoint.values().length)];
    OtlpFuzzing.check(RECEIVER, e, "application/json", OtlpFuzzing.mutate(OtlpFuzzing.jsonSeeds(e), seed, chain));
  }

  @Test
  void aMillionDistinctSeriesStayWithinTheLimitsAndTheMemoryBound() {
    AtomicLong accepted = new AtomicLong();
    OtlpHttpReceiver r = OtlpHttpReceiver.builder().setListen(false).setClock(Clock.fixed(OtlpIngestTest.T0))
        .setMaxSeriesPerService(10_000).setMaxSeriesPerTenant(50_000).build();
    r.start(s -> {
      accepted.incrementAndGet();
      return true;
    });
    explode(r, 0);
    assertThat(r.liveSeries()).isEqualTo(50_000);
    assertThat(accepted.get()).isEqualTo(50_000);
    long afterFirst = usedHeapAfterGc();
    explode(r, 1);
    long afterSecond = usedHeapAfterGc();
    assertThat(r.liveSeries()).isEqualTo(50_000);
    assertThat(r.counters().get("rejected.cardinality")).isEqualTo(2_000_000L - 50_000);
    System.out.printf("label explosion: 2,000,000 distinct series sent, %d live, heap %.1f MB -> %.1f MB%n",
        r.liveSeries(), afterFirst / 1e6, afterSecond / 1e6);
    assertThat(afterSecond - afterFirst).as("a second million new series must not grow the heap")
        .isLessThan(16L * 1024 * 1024);
  }

  /** 1,000 requests of 1,000 gauge points, each point a new series (label {@code user.id}), over 10 services. */
  private static void explode(OtlpHttpReceiver r, int round) {
    for (int req = 0; req < 1_000; req++) {
      ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
      Gauge.Builder gauge = Gauge.newBuilder();
      for (int i = 0; i < 1_000; i++) {
        gauge.addDataPoints(NumberDataPoint.newBuilder().setAsDouble(i).setTimeUnixNano(OtlpFuzzing.T0)
            .addAttributes(OtlpIngestTest.kv("user.id", round + "-" + req + "-" + i)));
      }
      scope.addMetrics(Metric.newBuilder().setName("orders").setGauge(gauge));
      ExportMetricsServiceRequest body = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(
          ResourceMetrics.newBuilder().setResource(Resource.newBuilder()
              .addAttributes(OtlpIngestTest.kv("service.name", "svc-" + req % 10))).addScopeMetrics(scope)).build();
      assertThat(r.receive(Endpoint.METRICS, "application/x-protobuf", body.toByteArray()).status()).isEqualTo(200);
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
