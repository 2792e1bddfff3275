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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --topology FILE --config FILE} with {@code metrics.map.*} keys: a success rate in percent under a
 * recorded dataset's name reaches the error-rate detector as an error ratio, the incident's root follows the static
 * call graph (the caller frontend errs too, but calls cart), and bad mapping lines are reported with their lines.
 */
class RealModeMappingTest {
  static String otlpJson(String service, String metric, Instant from, int samples, double healthy, double bad,
      int badFrom) {
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < samples; i++) {
      long nanos = from.plusSeconds(15L * i).toEpochMilli() * 1_000_000L;
      points.append(i == 0 ? "" : ",").append("{\"timeUnixNano\":\"").append(nanos).append("\",\"asDouble\":")
          .append(i < badFrom ? healthy : bad).append('}');
    }
    return "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{"
        + "\"stringValue\":\"" + service + "\"}}]},\"scopeMetrics\":[{\"metrics\":[{\"name\":\"" + metric
        + "\",\"gauge\":{\"dataPoints\":[" + points + "]}}]}]}]}";
  }

  @Test
  void aMappedSuccessRateOpensAnIncidentRootedByTheStaticCallGraph(@TempDir Path dir) throws Exception {
    Path edges = dir.resolve("edges.csv");
    Files.writeString(edges, "src,dst,calls\nfrontend,cart,120\n");
    // a second file, merged: the edges the first does not show (--topology repeated)
    Path more = dir.resolve("more.edges.csv");
    Files.writeString(more, "src,dst\nfrontend,ads\ncart,redis\n");
    Path config = dir.resolve("mapping.conf");
    Files.writeString(config, "metrics.map.PodSuccessRate(%) = error-ratio * -0.01 + 1   # Nezha's column\n");
    String text = run(dir.resolve("with"), List.of("--topology", edges.toString(), "--config", config.toString(),
        "--topology", more.toString()));
    assertThat(text).contains("static call graph of 3 edges from " + edges + "," + more)
        .contains("metrics mapped onto the detectors' signals: [metrics.map.PodSuccessRate(%) = error-ratio * -0.01"
            + " + 1.0]");
    assertThat(text.lines().filter(l -> l.contains(" opened "))).as(text).singleElement().asString()
        .contains("error-rate-spike").contains("on cart");
    String withoutGraph = run(dir.resolve("without"), List.of("--config", config.toString()));
    assertThat(withoutGraph.lines().filter(l -> l.contains(" opened "))).as("without the call graph the two"
        + " services are two incidents").hasSize(2);
  }

  /** Runs the agent with {@code options}, posts the two services' samples, waits for incidents, stops it. */
  static String run(Path dir, List<String> options) throws Exception {
    return run(dir, options, () -> {
      // 30 minutes of samples ending now: 99.9% success, then 70% (cart) or 85% (frontend) for the last 4 minutes
      Instant from = Instant.now().minusSeconds(15L * 119);
      return List.of(otlpJson("cart", "PodSuccessRate(%)", from, 120, 99.9, 70, 104),
          otlpJson("frontend", "PodSuccessRate(%)", from, 120, 99.9, 85, 104));
    }, " opened ");
  }

  /**
   * Runs {@code ./sre-agent run} with {@code options} on a free port, posts the OTLP/JSON metrics requests
   * {@code bodies} makes once it listens, waits for an output line containing {@code opened} and two seconds more (a
   * second incident, if any, opens within the next ticks), stops it, and answers its output.
   */
  static String run(Path dir, List<String> options, java.util.function.Supplier<List<String>> bodies, String opened)
      throws Exception {
    Files.createDirectories(dir);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    CountDownLatch stop = new CountDownLatch(1);
    int[] status = {-1};
    List<String> args = new java.util.ArrayList<>(List.of("--otlp", "127.0.0.1:0", "--audit",
        dir.resolve("audit.jsonl").toString()));
    args.addAll(options);
    Thread t = new Thread(() -> status[0] = RealMode.run(args, ps, ps, stop));
    t.start();
    try {
      Pattern p = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
      Matcher m = p.matcher("");
      for (int i = 0; i < 400 && !m.find(); i++) {
        Thread.sleep(25);
        m = p.matcher(out.toString(StandardCharsets.UTF_8));
      }
      int port = Integer.parseInt(m.group(1));
      for (String body : bodies.get()) {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/v1/metrics")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      for (int i = 0; i < 400 && !out.toString(StandardCharsets.UTF_8).contains(opened); i++) {
        Thread.sleep(25);
      }
      Thread.sleep(2_000);
    } finally {
      stop.countDown();
      t.join(10_000);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(status[0]).as(text).isZero();
    return text;
  }

  @Test
  void badMappingLinesAreReportedWithTheirLinesAndAMissingCallGraphIsNamed(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("bad.conf");
    Files.writeString(config, "metrics.map.PodSuccessRate(%) = error-ratio * -0.01 + 1\n"
        + "metrics.map.CpuUsageRate(%) = cpu * 0.01\n"
        + "metrics.map.job:latency:p99 = latency-p99 * zero\n"
        + "topology.file = " + dir.resolve("missing.csv") + "\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = RealMode.run(List.of("--config", config.toString()), ps, ps, new CountDownLatch(0));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(status).isEqualTo(2);
    assertThat(text).contains(config + ":2: metrics.map.CpuUsageRate(%): 'cpu' is not a signal kind")
        .contains(config + ":3: metrics.map.job:latency:p99: 'zero' is not a number")
        .contains(config + ":4: topology.file: cannot read the call graph " + dir.resolve("missing.csv"))
        .doesNotContain(":1:");
  }
}
