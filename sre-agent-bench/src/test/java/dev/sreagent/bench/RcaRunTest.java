package dev.sreagent.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sreagent.api.model.FaultClass;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.RootCandidate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RcaRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_661_140_000L;

  /** A three-service chain frontend -> checkout -> payment, 40 rows of 60 s; from {@code faultRow} on, the
   * latency of every service in {@code slow} is ten times its usual level. */
  private static void writeCase(Path dir, String id, List<String> slow, int faultRow) throws IOException {
    writeCase(dir, id, slow, faultRow, false);
  }

  /** As above; with {@code edgeDelay}, a column checkout->payment.latency_src50 that rises 100-fold at the fault. */
  private static void writeCase(Path dir, String id, List<String> slow, int faultRow, boolean edgeDelay)
      throws IOException {
    Files.createDirectories(dir.resolve("cases"));
    Files.createDirectories(dir.resolve("graph"));
    Files.writeString(dir.resolve("graph/shop.edges.csv"),
        "src,dst,calls,source\nfrontend,checkout,10,traces\ncheckout,payment,5,traces\n");
    List<String> services = List.of("frontend", "checkout", "payment");
    StringBuilder csv = new StringBuilder("timestamp");
    for (String s : services) {
      csv.append(',').append(s).append(".PodServerLatencyP99(s),").append(s).append(".PodSuccessRate(%),")
          .append(s).append(".NodeCpuUsageRate(%)");
    }
    csv.append(edgeDelay ? ",checkout->payment.latency_src50\n" : "\n");
    for (int i = 0; i < 40; i++) {
      csv.append(T0 + 60L * i);
      for (String s : services) {
        double base = 0.05 + 0.002 * ((i * 7 + s.length()) % 5); // a little noise so the baseline has a spread
        double latency = i >= faultRow && slow.contains(s) ? base * 10 : base;
        csv.append(String.format(Locale.ROOT, ",%.4f,100,%d", latency, 30 + i % 3));
      }
      if (edgeDelay) {
        csv.append(String.format(Locale.ROOT, ",%.4f", (i >= faultRow ? 0.5 : 0.005) + 0.0005 * (i % 3)));
      }
      csv.append('\n');
    }
    Files.writeString(dir.resolve("cases/" + id + ".csv"), csv);
    Map<String, Object> c = new HashMap<>();
    c.put("case_id", id);
    c.put("dataset", "nezha");
    c.put("system", "shop");
    c.put("csv", "cases/" + id + ".csv");
    c.put("graph", "graph/shop.edges.csv");
    c.put("normal", null);
    c.put("alert_time", T0 + 60L * faultRow);
    c.put("root_cause", Map.of("service", "payment", "fault_type", "network_delay"));
    Files.writeString(dir.resolve("cases/" + id + ".json"), JSON.writeValueAsString(c));
  }

  private static Map<String, JsonNode> results(Path file) throws IOException {
    Map<String, JsonNode> out = new HashMap<>();
    for (String l : Files.readAllLines(file)) {
      JsonNode n = JSON.readTree(l);
      out.put(n.get("case_id").asText(), n);
    }
    return out;
  }

  private static List<String> services(JsonNode line) {
    List<String> out = new ArrayList<>();
    line.get("services").forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void aCascadeUpTheStaticCallGraphIsBlamedOnTheDeepestSlowServiceAndAQuietCaseIsOnlyRanked(@TempDir Path dir)
      throws IOException {
    writeCase(dir, "shop-01", List.of("payment", "checkout", "frontend"), 30);
    writeCase(dir, "shop-02", List.of(), 30);
    Path out = dir.resolve("results.jsonl");
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8);

    int code = BenchMain.run(new String[] {"rca", "--data", dir.toString(), "--out", out.toString()}, ps, ps);

    assertThat(code).as(text.toString(StandardCharsets.UTF_8)).isZero();
    Map<String, JsonNode> r = results(out);
    assertThat(r).containsOnlyKeys("shop-01", "shop-02");
    assertThat(r.get("shop-01").get("type").asText()).isEqualTo("rca");
    assertThat(services(r.get("shop-01"))).first().isEqualTo("payment");
    assertThat(services(r.get("shop-01"))).containsExactlyInAnyOrder("payment", "checkout", "frontend");
    // payment is slow on its own, with no resource, traffic or call-edge signal: a latency fault class, which is a
    // code fault in Nezha's words (a network delay would show on the edge, as in the test below)
    assertThat(r.get("shop-01").get("fault_type").asText()).isEqualTo("exception");
    assertThat(r.get("shop-01").get("metrics").get(0).asText()).isEqualTo("payment.PodServerLatencyP99(s)");
    assertThat(r.get("shop-01").get("source").asText()).isEqualTo("incident");
    // no incident: the services ranked around the alert, said to be so, with no fault type
    assertThat(r.get("shop-02").get("source").asText()).isEqualTo("ranking");
    assertThat(services(r.get("shop-02"))).containsExactlyInAnyOrder("payment", "checkout", "frontend");
    assertThat(r.get("shop-02").has("fault_type")).isFalse();
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("shop incident-backed answers: n 1, AC@1 1.000")
        .contains("shop ranking-backed answers: n 1").contains("leave-one-system-out");
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("shop: root right on 1 of 2 cases");
  }

  @Test
  void withoutTheCallGraphTheSameCascadeWouldNotBeBlamedOnPaymentByAccident(@TempDir Path dir) throws IOException {
    // the graph decides the root: reversed edges make frontend the deepest service
    writeCase(dir, "shop-01", List.of("payment", "checkout", "frontend"), 30);
    Files.writeString(dir.resolve("graph/shop.edges.csv"), "src,dst\npayment,checkout\ncheckout,frontend\n");
    Path out = dir.resolve("results.jsonl");
    PrintStream ps = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    assertThat(BenchMain.run(new String[] {"rca", "--data", dir.toString(), "--out", out.toString()}, ps, ps))
        .isZero();
    assertThat(services(results(out).get("shop-01"))).first().isEqualTo("frontend");
  }

  @Test
  void aDelayedCallEdgeIsBlamedOnItsCalleeNotOnTheWaitingCallers(@TempDir Path dir) throws IOException {
    // payment serves as fast as ever; checkout's calls to it take 100 times longer; both callers are slow
    writeCase(dir, "shop-01", List.of("checkout", "frontend"), 30, true);
    writeCase(dir.resolve("no-edge"), "shop-01", List.of("checkout", "frontend"), 30, false);
    PrintStream ps = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    assertThat(RcaRun.run(List.of(dir), dir.resolve("r.jsonl"), 0, ps, ps)).isZero();
    assertThat(RcaRun.run(List.of(dir.resolve("no-edge")), dir.resolve("r0.jsonl"), 0, ps, ps)).isZero();

    JsonNode line = results(dir.resolve("r.jsonl")).get("shop-01");
    assertThat(services(line)).startsWith("payment", "checkout");
    // the first candidate's fault class in the dataset's words
    assertThat(line.path("fault_type").asText()).isEqualTo("network_delay");
    // and the column that says so: the delayed edge into payment, not payment's own latency
    assertThat(line.get("metrics").get(0).asText()).isEqualTo("checkout->payment.latency_src50");
    assertThat(services(results(dir.resolve("r0.jsonl")).get("shop-01"))).first().isEqualTo("checkout");
  }

  @Test
  void eachCandidateIsAnsweredWithTheColumnOfItsFaultClassThenTheColumnBehindItsScore() {
    RcaRun.ColumnSignal latency = new RcaRun.ColumnSignal("PodServerLatencyP99(s)", MetricNames.LATENCY_P99, 1, 0,
        false);
    RcaRun.ColumnSignal cpu = new RcaRun.ColumnSignal("CpuUsageRate(%)", MetricNames.CPU_UTILIZATION, 0.01, 0, true);
    RcaRun.ColumnSignal edge = new RcaRun.ColumnSignal("latency_src50", MetricNames.CLIENT_LATENCY_P50, 1, 0, false);
    RcaRun.ColumnSignal errors = new RcaRun.ColumnSignal("PodSuccessRate(%)", MetricNames.ERROR_RATIO, -0.01, 1,
        false);
    RcaRun.Table table = new RcaRun.Table(new long[] {T0},
        List.of("cart", "cart", "frontend", "frontend", "cart", "email"), List.of("", "", "cart", "", "", ""),
        List.of(latency, cpu, edge, latency, errors, latency), new double[][] {{1, 2, 3, 4, 5, 6}});

    List<String> metrics = RcaRun.metrics(List.of(
        new RootCandidate("cart", MetricNames.LATENCY_P99, 40, "", FaultClass.CPU_SATURATION),
        new RootCandidate("frontend", MetricNames.LATENCY_P99, 12, "", FaultClass.UNKNOWN),
        new RootCandidate("cart", MetricNames.CLIENT_LATENCY_P50, 11, "", FaultClass.NETWORK_DELAY),
        new RootCandidate("email", MetricNames.LATENCY_P99, 0, "", FaultClass.UNKNOWN)), table);

    // cart's CPU first (its class), then its latency (its score); frontend's latency; a delay into cart shows on
    // frontend's edge to it; never a signal that named neither (cart's errors)
    assertThat(metrics).containsExactly("cart.CpuUsageRate(%)", "cart.PodServerLatencyP99(s)",
        "frontend.PodServerLatencyP99(s)", "frontend->cart.latency_src50", "email.PodServerLatencyP99(s)");
  }

  /** Adds an alert target (PetShop's SLO form) to a written case. */
  private static void target(Path dir, String id, String service, String metric) throws IOException {
    Path json = dir.resolve("cases/" + id + ".json");
    com.fasterxml.jackson.databind.node.ObjectNode c = (com.fasterxml.jackson.databind.node.ObjectNode)
        JSON.readTree(json.toFile());
    c.putObject("target").put("service", service).put("metric", metric).put("statistic", "Average");
    Files.writeString(json, JSON.writeValueAsString(c));
  }

  @Test
  void anIncidentAboutAnotherSymptomDoesNotAnswerTheAlert(@TempDir Path dir) throws IOException {
    // the same slow cascade; the alert is about latency in one case and about availability in the other
    writeCase(dir, "shop-01", List.of("payment", "checkout", "frontend"), 30);
    writeCase(dir, "shop-02", List.of("payment", "checkout", "frontend"), 30);
    target(dir, "shop-01", "frontend", "latency");
    target(dir, "shop-02", "frontend", "availability");
    Path out = dir.resolve("results.jsonl");
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8);

    assertThat(BenchMain.run(new String[] {"rca", "--data", dir.toString(), "--no-alerts", "--out", out.toString()},
        ps, ps)).as(text.toString(StandardCharsets.UTF_8)).isZero();

    Map<String, JsonNode> r = results(out);
    assertThat(r.get("shop-01").get("source").asText()).isEqualTo("incident");
    assertThat(services(r.get("shop-01"))).first().isEqualTo("payment");
    // the high-latency incident does not answer an availability alert: the agent's ranking around it does (no
    // service failed, so no error series moved and nobody is anomalous)
    assertThat(r.get("shop-02").get("source").asText()).isEqualTo("ranking");

    // by default (and with --alerts, still accepted) the alert itself reaches the agent, as Alertmanager would send
    // it, and opens the incident that answers
    for (String[] flags : List.of(new String[0], new String[] {"--alerts"})) {
      Path withAlerts = dir.resolve("alerts" + flags.length + ".jsonl");
      List<String> args = new java.util.ArrayList<>(List.of("rca", "--data", dir.toString()));
      args.addAll(List.of(flags));
      args.addAll(List.of("--out", withAlerts.toString()));
      assertThat(BenchMain.run(args.toArray(String[]::new), ps, ps)).as(text.toString(StandardCharsets.UTF_8))
          .isZero();
      Map<String, JsonNode> a = results(withAlerts);
      assertThat(a.get("shop-02").get("source").asText()).isEqualTo("incident");
      assertThat(a.get("shop-01").get("source").asText()).isEqualTo("incident");
      assertThat(services(a.get("shop-01"))).first().isEqualTo("payment");
    }
  }

  /**
   * {@code --config}: the file {@code ./sre-agent run --config} reads, its detectors' keys given to every agent, its
   * call graph added to every case's, its mapping used, the keys a replay has no use for named; a bad line is named.
   */
  @Test
  void aRunConfigFileConfiguresTheDetectorsTheGraphAndTheMapping(@TempDir Path dir) throws IOException {
    writeCase(dir, "shop-01", List.of("payment", "checkout", "frontend"), 30);
    Files.writeString(dir.resolve("graph/shop.edges.csv"), "src,dst\nfrontend,checkout\n");
    Path edges = dir.resolve("more.edges.csv");
    Files.writeString(edges, "src,dst\ncheckout,payment\n");
    Path config = dir.resolve("run.conf");
    Files.writeString(config, "otlp.listen = 0.0.0.0:4318\ntopology.file = " + edges + "\n"
        + "metrics.map.PodServerLatencyP99(s) = latency-p99\n");
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8);

    assertThat(BenchMain.run(new String[] {"rca", "--data", dir.toString(), "--config", config.toString(), "--out",
        dir.resolve("a.jsonl").toString()}, ps, ps)).as(text.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode line = results(dir.resolve("a.jsonl")).get("shop-01");
    assertThat(line.get("source").asText()).isEqualTo("incident");
    assertThat(services(line)).first().as("the config's call graph joined the case's").isEqualTo("payment");
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("not used by a replay (no listener, store or cluster):"
        + " otlp.listen");

    // the latency detector switched off: no incident answers, the ranking does
    Files.writeString(config, "topology.file = " + edges + "\ndetect.latency.enabled = false\n", 
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    assertThat(BenchMain.run(new String[] {"rca", "--data", dir.toString(), "--config", config.toString(), "--out",
        dir.resolve("b.jsonl").toString()}, ps, ps)).as(text.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(results(dir.resolve("b.jsonl")).get("shop-01").get("source").asText()).isEqualTo("ranking");
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("built-in detectors set by --config:"
        + " detect.latency.enabled = false");

    Files.writeString(config, "detect.latency.enabled = false\ndetect.latency.sigma = 4\n",
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    assertThat(BenchMain.run(new String[] {"rca", "--data", dir.toString(), "--config", config.toString(), "--out",
        dir.resolve("c.jsonl").toString()}, ps, new PrintStream(errors, true, StandardCharsets.UTF_8))).isEqualTo(1);
    assertThat(errors.toString(StandardCharsets.UTF_8)).contains(config + ":2: unknown key 'detect.latency.sigma'");
  }

  @Test
  void extraEdgesFromTopologyFilesJoinEveryCasesGraph(@TempDir Path dir) throws IOException {
    // the case's graph knows only frontend -> checkout; the file adds checkout -> payment, where the cascade starts
    writeCase(dir, "shop-01", List.of("payment", "checkout", "frontend"), 30);
    Files.writeString(dir.resolve("graph/shop.edges.csv"), "src,dst\nfrontend,checkout\n");
    Path extra = dir.resolve("more.edges.csv");
    Files.writeString(extra, "# the load balancer's backend\nsrc,dst\ncheckout,payment\n");
    Path out = dir.resolve("results.jsonl");
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8);

    assertThat(BenchMain.run(new String[] {"rca", "--data", dir.toString(), "--topology", extra.toString(), "--out",
        out.toString()}, ps, ps)).as(text.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(services(results(out).get("shop-01"))).first().isEqualTo("payment");

    Path bad = dir.resolve("bad.txt");
    Files.writeString(bad, "checkout,payment\n");
    assertThat(BenchMain.run(new String[] {"rca", "--data", dir.toString(), "--topology", bad.toString(), "--out",
        out.toString()}, ps, ps)).isEqualTo(2);
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("--topology: cannot read the call graph " + bad)
        .contains("must end in .csv");
  }

  @Test
  void aCallEdgeColumnIsTheCallersSeriesWithTheCalleeAsPeer(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("t.csv");
    Files.writeString(csv, "timestamp,a->b.latency_src50,a.PodServerLatencyP99(s)\n100,0.01,0.2\n");
    RcaRun.Table t = RcaRun.read(csv);
    assertThat(t.services()).containsExactly("a", "a");
    assertThat(t.peers()).containsExactly("b", "");
    assertThat(t.signals().get(0).signal()).isEqualTo(dev.sreagent.api.model.MetricNames.CLIENT_LATENCY_P50);
  }

  @Test
  void theShippedMappingFileIsTheFormerTable() {
    assertThat(RcaRun.MAPPING).containsExactlyInAnyOrder(
        new RcaRun.ColumnSignal("PodServerLatencyP99(s)", "http.server.request.duration.p99", 1, 0, false),
        new RcaRun.ColumnSignal("PodSuccessRate(%)", "http.server.request.error_ratio", -0.01, 1, false),
        new RcaRun.ColumnSignal("MemoryUsageRate(%)", "container.memory.utilization", 0.01, 0, true),
        new RcaRun.ColumnSignal("CpuUsageRate(%)", "container.cpu.utilization", 0.01, 0, true),
        new RcaRun.ColumnSignal("PodWorkload(Ops)", "http.server.request.rate", 1, 0, false),
        new RcaRun.ColumnSignal("PodClientLatencyP99(s)", "http.client.request.duration.p99", 1, 0, false),
        new RcaRun.ColumnSignal("latency_src50", "http.client.request.duration.p50", 1, 0, false),
        new RcaRun.ColumnSignal("latency_p99", "http.server.request.duration.p99", 1, 0, false),
        new RcaRun.ColumnSignal("availability_Average", "http.server.request.error_ratio", -0.01, 1, false),
        new RcaRun.ColumnSignal("requests_Sum", "http.server.request.rate", 1.0 / 300, 0, false));
  }

  @Test
  void aMappingFileOfRunsFormDecidesWhichColumnsAreReadAndHow(@TempDir Path dir) throws IOException {
    Path conf = dir.resolve("m.conf");
    Files.writeString(conf, "detect.latency.sustain = 2m\nmetrics.map.lat_ms = latency-p99 * 0.001\n");
    Path csv = dir.resolve("t.csv");
    Files.writeString(csv, "timestamp,a.lat_ms,a.PodServerLatencyP99(s)\n100,250,0.3\n");

    RcaRun.Table t = RcaRun.read(csv, RcaRun.mapping(conf));

    assertThat(t.services()).containsExactly("a");
    assertThat(t.signals().get(0).convert(t.values()[0][0])).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-12));
    Files.writeString(conf, "metrics.map.lat_ms = latency-p42\n");
    assertThatThrownBy(() -> RcaRun.mapping(conf)).hasMessageContaining("m.conf:1: metrics.map.lat_ms: 'latency-p42'"
        + " is not a signal kind");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(BenchMain.run(new String[] {"rca", "--data", dir.toString(), "--out", dir.resolve("o").toString(),
        "--mapping", conf.toString()}, ps, ps)).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("rca: ").contains("is not a signal kind");
  }

  @Test
  void onlyMappedColumnsAreReadAndTheirUnitsConverted(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("t.csv");
    Files.writeString(csv, "timestamp,a.PodSuccessRate(%),a.NodeCpuUsageRate(%),b.x.availability_Average,"
        + "b.x.requests_Sum\n100,97,50,99,600\n160,,50,,\n");
    RcaRun.Table t = RcaRun.read(csv);
    assertThat(t.services()).containsExactly("a", "b.x", "b.x");
    assertThat(t.signals().get(0).convert(97)).isCloseTo(0.03, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(t.signals().get(1).convert(99)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(t.signals().get(2).convert(600)).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(t.values()[1][0]).isNaN();
    assertThat(t.step()).isEqualTo(60);
  }

  @Test
  void badInputIsNamedWithTheFix(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("t.csv");
    Files.writeString(csv, "timestamp,a.PodSuccessRate(%)\n100,ninety\n");
    assertThatThrownBy(() -> RcaRun.read(csv)).hasMessageContaining("t.csv:2: column a.PodSuccessRate(%) holds"
        + " 'ninety', not a number");
    Files.writeString(csv, "time,a.PodSuccessRate(%)\n100,90\n");
    assertThatThrownBy(() -> RcaRun.read(csv)).hasMessageContaining("t.csv:1: expected the header timestamp,");

    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8);
    assertThat(BenchMain.run(new String[] {"rca", "--data", dir.toString(), "--out", "x"}, ps, ps)).isEqualTo(2);
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("has no cases/ folder");
    assertThat(BenchMain.run(new String[] {"rca", "--data", dir.toString()}, ps, ps)).isEqualTo(2);
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("usage: rca --data");
  }
}
