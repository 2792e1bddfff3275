package dev.sreagent.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review of {@link OtlpRecording} against careless or hostile files: every one read right or named with the fix. */
class OtlpRecordingHostileInputTest {
  private static List<String> samples(List<OtlpRecording.Item> items) {
    List<Integer> statuses = new ArrayList<>();
    List<Signal> signals = OtlpRecordingTest.received(items, statuses);
    assertThat(statuses).containsOnly(200);
    return signals.stream().filter(s -> s instanceof MetricSample).map(s -> (MetricSample) s)
        .map(m -> m.service() + " " + m.name() + " " + m.value()).toList();
  }

  @Test
  void aDirectoryOrAMissingFileIsNamedAsSuch(@TempDir Path dir) throws Exception {
    Path folder = Files.createDirectory(dir.resolve("day.csv"));
    assertThatThrownBy(() -> OtlpRecording.read(folder)).isInstanceOf(IOException.class)
        .hasMessageContaining(folder.toString()).hasMessageContaining("is a directory");
    Path missing = dir.resolve("nope.jsonl");
    assertThatThrownBy(() -> OtlpRecording.read(missing)).isInstanceOf(IOException.class)
        .hasMessageContaining(missing.toString()).hasMessageContaining("no such file");
  }

  @Test
  void anEmptyFileHoldsNoRecords(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.csv"), "");
    assertThat(OtlpRecording.read(empty)).isEmpty();
  }

  /** One column of two hundred without a dot: the message points at it, not at the whole header. */
  @Test
  void aWideColumnWithoutADotIsNamedWithItsPlace(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("wide.csv");
    Files.writeString(csv, "timestamp,cart.p99,cartp99,front.p99\n1661146200,1,2,3\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining(csv + ":1: column 3 'cartp99'")
        .hasMessageContaining("<service>.<metric>");
  }

  @Test
  void aWideColumnWithAnEmptyServiceOrMetricIsRefusedNotSentAsANamelessMetric(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("wide.csv");
    Files.writeString(csv, "timestamp,cart.p99,cart.\n1661146200,1,2\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining(csv + ":1: column 3 'cart.'")
        .hasMessageContaining("<service>.<metric>");
    Files.writeString(csv, "timestamp,.p99\n1661146200,1\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining(csv + ":1: column 2 '.p99'");
  }

  /** An edge column with an empty side is refused, naming it, instead of being skipped or read as a service. */
  @Test
  void edgeColumnsWithEmptySidesAreRefusedByTheirPlace(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("wide.csv");
    Files.writeString(csv, "timestamp,cart.p99,->cart.lat\n1661146200,0.25,x\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining(csv + ":1: column 3 '->cart.lat' names"
        + " no caller");
    Files.writeString(csv, "timestamp,->.lat\n1661146200,1\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining(csv + ":1: column 2 '->.lat' names no"
        + " caller");
  }

  /**
   * NaN and infinities as Python, R and spreadsheets spell them are read (the receiver refuses the point, as any
   * non-finite value) instead of refusing the file; the other cells of the row arrive.
   */
  @Test
  void nanAndInfinityInAnySpellingAreNonFinitePointsNotAnUnreadableFile(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("wide.csv");
    Files.writeString(csv, "timestamp,cart.a,cart.b\n1661146200,nan,0.5\n1661146215,inf,0.6\n"
        + "1661146230,-Infinity,0.7\n1661146245,NaN,0.8\n1661146260,-inf,0.9\n");
    assertThat(samples(OtlpRecording.read(csv))).containsExactly("cart b 0.5", "cart b 0.6", "cart b 0.7",
        "cart b 0.8", "cart b 0.9");
    Path long_ = dir.resolve("long.csv");
    Files.writeString(long_, "timestamp,service,metric,value\n1661146200,cart,a,NAN\n1661146200,cart,b,1\n");
    assertThat(samples(OtlpRecording.read(long_))).containsExactly("cart b 1.0");
  }

  @Test
  void aLongRowWithoutServiceOrMetricIsNamed(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("long.csv");
    Files.writeString(csv, "timestamp,service,metric,value\n1661146200,cart,p99,1\n1661146215,,p99,1\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining(csv + ":3: the service is empty");
    Files.writeString(csv, "timestamp,service,metric,value\n1661146200,cart, ,1\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining(csv + ":2: the metric is empty");
  }

  @Test
  void aRepeatedColumnOrAQuotedLongCellIsRefusedNotInterleavedOrKeptWithItsQuotes(@TempDir Path dir)
      throws Exception {
    Path wide = dir.resolve("wide.csv");
    Files.writeString(wide, "timestamp,cart.p99,front.p99,cart.p99\n1661146200,1,2,3\n");
    assertThatThrownBy(() -> OtlpRecording.read(wide))
        .hasMessageContaining(wide + ":1: column 4 'cart.p99' repeats column 2");
    Path long_ = dir.resolve("long.csv");
    Files.writeString(long_, "timestamp,service,metric,value,pod\n1661146200,\"cart\",p99,1,\"cart-0\"\n");
    assertThatThrownBy(() -> OtlpRecording.read(long_))
        .hasMessageContaining(long_ + ":2: the cell '\"cart\"' is quoted");
  }

  @Test
  void raggedRowsNonNumbersAndTruncatedLastLinesAreNamedByLine(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("wide.csv");
    Files.writeString(csv, "timestamp,cart.p99,front.p99\n1661146200,1,2\n1661146215,1,2,3\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining(csv + ":3: expected 3 columns, got 4");
    Files.writeString(csv, "timestamp,cart.p99,front.p99\n1661146200,1,2\n1661146215,1");
    assertThatThrownBy(() -> OtlpRecording.read(csv)).hasMessageContaining(csv + ":3: expected 3 columns, got 2");
    Files.writeString(csv, "timestamp,cart.p99,front.p99\n1661146200,1,0.2s\n");
    assertThatThrownBy(() -> OtlpRecording.read(csv))
        .hasMessageContaining(csv + ":2 (column front.p99): value '0.2s' is not a number");
    Path json = dir.resolve("otlp.jsonl");
    String line = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"m\",\"gauge\":{\"dataPoints\":"
        + "[{\"asDouble\":1,\"timeUnixNano\":\"1661146200000000000\"}]}}]}]}]}";
    Files.writeString(json, line + "\n" + line.substring(0, 60));
    assertThatThrownBy(() -> OtlpRecording.read(json)).hasMessageContaining(json + ":2: not a JSON line");
  }

  @Test
  void timestampsInSecondsAndMillisAgreeAndNegativeOrHugeOnesAreNamed() throws Exception {
    assertThat(OtlpRecording.timestamp("1661146200", "x")).isEqualTo(OtlpRecording.timestamp("1661146200000", "x"))
        .isEqualTo(OtlpRecording.timestamp("2022-08-22T05:30:00Z", "x"));
    assertThatThrownBy(() -> OtlpRecording.timestamp("-1661146200", "f.csv:2"))
        .hasMessage("f.csv:2: unreadable timestamp '-1661146200' (ISO-8601 or epoch seconds, ms, us or ns)");
    assertThatThrownBy(() -> OtlpRecording.timestamp("99999999999999999999999", "f.csv:2"))
        .hasMessageContaining("unreadable timestamp '99999999999999999999999'");
    assertThatThrownBy(() -> OtlpRecording.timestamp("1.66e9", "f.csv:2"))
        .hasMessageContaining("unreadable timestamp '1.66e9'");
  }
}
