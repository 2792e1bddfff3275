package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sreagent.api.port.Clock;
import dev.sreagent.otel.OtlpHttpReceiver.Endpoint;
import dev.sreagent.otel.OtlpHttpReceiver.Response;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * What the decoder fuzzers share: valid seed payloads per signal (protobuf and JSON), mutations of them (bit flips,
 * byte overwrites, inserted, deleted and duplicated ranges, truncation, splices of two seeds, varint bombs), and the
 * check that the receiver answered without throwing, with an allowed status, within its bounds. An input that breaks
 * the check is written to {@code target/fuzz-crashes/} so that it can join the regression corpus in
 * {@code src/test/resources/fuzz-corpus/}.
 */
final class OtlpFuzzing {
  static final long T0 = OtlpIngestTest.T0_NANOS;
  private static final Set<Integer> ALLOWED = Set.of(200, 400, 413, 429);

  private OtlpFuzzing() {}

  /** A receiver that accepts the seeds' timestamps, with small limits so that bounds are reached quickly. */
  static OtlpHttpReceiver receiver() {
    OtlpHttpReceiver r = OtlpHttpReceiver.builder().setListen(false).setClock(Clock.fixed(OtlpIngestTest.T0))
        .setMaxSeriesPerService(1_000).setMaxSeriesPerTenant(5_000).setMaxTenants(10)
        .setMaxBodyBytes(256 * 1024).build();
    r.start(s -> true);
    return r;
  }

  static List<byte[]> seeds(Endpoint e) {
    return switch (e) {
      case METRICS -> List.of(metrics().toByteArray(), OtlpIngestTest.gauges(java.util.Map.of("service.name", "a"),
          "g", 1.5, T0, OtlpIngestTest.kv("pod", "p-1")).toByteArray());
      case TRACES -> List.of(traces().toByteArray());
      case LOGS -> List.of(logs().toByteArray());
      case ALERTMANAGER -> List.of(OtlpIngestTest.resource("alertmanager.json"));
    };
  }

  static List<byte[]> jsonSeeds(Endpoint e) {
    return switch (e) {
      case METRICS -> List.of(OtlpIngestTest.resource("metrics.json"));
      case TRACES -> List.of(OtlpIngestTest.resource("traces.json"));
      case LOGS -> List.of(OtlpIngestTest.resource("logs.json"));
      case ALERTMANAGER -> List.of(OtlpIngestTest.resource("alertmanager.json"));
    };
  }

  private static Resource res(String service) {
    return Resource.newBuilder().addAttributes(OtlpIngestTest.kv("service.name", service))
        .addAttributes(OtlpIngestTest.kv("k8s.pod.name", service + "-5f7c9d8b6-abcde")).build();
  }

  static ExportMetricsServiceRequest metrics() {
    HistogramDataPoint hp = HistogramDataPoint.newBuilder().setStartTimeUnixNano(T0 - 60_000_000_000L)
        .setTimeUnixNano(T0).setCount(100).setSum(3).addAllBucketCounts(List.of(10L, 80L, 8L, 2L))
        .addAllExplicitBounds(List.of(0.01, 0.05, 0.25)).addAttributes(OtlpIngestTest.kv("http.response.status_code",
            "500")).build();
    ExponentialHistogramDataPoint ep = ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T0).setCount(50)
        .setScale(3).setZeroCount(1).setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-40)
            .addAllBucketCounts(List.of(10L, 20L, 19L))).build();
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(res("checkout")).addScopeMetrics(ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName("http.server.request.duration").setUnit("s")
                .setHistogram(Histogram.newBuilder().setAggregationTemporality(
                    AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE).addDataPoints(hp)))
            .addMetrics(Metric.newBuilder().setName("rpc.server.duration").setUnit("ms")
                .setExponentialHistogram(ExponentialHistogram.newBuilder().addDataPoints(ep)))
            .addMetrics(OtlpIngestTest.gauges(java.util.Map.of(), "k8s.container.memory_limit", 1e9, T0)
                .getResourceMetrics(0).getScopeMetrics(0).getMetrics(0))
            .addMetrics(OtlpIngestTest.gauges(java.util.Map.of(), "container.memory.working_set", 9e8, T0)
                .getResourceMetrics(0).getScopeMetrics(0).getMetrics(0))))
        .build();
  }

  static ExportTraceServiceRequest traces() {
    Span server = Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(
        new byte[] {1, 2, 3, 4, 5, 6, 7, 8})).setName("GET /").setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(T0).setEndTimeUnixNano(T0 + 1_000_000).build();
    Span client = server.toBuilder().setSpanId(ByteString.copyFrom(new byte[] {9, 9, 9, 9, 9, 9, 9, 9}))
        .setParentSpanId(server.getSpanId()).setKind(Span.SpanKind.SPAN_KIND_CLIENT).build();
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(
        res("frontend")).addScopeSpans(ScopeSpans.newBuilder().addSpans(server).addSpans(client))).build();
  }

  static ExportLogsServiceRequest logs() {
    LogRecord r = LogRecord.newBuilder().setTimeUnixNano(T0).setSeverityText("ERROR")
        .setBody(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addValues(
            OtlpIngestTest.kv("msg", "Container payments was OOMKilled")))).build();
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(
        res("payments")).addScopeLogs(ScopeLogs.newBuilder().addLogRecords(r))).build();
  }

  /** One mutation: an operation, a position and a value, all as fractions and bytes so that jqwik can shrink. */
  record Mutation(int op, double at, double length, byte value) {
    byte[] apply(byte[] in, byte[] other) {
      int n = in.length;
      int pos = n == 0 ? 0 : (int) (at * n) % Math.max(1, n);
      int len = 1 + (int) (length * 16);
      return switch (op) {
        case 0 -> { // flip a bit
          byte[] out = in.clone();
          if (n > 0) {
            out[pos] ^= (byte) (1 << (value & 7));
          }
          yield out;
        }
        case 1 -> { // overwrite a byte
          byte[] out = in.clone();
          if (n > 0) {
            out[pos] = value;
          }
          yield out;
        }
        case 2 -> { // insert bytes
          byte[] out = new byte[n + len];
          System.arraycopy(in, 0, out, 0, pos);
          Arrays.fill(out, pos, pos + len, value);
          System.arraycopy(in, pos, out, pos + len, n - pos);
          yield out;
        }
        case 3 -> { // delete a range
          int end = Math.min(n, pos + len);
          byte[] out = new byte[n - (end - pos)];
          System.arraycopy(in, 0, out, 0, pos);
          System.arraycopy(in, end, out, pos, n - end);
          yield out;
        }
        case 4 -> Arrays.copyOf(in, pos); // truncate
        case 5 -> { // duplicate a range
          int end = Math.min(n, pos + len);
          byte[] out = new byte[n + end - pos];
          System.arraycopy(in, 0, out, 0, end);
          System.arraycopy(in, pos, out, end, n - pos);
          yield out;
        }
        case 6 -> { // splice: head of this one, tail of the other
          int cut = other.length == 0 ? 0 : (int) (length * other.length) % other.length;
          byte[] out = new byte[pos + other.length - cut];
          System.arraycopy(in, 0, out, 0, pos);
          System.arraycopy(other, cut, out, pos, other.length - cut);
          yield out;
        }
        default -> { // varint bomb: 0xff run that makes lengths and counts huge
          byte[] out = in.clone();
          for (int i = pos; i < Math.min(n, pos + len); i++) {
            out[i] = (byte) 0xff;
          }
          yield out;
        }
      };
    }
  }

  static Arbitrary<Mutation> mutations() {
    return Combinators.combine(Arbitraries.integers().between(0, 7), Arbitraries.doubles().between(0, 1),
        Arbitraries.doubles().between(0, 1), Arbitraries.bytes()).as(Mutation::new);
  }

  static Arbitrary<List<Mutation>> chains() {
    return mutations().list().ofMinSize(1).ofMaxSize(8);
  }

  static byte[] mutate(List<byte[]> seeds, int seed, List<Mutation> chain) {
    byte[] current = seeds.get(Math.floorMod(seed, seeds.size()));
    byte[] other = seeds.get(Math.floorMod(seed + 1, seeds.size()));
    for (Mutation m : chain) {
      current = m.apply(current, other);
    }
    return current;
  }

  /** Sends one input and checks the answer; a failing input is saved under target/fuzz-crashes/. */
  static void check(OtlpHttpReceiver r, Endpoint e, String contentType, byte[] input) {
    try {
      Response resp = r.receive(e, contentType, input);
      assertThat(ALLOWED).contains(resp.status());
      if (decodes(e, contentType, input)) {
        assertThat(resp.status()).as("a request that decodes is never refused as malformed: " + resp.text())
            .isIn(200, 429);
      }
      assertThat(resp.body()).isNotNull();
      assertThat(r.liveSeries()).isLessThanOrEqualTo(10 * 5_000);
      assertThat(r.mappingState()).isLessThanOrEqualTo(200_000);
    } catch (Throwable t) {
      save(e, contentType, input);
      throw t;
    }
  }

  /** Whether the input is a well-formed protobuf request of the endpoint's type. */
  private static boolean decodes(Endpoint e, String contentType, byte[] input) {
    if (!contentType.contains("protobuf")) {
      return false;
    }
    try {
      switch (e) {
        case METRICS -> ExportMetricsServiceRequest.parseFrom(input);
        case TRACES -> ExportTraceServiceRequest.parseFrom(input);
        case LOGS -> ExportLogsServiceRequest.parseFrom(input);
        default -> {
          return false;
        }
      }
      return true;
    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
      return false;
    }
  }

  private static void save(Endpoint e, String contentType, byte[] input) {
    try {
      String name = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input)).substring(0, 16);
      Path dir = Path.of("target", "fuzz-crashes", e.name().toLowerCase(java.util.Locale.ROOT));
      Files.createDirectories(dir);
      Files.write(dir.resolve(name + (contentType.contains("json") ? ".json" : ".bin")), input);
    } catch (IOException | NoSuchAlgorithmException ex) {
      throw new UncheckedIOException(new IOException("cannot save the crashing input", ex));
    }
  }
}
