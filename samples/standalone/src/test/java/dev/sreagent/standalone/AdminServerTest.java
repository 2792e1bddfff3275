package dev.sreagent.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.core.PrometheusExposition;
import dev.sreagent.core.SreAgent;
import dev.sreagent.core.runtime.BackgroundRunner;
import dev.sreagent.otel.OtlpHttpReceiver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --admin}: what Prometheus scrapes and what a kubelet's probes read, through real HTTP. */
class AdminServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void livenessFailsWhileTheLoopHangsNamingHowLongAndRecoversWhenItEnds() throws Exception {
    AtomicLong nanos = new AtomicLong();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (AdminServer admin = new AdminServer("127.0.0.1", 0, Duration.ofSeconds(60));
        SreAgent agent = SreAgent.builder().setDiscovery(false).build();
        OtlpHttpReceiver otlp = OtlpHttpReceiver.builder().setListen(false).build();
        BackgroundRunner hanging = BackgroundRunner.start(() -> {
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, Duration.ofSeconds(1), "admin-test", nanos::get)) {
      assertThat(get(admin.port(), "/healthz").statusCode()).as("being built is alive").isEqualTo(200);
      assertThat(get(admin.port(), "/readyz").body()).isEqualTo("starting\n");
      assertThat(get(admin.port(), "/metrics").statusCode()).as("no agent yet").isEqualTo(503);
      admin.attach(agent, otlp);
      assertThat(get(admin.port(), "/metrics").statusCode()).isEqualTo(200);
      assertThat(get(admin.port(), "/readyz").statusCode()).as("not before the loop runs").isEqualTo(503);
      admin.running(hanging);
      assertThat(get(admin.port(), "/readyz").statusCode()).isEqualTo(200);
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(get(admin.port(), "/healthz").statusCode()).isEqualTo(200);
      nanos.addAndGet(Duration.ofSeconds(75).toNanos());
      HttpResponse<String> stalled = get(admin.port(), "/healthz");
      assertThat(stalled.statusCode()).isEqualTo(503);
      assertThat(stalled.body()).contains("has not finished a tick for 75 s (admin.stall-after 60 s)")
          .contains("0 ticks so far");
      assertThat(get(admin.port(), "/metrics").body()).as("metrics answer while the loop hangs")
          .contains("sreagent_loop_last_tick_age_seconds 75.000");
      release.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (get(admin.port(), "/healthz").statusCode() != 200 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(get(admin.port(), "/healthz").statusCode()).isEqualTo(200);
      assertThat(hanging.ticks()).isPositive();
      admin.stopping();
      assertThat(get(admin.port(), "/readyz").statusCode()).isEqualTo(503);
      assertThat(get(admin.port(), "/readyz").body()).isEqualTo("stopping\n");
      hanging.close();
      assertThat(get(admin.port(), "/healthz").body()).as("a clean stop is not a dead loop").isEqualTo("stopping\n");
      assertThat(get(admin.port(), "/metrics/anything").statusCode()).isEqualTo(404);
      assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/metrics"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(405);
    }
  }

  @Test
  void aLoopStoppedByAnErrorFailsLivenessAtOnceNamingTheError() throws Exception {
    try (AdminServer admin = new AdminServer("127.0.0.1", 0, Duration.ofSeconds(60));
        BackgroundRunner dead = BackgroundRunner.start(() -> {
          throw new OutOfMemoryError("Java heap space (simulated)");
        }, Duration.ofSeconds(1), "admin-test", () -> 0L)) {
      admin.running(dead);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (dead.ticks() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      HttpResponse<String> r = get(admin.port(), "/healthz");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("stopped by java.lang.OutOfMemoryError: Java heap space (simulated)");
    }
  }

  @Test
  void aSlowClientDoesNotHoldUpTheProbe() throws Exception {
    try (AdminServer admin = new AdminServer("127.0.0.1", 0, Duration.ofSeconds(60));
        java.net.Socket slow = new java.net.Socket("127.0.0.1", admin.port())) {
      slow.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      slow.getOutputStream().flush();  // a request never finished
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port()
          + "/healthz")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void runServesMetricsWithTheReceiversCountersAndTheJunkItIgnored(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("run.conf");
    Files.writeString(config, "metrics.map.latency_p99_seconds = latency-p99\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    CountDownLatch stop = new CountDownLatch(1);
    int[] status = {-1};
    Thread t = new Thread(() -> status[0] = RealMode.run(List.of("--otlp", "127.0.0.1:0", "--admin", "127.0.0.1:0",
        "--config", config.toString(), "--audit", dir.resolve("audit.jsonl").toString()), ps, ps, stop));
    t.start();
    int otlpPort = port(out, "OTLP/HTTP on http://127\\.0\\.0\\.1:(\\d+)");
    int adminPort = port(out, "admin on http://127\\.0\\.0\\.1:(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (get(adminPort, "/readyz").statusCode() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(get(adminPort, "/readyz").statusCode()).isEqualTo(200);
    // an exporter's -1 for "no data", five scrapes of one series
    String body = RealModeMappingTest.otlpJson("checkout", "latency_p99_seconds", Instant.now().minusSeconds(75), 5,
        -1, -1, 5);
    assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otlpPort + "/v1/metrics"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    // a malformed request: counted under a rejected.* counter, which the TelemetryRejected alert matches
    assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otlpPort + "/v1/metrics"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"resourceMetrics\":7}"))
        .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
    String metrics = "";
    Pattern rejected = Pattern.compile("(?m)^sreagent_detector_samples_rejected_total\\{detector=\"latency\"\\} 5$");
    while (!rejected.matcher(metrics).find() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      metrics = get(adminPort, "/metrics").body();
    }
    HttpResponse<String> scrape = get(adminPort, "/metrics");
    assertThat(scrape.headers().firstValue("Content-Type")).hasValue(PrometheusExposition.CONTENT_TYPE);
    assertThat(scrape.body()).containsPattern(rejected)
        .containsPattern("(?m)^sreagent_otlp_received_total\\{counter=\"accepted.metrics\"\\} 5$")
        .containsPattern("(?m)^sreagent_otlp_series 1$")
        .as("the counter label deploy/prometheus/sre-agent-alerts.yaml matches with counter=~\"rejected[.].*\"")
        .containsPattern("(?m)^sreagent_otlp_received_total\\{counter=\"rejected[.][a-z-]+\"\\} 1$")
        .containsPattern("sreagent_loop_ticks_total [1-9]").contains("sreagent_incidents_opened_total 0");
    assertThat(get(adminPort, "/healthz").statusCode()).isEqualTo(200);
    stop.countDown();
    t.join(30_000);
    assertThat(status[0]).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("stopped");
    assertThat(catchRefused(adminPort)).as("the admin port is closed after the stop").isTrue();
  }

  @Test
  void aBadOrTakenAdminAddressStopsTheStartNamingIt(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(RealMode.run(List.of("--otlp", "127.0.0.1:0", "--admin", "9464"), ps, ps, new CountDownLatch(0)))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--admin must be HOST:PORT such as 0.0.0.0:9464,"
        + " but was '9464'");
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      err.reset();
      assertThat(RealMode.run(List.of("--otlp", "127.0.0.1:0", "--admin", "127.0.0.1:" + taken.getLocalPort(),
          "--audit", dir.resolve("audit.jsonl").toString()), ps, ps, new CountDownLatch(0))).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot start: admin.listen 127.0.0.1:"
          + taken.getLocalPort()).contains("choose another");
    }
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, "admin.stall-after = 2s\nadmin.port = 9464\n");
    err.reset();
    assertThat(RealMode.run(List.of("--config", conf.toString()), ps, ps, new CountDownLatch(0))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(":1: admin.stall-after must be at least 5s")
        .contains(":2: unknown key 'admin.port'; the admin.* keys are admin.listen, admin.stall-after");
  }

  @Test
  void aReplayServesNoAdminEndpointsAndSaysSo(@TempDir Path dir) throws Exception {
    Path recording = dir.resolve("empty.jsonl");
    Files.writeString(recording, RealModeMappingTest.otlpJson("cart", "queue.depth",
        Instant.parse("2026-01-01T00:00:00Z"), 3, 1, 1, 3) + "\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(RealMode.run(List.of("--replay", recording.toString(), "--admin", "127.0.0.1:0"), ps, ps,
        new CountDownLatch(0))).as(out.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("admin.listen ignored: a replay serves no /metrics");
  }

  private static boolean catchRefused(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  /** The port in the first line of {@code out} matching {@code regex}, waiting for the line up to 30 s. */
  static int port(ByteArrayOutputStream out, String regex) throws InterruptedException {
    Pattern p = Pattern.compile(regex);
    for (int i = 0; i < 1200; i++) {
      Matcher m = p.matcher(out.toString(StandardCharsets.UTF_8));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no line matching " + regex + " in: " + out.toString(StandardCharsets.UTF_8));
  }
}
