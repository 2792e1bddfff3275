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
  /** A long CSV of {@code seconds} (epoch), one cart p99 per line. */
  private static Path recording(Path dir, long... seconds) throws IOException {
    StringBuilder csv = new StringBuilder("timestamp,service,metric,value\n");
    for (long t : seconds) {
      csv.append(t).append(",cart,http.server.request.duration.p99,0.1\n");
    }
    return Files.writeString(dir.resolve("r.csv"), csv);
  }

  /**
   * The recording is read as it goes: a record further out of order than the reorder buffer allows (5 min) is fed,
   * counted and named in the summary; a broken line far in stops the replay there, naming it and what was fed.
   */
  @Test
  void aLateRecordIsFedAndCountedAndABrokenLineStopsTheReplayNamingIt(@TempDir Path dir) throws IOException {
    long t0 = 1_764_374_400L;
    long[] times = new long[13];
    for (int i = 0; i < 12; i++) {
      times[i] = t0 + 60L * i;
    }
    times[12] = t0 + 30;
    Path file = recording(dir, times);
    assertThat(run("replay", "--input", file.toString(), "--speed", "0")).contains("13 records (0 refused)")
        .contains("replay: read as it went, in time order within a reorder buffer of 10000 items, 5 min; 1 out of"
            + " order beyond it, fed as they came (the first: " + file + ":14 at 2025-11-29T00:00:30Z");

    Files.writeString(file, Files.readString(file) + "1764375200,cart\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(BenchMain.run(new String[] {"replay", "--input", file.toString(), "--speed", "0"}, ps, ps))
        .isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(file + ":15: expected 4 columns, got 2 (7 records"
        + " were fed; the replay stops there)"); // those a reorder buffer of 5 min let go before the line
  }

  /**
   * {@code --target}: the recording, read as it goes, is shifted to end at the moment the replay starts; its last
   * time comes from a first pass, so the records arrive in order, a minute apart, the last one between the start and
   * the end of the replay.
   */
  @Test
  void aTargetReceivesTheRecordingShiftedToEndNow(@TempDir Path dir) throws Exception {
    long t0 = 1_764_374_400L;
    Path file = recording(dir, t0 + 120, t0, t0 + 60);
    List<Long> received = java.util.Collections.synchronizedList(new ArrayList<>());
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"timeUnixNano\":\"(\\d+)\"").matcher(body);
      if (m.find()) {
        received.add(Long.parseLong(m.group(1)));
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    try {
      long before = System.currentTimeMillis() * 1_000_000L;
      String out = run("replay", "--input", file.toString(), "--speed", "0", "--target",
          "http://127.0.0.1:" + server.getAddress().getPort());
      long after = System.currentTimeMillis() * 1_000_000L;
      assertThat(out).contains("3 records (0 refused)");
      assertThat(received).hasSize(3);
      assertThat(received.get(1) - received.get(0)).isEqualTo(60_000_000_000L);
      assertThat(received.get(2) - received.get(1)).isEqualTo(60_000_000_000L);
      assertThat(received.get(2)).isBetween(before, after);
    } finally {
      server.stop(0);
    }
  }
}
