package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: {@code ./sre-agent run --topology edges.csv --config mapping.conf} on a replayed Nezha case (Online
 * Boutique, CPU contention injected into emailservice; {@code src/test/resources/nezha}): the recorded rows are sent
 * to the running agent's OTLP/HTTP receiver as the dataset names them ({@code PodServerLatencyP99(s)},
 * {@code CpuUsageRate(%)}, ...; one pod per service), shifted to end now, and the agent opens a high-latency
 * incident rooted at emailservice — its caller checkoutservice is slow too, and the call graph says who calls whom —
 * with the ranked root-cause candidates, emailservice first.
 */
class RealModeReplayTest {
  static Path resource(String name) throws Exception {
    return Path.of(RealModeReplayTest.class.getResource("/nezha/" + name).toURI());
  }

  /** One OTLP/JSON metrics request per service: every non-empty cell of its columns, shifted by {@code shift} s. */
  static List<String> requests(Path csv, long shift) throws Exception {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    String[] header = lines.get(0).split(",", -1);
    Map<String, Map<String, StringBuilder>> points = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      long nanos = (Long.parseLong(cells[0]) + shift) * 1_000_000_000L;
      for (int i = 1; i < header.length; i++) {
        if (cells[i].isEmpty()) {
          continue;
        }
        int dot = header[i].lastIndexOf('.');
        StringBuilder b = points.computeIfAbsent(header[i].substring(0, dot), s -> new LinkedHashMap<>())
            .computeIfAbsent(header[i].substring(dot + 1), m -> new StringBuilder());
        b.append(b.length() == 0 ? "" : ",").append("{\"timeUnixNano\":\"").append(nanos).append("\",\"asDouble\":")
            .append(cells[i]).append('}');
      }
    }
    List<String> out = new ArrayList<>();
    points.forEach((service, metrics) -> {
      StringBuilder m = new StringBuilder();
      metrics.forEach((name, dataPoints) -> m.append(m.length() == 0 ? "" : ",").append("{\"name\":\"").append(name)
          .append("\",\"gauge\":{\"dataPoints\":[").append(dataPoints).append("]}}"));
      out.add("{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{"
          + "\"stringValue\":\"" + service + "\"}},{\"key\":\"k8s.pod.name\",\"value\":{\"stringValue\":\"" + service
          + "-0\"}}]},\"scopeMetrics\":[{\"metrics\":[" + m + "]}]}]}");
    });
    return out;
  }

  @Test
  void aReplayedNezhaCaseOpensAHighLatencyIncidentAtTheInjectedService(@TempDir Path dir) throws Exception {
    Path csv = resource("ob-2022-08-22-13.csv");
    List<String> rows = Files.readAllLines(csv, StandardCharsets.UTF_8);
    long last = Long.parseLong(rows.get(rows.size() - 1).split(",", 2)[0]);
    long shift = Instant.now().getEpochSecond() - 30 - last;  // the recording ends 30 s ago
    String text = RealModeMappingTest.run(dir, List.of("--json", "--topology", resource("ob.edges.csv").toString(),
        "--config", resource("mapping.conf").toString()), () -> {
          try {
            return requests(csv, shift);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, "\"opened\"");
    assertThat(text).contains("static call graph of 5 edges");
    List<String> opened = text.lines().filter(l -> l.contains("\"opened\"")).toList();
    assertThat(opened).as(text).singleElement().satisfies(l -> assertThat(l)
        .contains("\"type\":\"high-latency\"").contains("\"root\":\"emailservice\"")
        // the anomaly with the recording's own sample time (shifted): the fault's first slow row, 26 s after the
        // injection at 1661146534
        .contains("\"signal\":\"http.server.request.duration.p99\"")
        .contains("\"startedAt\":\"" + Instant.ofEpochSecond(1661146560L + shift) + "\"")
        // the ranked root-cause candidates, the injected service first
        .containsPattern("\"candidates\":\\[\\{[^}]*\"service\":\"emailservice\""));
  }

  /**
   * The same case through {@code run --replay}: the dataset's own wide CSV, on the recording's clock (no shift, no
   * listening receiver), with the same configuration; the incident and its anomaly carry the recorded times.
   */
  @Test
  void runReplaysTheRecordedCaseOnItsOwnClock(@TempDir Path dir) throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
    int code = RealMode.run(List.of("--replay", resource("ob-2022-08-22-13.csv").toString(), "--json", "--topology",
        resource("ob.edges.csv").toString(), "--config", resource("mapping.conf").toString(), "--audit",
        dir.resolve("audit.jsonl").toString()), new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8),
        new java.io.PrintStream(errors, true, StandardCharsets.UTF_8), null);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(errors.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(text).contains("on its own clock").contains("static call graph of 5 edges")
        .containsPattern("replayed \\d+ records \\(0 refused\\)");
    List<String> opened = text.lines().filter(l -> l.contains("\"opened\"")).toList();
    assertThat(opened).as(text).singleElement().satisfies(l -> assertThat(l)
        .contains("\"type\":\"high-latency\"").contains("\"root\":\"emailservice\"")
        .contains("\"startedAt\":\"" + Instant.ofEpochSecond(1661146560L) + "\"")
        .containsPattern("\"candidates\":\\[\\{[^}]*\"service\":\"emailservice\""));
  }

  /**
   * The detectors configured in the same file: latency switched off and CPU paging after two minutes at 80% of the
   * limit, the same case opens a CPU saturation incident at emailservice (its fault's four recorded minutes at 84% to
   * 106%; the defaults, 90% for five minutes, wait it out) instead of the latency one; a
   * misspelt {@code detect.*} key stops the start, named with its line.
   */
  @Test
  void theDetectorsAreConfiguredInTheSameFile(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("run.conf");
    Files.writeString(config, Files.readString(resource("mapping.conf"))
        + "detect.latency.enabled = false\ndetect.cpu.sustain = 2m   # Nezha's CPU faults last three minutes\n"
        + "detect.cpu.saturation = 0.8   # emailservice's recorded CPU: 85%, 84%, 101%, 106% of its limit\n");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
    int code = RealMode.run(List.of("--replay", resource("ob-2022-08-22-13.csv").toString(), "--json", "--topology",
        resource("ob.edges.csv").toString(), "--config", config.toString(), "--audit",
        dir.resolve("audit.jsonl").toString()), new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8),
        new java.io.PrintStream(errors, true, StandardCharsets.UTF_8), null);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(errors.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(text).contains("built-in detectors set by configuration: detect.cpu.saturation = 0.8,"
        + " detect.cpu.sustain = 2m, detect.latency.enabled = false");
    List<String> opened = text.lines().filter(l -> l.contains("\"opened\"")).toList();
    assertThat(opened).as(text).singleElement().satisfies(l -> assertThat(l)
        .contains("\"type\":\"cpu-saturation\"").contains("\"root\":\"emailservice\""));

    Files.writeString(config, "detect.cpu.sustain = 2m\ndetect.cpu.sustian = 2m\n");
    java.io.ByteArrayOutputStream refused = new java.io.ByteArrayOutputStream();
    int bad = RealMode.run(List.of("--replay", resource("ob-2022-08-22-13.csv").toString(), "--config",
        config.toString(), "--audit", dir.resolve("audit2.jsonl").toString()), new java.io.PrintStream(
        new java.io.ByteArrayOutputStream()), new java.io.PrintStream(refused, true, StandardCharsets.UTF_8), null);
    assertThat(bad).isEqualTo(2);
    assertThat(refused.toString(StandardCharsets.UTF_8)).contains(config + ":2: unknown key 'detect.cpu.sustian';"
        + " the detect.* keys are");
  }

  @Test
  void aReplayCannotBeCombinedWithALiveSource(@TempDir Path dir) throws Exception {
    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
    int code = RealMode.run(List.of("--replay", resource("ob-2022-08-22-13.csv").toString(), "--prometheus",
        "http://127.0.0.1:9", "--audit", dir.resolve("audit.jsonl").toString()), new java.io.PrintStream(
        new java.io.ByteArrayOutputStream()), new java.io.PrintStream(errors, true, StandardCharsets.UTF_8), null);
    assertThat(code).isEqualTo(2);
    assertThat(errors.toString(StandardCharsets.UTF_8)).contains("it cannot be combined with the live"
        + " prometheus.url");
  }

  @Test
  void aReplayNeverWritesIntoSharedState(@TempDir Path dir) throws Exception {
    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
    int code = RealMode.run(List.of("--replay", resource("ob-2022-08-22-13.csv").toString(), "--store",
        "jdbc:h2:file:" + dir.resolve("db"), "--locks", "redis://127.0.0.1:9"), new java.io.PrintStream(
        new java.io.ByteArrayOutputStream()), new java.io.PrintStream(errors, true, StandardCharsets.UTF_8), null);
    assertThat(code).isEqualTo(2);
    assertThat(errors.toString(StandardCharsets.UTF_8)).contains("it cannot be combined with the live store, locks")
        .contains("give it its own --audit file");
    assertThat(dir.resolve("db.mv.db")).doesNotExist();
  }
}
