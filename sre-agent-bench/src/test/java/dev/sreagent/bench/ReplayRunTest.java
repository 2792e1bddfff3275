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

  /**
   * {@code --config}: the in-process agent configured as {@code ./sre-agent run --config} would configure it. A success
   * percentage under its own name is mapped onto the error ratio and opens the error incident; the same recording with
   * the error detector switched off opens none; a misspelt key and a remote target are refused, named.
   */
  @Test
  void aRunConfigFileConfiguresTheInProcessAgent(@TempDir Path dir) throws IOException {
    StringBuilder csv = new StringBuilder("timestamp,service,metric,value\n");
    for (int i = 0; i < 60; i++) {
      csv.append(java.time.Instant.parse("2025-11-29T00:00:00Z").plusSeconds(10L * i)).append(",cart,success_pct,")
          .append(i >= 40 ? 60.0 : 99.0 + 0.1 * (i % 3)).append('\n');
    }
    Path recording = dir.resolve("cart.csv");
    Files.writeString(recording, csv);
    Path config = dir.resolve("run.conf");
    Files.writeString(config, "metrics.map.success_pct = error-ratio * -0.01 + 1\notlp.listen = 0.0.0.0:4318\n");

    String mapped = run("replay", "--input", recording.toString(), "--speed", "0", "--config", config.toString());
    assertThat(mapped).contains("error-rate-spike").contains("1 incidents opened")
        .contains("not used by a replay (no listener, store or cluster): otlp.listen");
    assertThat(run("replay", "--input", recording.toString(), "--speed", "0")).as("unmapped: no signal")
        .contains("0 incidents opened");

    Files.writeString(config, "metrics.map.success_pct = error-ratio * -0.01 + 1\ndetect.errors.enabled = false\n");
    assertThat(run("replay", "--input", recording.toString(), "--speed", "0", "--config", config.toString()))
        .contains("0 incidents opened");

    Files.writeString(config, "detect.errors.enabeld = false\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(BenchMain.run(new String[] {"replay", "--input", recording.toString(), "--config", config.toString()},
        ps, ps)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(config + ":1: unknown key 'detect.errors.enabeld'");
    assertThat(BenchMain.run(new String[] {"replay", "--input", recording.toString(), "--config", config.toString(),
        "--target", "http://127.0.0.1:9"}, ps, ps)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("a --target agent has its own configuration");
  }

  @Test
  void aCsvWithoutTheHeaderIsRefusedWithTheFix(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.csv");
    Files.writeString(file, "time,value\n1,2\n");
    assertThatThrownBy(() -> dev.sreagent.otel.OtlpRecording.read(file))
        .hasMessageContaining("bad.csv:1: a CSV recording needs the header timestamp,service,metric,value");
  }
}
