package dev.sreagent.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayRunTest {
  private static String run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(BenchMain.run(args, ps, ps)).as(out.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aCsvRecordingOfAnErrorSpikeOpensTheIncidentInStreamTime() {
    String out = run("replay", "--input", Path.of("..", "samples", "recordings", "checkout-error-spike.csv")
        .toString(), "--speed", "0");
    assertThat(out).contains("2025-11-29T00:3").contains("opened").contains("error-rate-spike SEV2 checkout")
        .contains("480 records (0 refused)").contains("1 incidents opened");
  }

  @Test
  void otlpJsonLinesAsTheCollectorFileExporterWritesThemArePacedByTheirTimestamps(@TempDir Path dir)
      throws IOException {
    List<String> lines = new ArrayList<>();
    long t0 = 1_764_374_400_000_000_000L;
    for (int i = 0; i < 45; i++) {
      double ratio = i >= 30 ? 0.4 : 0.01;
      lines.add("{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
          + "{\"stringValue\":\"cart\"}}]},\"scopeMetrics\":[{\"metrics\":[{\"name\":"
          + "\"http.server.request.error_ratio\",\"gauge\":{\"dataPoints\":[{\"asDouble\":" + ratio
          + ",\"timeUnixNano\":\"" + (t0 + i * 10_000_000_000L) + "\"}]}}]}]}]}");
    }
    Path file = dir.resolve("otlp.jsonl");
    Files.write(file, lines);
    long start = System.nanoTime();
    String out = run("replay", "--input", file.toString(), "--speed", "2000");
    assertThat(System.nanoTime() - start).as("440 s of stream at 2000x take at least 0.22 s")
        .isGreaterThan(220_000_000L);
    assertThat(out).contains("45 records (0 refused)").contains("error-rate-spike SEV2 cart");
  }

  @Test
  void aCsvWithoutTheHeaderIsRefusedWithTheFix(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.csv");
    Files.writeString(file, "time,value\n1,2\n");
    assertThatThrownBy(() -> dev.sreagent.otel.OtlpRecording.read(file))
        .hasMessageContaining("bad.csv:1: a CSV recording needs the header timestamp,service,metric,value");
  }
}
