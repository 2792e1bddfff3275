package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    CountDownLatch stop = new CountDownLatch(1);
    int[] status = {-1};
    List<String> args = List.of("--otlp", "127.0.0.1:0", "--audit", dir.resolve("audit.jsonl").toString(), "--json",
        "--topology", resource("ob.edges.csv").toString(), "--config", resource("mapping.conf").toString());
    Thread t = new Thread(() -> status[0] = RealMode.run(args, ps, ps, stop));
    t.start();
    try {
      Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher("");
      for (int i = 0; i < 400 && !m.find(); i++) {
        Thread.sleep(25);
        m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(out.toString(StandardCharsets.UTF_8));
      }
      int port = Integer.parseInt(m.group(1));
      for (String body : requests(csv, shift)) {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/v1/metrics")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      for (int i = 0; i < 400 && !out.toString(StandardCharsets.UTF_8).contains("\"opened\""); i++) {
        Thread.sleep(25);
      }
      Thread.sleep(1_500);
    } finally {
      stop.countDown();
      t.join(10_000);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(status[0]).as(text).isZero();
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
}
