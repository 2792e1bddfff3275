package dev.sreagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sreagent.api.event.IncidentEvent;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Attributes;
import dev.sreagent.api.model.FaultClass;
import dev.sreagent.api.model.AlertEvent;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.MetricNames;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Phase;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.api.port.Clock;
import dev.sreagent.core.MetricMapping;
import dev.sreagent.core.SreAgent;
import dev.sreagent.api.model.Topology;
import dev.sreagent.core.StaticTopology;
import dev.sreagent.detect.RootCauseRanker;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * {@code rca}: root-cause localisation on recorded incidents (issue #18). Reads datasets in the uniform layout of
 * {@code shared/data/nezha} and {@code shared/data/petshop} ({@code cases/*.json} + {@code cases/*.csv} +
 * {@code graph/*.edges.csv}) and, for each case:
 * <ol>
 *   <li>builds an agent on embedded defaults in OBSERVE, with a virtual clock that follows the recording's
 *       timestamps and the case's call graph as a {@link StaticTopology};
 *   <li>when the case names fault-free {@code normal} data (PetShop: 5-row cases of 5-minute data, too short for a
 *       baseline), first feeds the last {@code warmupRows} rows of it, re-timed so that they end one step before the
 *       case's first row (the baselines are learned on real fault-free data of the same system; the re-timing is the
 *       only change);
 *   <li>maps each {@code <service>.<metric>} column through the mapping ({@code --mapping FILE}, the form of
 *       {@code ./sre-agent run --config}; by default {@link #DEFAULT_MAPPING}) to one of the signals the built-in
 *       detectors read ({@link MetricNames}) and feeds the rows in time order through {@code agent.sink()}, ticking
 *       the loop every {@link #TICK} of recording time;
 *   <li>writes one line of the scorer's format: {@code {"type":"rca","case_id":...,"services":[...],
 *       "metrics":[...],"fault_type":...,"source":...}} (metrics: the columns behind the incident's anomalies).
 *       The incident taken is the one opened nearest to {@code alert_time} within
 *       [max(first case row, alert − {@link #LOOKBACK}), alert + {@link #HORIZON}] and, when the case's alert names its
 *       symptom ({@code target.metric}: PetShop's SLO on latency or availability), of that symptom's type (an
 *       incident about another symptom does not answer the alert); its services are its ranked root-cause
 *       candidates ({@code source: incident}). No incident: the agent's own answer to an operator asking "what
 *       changed around the alert" ({@link SreAgent#rankCandidates}: the same ranking of the services it holds series
 *       of, around {@code alert_time}, with the alert's service ({@code target.service}) as where the symptom was
 *       seen; {@code source: ranking}); nothing to rank: an empty list ({@code source: none}).
 *       {@code --topology FILE} adds a file's edges to every case's graph. The case's alert, when it names one (PetShop's
 *       SLO target), is also fed to the agent at {@code alert_time}, as Alertmanager would send it
 *       ({@link RcaRanking#alert}), so that the agent's own incident answers it (not with {@code --no-alerts}).
 * </ol>
 * For every distinct fault-free {@code normal} file it also replays that file alone and reports the incidents
 * opened per day (every one is a false incident), and the ranking's leave-one-system-out cross-validation. A column
 * {@code <caller>-><callee>.<metric>} is a call edge's series: fed as the caller's sample with the callee as
 * {@code peer.service}.
 */
final class RcaRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The loop runs at least this often in recording time. */
  static final Duration TICK = Duration.ofSeconds(30);
  /** How long before the alert an incident may have opened and still be this case's. */
  static final Duration LOOKBACK = Duration.ofMinutes(10);
  /** How long after the alert an incident may open and still be this case's. */
  static final Duration HORIZON = Duration.ofMinutes(5);

  /**
   * A dataset column's metric mapped to an agent signal: {@code signal = offset + scale * value}, from one
   * {@link MetricMapping.Rule}.
   *
   * @param metric the column's metric name (the part after the last dot)
   * @param signal the {@link MetricNames} signal it feeds
   * @param scale multiplier
   * @param offset added after scaling
   * @param perPod whether the signal is read per pod (the service name stands for its one pod): CPU and memory
   */
  record ColumnSignal(String metric, String signal, double scale, double offset, boolean perPod) {
    double convert(double value) {
      return offset + scale * value;
    }

    static ColumnSignal of(MetricMapping.Rule r) {
      return new ColumnSignal(r.source(), r.kind().metric(), r.scale(), r.offset(),
          r.kind() == MetricMapping.Kind.CPU_UTILIZATION || r.kind() == MetricMapping.Kind.MEMORY_UTILIZATION);
    }
  }

  /** The shipped default mapping, in the form {@code ./sre-agent run --config} reads. */
  static final String DEFAULT_MAPPING = "rca-mapping.conf";

  /** The column-to-signal table for the two shipped datasets: {@link #DEFAULT_MAPPING}'s rules. */
  static final List<ColumnSignal> MAPPING = defaultMapping();

  private static List<ColumnSignal> defaultMapping() {
    try (java.io.InputStream in = RcaRun.class.getResourceAsStream(DEFAULT_MAPPING)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_MAPPING + " is missing from the bench's resources");
      }
      List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      return columns(lines, DEFAULT_MAPPING);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The column mapping of a configuration file ({@code metrics.map.*} keys; others ignored). */
  static List<ColumnSignal> mapping(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) { // a missing file's message is its bare name
      throw new IOException("--mapping: cannot read " + file + " (" + (Files.isDirectory(file) ? "a directory"
          : Files.exists(file) ? e.getMessage() : "no such file") + "); give a file of metrics.map.NAME = KIND"
          + " lines", e);
    }
    return columns(lines, file.toString());
  }

  private static List<ColumnSignal> columns(List<String> lines, String where) {
    List<String> problems = new ArrayList<>();
    MetricMapping m = MetricMapping.fromLines(lines, where, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    if (m.isEmpty()) {
      throw new IllegalArgumentException(where + " has no metrics.map.* rule; give at least one, such as"
          + " metrics.map.PodServerLatencyP99(s) = latency-p99");
    }
    return m.rules().values().stream().map(ColumnSignal::of).toList();
  }

  /**
   * The datasets' fault-type words for the fault class of the answer's first candidate
   * ({@link dev.sreagent.api.model.RootCandidate#faultClass()}), by meaning: Nezha's CPU faults are contention or
   * consumption (contention named), code faults an exception or a wrong return (a slowdown of its own has no other
   * code word: exception named for both); PetShop's latency faults are injected delays, so every slowness is
   * {@code latency}. A class the dataset has no word for, or an unknown one, falls back to {@link #FAULT_TYPES}.
   */
  static final Map<String, Map<FaultClass, String>> CLASS_TYPES = Map.of(
      "nezha", Map.of(FaultClass.CPU_SATURATION, "cpu_contention", FaultClass.NETWORK_DELAY, "network_delay",
          FaultClass.CODE_ERROR, "exception", FaultClass.LATENCY, "exception"),
      "petshop", Map.of(FaultClass.LATENCY, "latency", FaultClass.NETWORK_DELAY, "latency",
          FaultClass.CPU_SATURATION, "latency", FaultClass.CODE_ERROR, "error",
          FaultClass.OVERLOAD, "request_overload"));

  /** The datasets' fault-type words for the agent's incident types (others: no fault type given). */
  static final Map<String, Map<String, String>> FAULT_TYPES = Map.of(
      "nezha", Map.of("high-latency", "network_delay", "error-rate-spike", "exception"),
      "petshop", Map.of("high-latency", "latency", "error-rate-spike", "error"));

  /**
   * One recorded table: row times in epoch seconds and the mapped columns; {@code peers} is the callee of a call
   * edge's column ({@code <caller>-><callee>.<metric>}: service = caller) and "" for a service's own column.
   */
  record Table(long[] times, List<String> services, List<String> peers, List<ColumnSignal> signals,
      double[][] values) {
    long step() {
      long step = Long.MAX_VALUE;
      for (int i = 1; i < times.length; i++) {
        step = Math.min(step, times[i] - times[i - 1]);
      }
      return step == Long.MAX_VALUE || step <= 0 ? 60 : step;
    }
  }

  /** What the agent did on one case. */
  record CaseResult(String caseId, String truth, List<String> services, List<String> metrics,
      @Nullable String faultType, int incidents, String chosen, String source) {}

  /** Samples the agent's inbox refused even after a tick (reported, so a lossy feed is visible). */
  private static final java.util.concurrent.atomic.AtomicLong DROPPED = new java.util.concurrent.atomic.AtomicLong();

  private RcaRun() {}

  static int run(List<Path> dataDirs, Path outFile, int warmupRows, PrintStream out, PrintStream err)
      throws IOException {
    return run(dataDirs, outFile, warmupRows, MAPPING, List.of(), true, out, err);
  }

  /** As above, with the columns mapped by {@code mapping}. */
  static int run(List<Path> dataDirs, Path outFile, int warmupRows, List<ColumnSignal> mapping,
      List<StaticTopology> extraEdges, boolean feedAlerts, PrintStream out, PrintStream err) throws IOException {
    return run(dataDirs, outFile, warmupRows, mapping, extraEdges, feedAlerts, Map.of(), out, err);
  }

  /**
   * As above, every agent built with {@code agentConfig} ({@code SreAgentBuilder.setConfig}: the {@code detect.*}
   * keys of a {@code run --config} file, {@link Config}).
   */
  static int run(List<Path> dataDirs, Path outFile, int warmupRows, List<ColumnSignal> mapping,
      List<StaticTopology> extraEdges, boolean feedAlerts, Map<String, String> agentConfig, PrintStream out,
      PrintStream err) throws IOException {
    List<Path> cases = new ArrayList<>();
    for (Path dir : dataDirs) {
      Path caseDir = dir.resolve("cases");
      if (!Files.isDirectory(caseDir)) {
        err.println("rca: " + dir + " has no cases/ folder; give a dataset in the uniform layout (cases/*.json,"
            + " cases/*.csv, graph/*.edges.csv), e.g. --data ../shared/data/nezha");
        return 2;
      }
      try (Stream<Path> files = Files.list(caseDir)) {
        files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(cases::add);
      }
    }
    if (cases.isEmpty()) {
      err.println("rca: no cases/*.json under " + dataDirs);
      return 2;
    }
    List<String> problems = layoutProblems(cases);
    if (!problems.isEmpty()) { // all at once, before the first case runs
      problems.forEach(p -> err.println("rca: " + p));
      return 2;
    }
    Path tmp = Files.createTempDirectory("bench-rca");
    try {
      return runAll(cases, outFile, mapping, extraEdges, warmupRows, feedAlerts, agentConfig, out, tmp);
    } finally {
      try {
        deleteTree(tmp); // each replay's audit log and its sidecars
      } catch (IOException e) { // never hides the run's own outcome
        err.println("rca: could not delete the temporary directory " + tmp + " (" + e.getMessage() + ")");
      }
    }
  }

  private static int runAll(List<Path> cases, Path outFile, List<ColumnSignal> mapping,
      List<StaticTopology> extraEdges, int warmupRows, boolean feedAlerts, Map<String, String> agentConfig,
      PrintStream out, Path tmp) throws IOException {
    Map<Path, StaticTopology> graphs = new HashMap<>();
    Map<Path, Table> normals = new LinkedHashMap<>();
    Map<String, int[]> hits = new LinkedHashMap<>();
    Map<String, List<Integer>> bySource = new java.util.TreeMap<>();
    List<RcaRanking.Graded> graded = new ArrayList<>();
    DROPPED.set(0);
    try (BufferedWriter w = Files.newBufferedWriter(outFile, StandardCharsets.UTF_8)) {
      for (Path casePath : cases) {
        JsonNode c = JSON.readTree(casePath.toFile());
        Path dir = casePath.getParent().getParent();
        String id = text(c, "case_id", casePath);
        Path graphFile = dir.resolve(text(c, "graph", casePath));
        StaticTopology graph = graphs.computeIfAbsent(graphFile, f -> {
          StaticTopology g = graph(f);
          for (StaticTopology more : extraEdges) {
            g = g.with(more);
          }
          return g;
        });
        Table table = read(dir.resolve(text(c, "csv", casePath)), mapping);
        Table warmup = null;
        if (c.hasNonNull("normal")) {
          Path normal = dir.resolve(c.get("normal").asText());
          Table n = normals.get(normal);
          if (n == null) {
            n = read(normal, mapping);
            normals.put(normal, n);
          }
          warmup = n;
        }
        long alert = c.path("alert_time").asLong();
        String dataset = c.path("dataset").asText("");
        String truth = c.path("root_cause").path("service").asText("");
        String system = c.path("system").asText("?");
        List<RootCauseRanker.Series> series = RcaRanking.series(table, warmup, warmupRows);
        Set<String> symptoms = RcaRanking.symptoms(c);
        Topology topology = graph.topology();
        Set<String> entries = RcaRanking.entries(c);
        graded.add(RcaRanking.grade(system, truth, series, Instant.ofEpochSecond(alert), topology, symptoms,
            entries));
        CaseResult r = runCase(id, truth, table, warmup, warmupRows,
            graph, alert, FAULT_TYPES.getOrDefault(dataset, Map.of()), CLASS_TYPES.getOrDefault(dataset, Map.of()),
            tmp, RcaRanking.incidentType(c), entries, feedAlerts ? RcaRanking.alert(c) : null, agentConfig);
        String source = r.source();
        bySource.computeIfAbsent(system + " " + source, k -> new ArrayList<>())
            .add(RcaRanking.position(r.services(), truth));
        ObjectNode line = JSON.createObjectNode();
        line.put("type", "rca");
        line.put("case_id", id);
        line.putArray("services").addAll(r.services().stream().map(JSON.getNodeFactory()::textNode).toList());
        line.putArray("metrics").addAll(r.metrics().stream().map(JSON.getNodeFactory()::textNode).toList());
        if (r.faultType() != null) {
          line.put("fault_type", r.faultType());
        }
        line.put("source", source);
        w.write(JSON.writeValueAsString(line));
        w.newLine();
        int[] h = hits.computeIfAbsent(system, k -> new int[2]);
        h[1]++;
        if (!r.services().isEmpty() && r.services().get(0).equals(r.truth())) {
          h[0]++;
        }
        out.printf(Locale.ROOT, "%-26s truth %-42s agent %-42s %-8s %s (%d incidents in the case)%n", id,
            r.truth(), r.services().isEmpty() ? "-" : r.services().get(0), source, r.chosen(), r.incidents());
      }
    }
    for (Map.Entry<String, int[]> e : hits.entrySet()) {
      out.printf(Locale.ROOT, "rca: %s: root right on %d of %d cases (AC@1 %.3f)%n", e.getKey(), e.getValue()[0],
          e.getValue()[1], (double) e.getValue()[0] / e.getValue()[1]);
    }
    for (Map.Entry<String, List<Integer>> e : bySource.entrySet()) {
      double[] a = RcaRanking.accuracy(e.getValue());
      out.printf(Locale.ROOT, "rca: %s-backed answers: n %d, AC@1 %.3f AC@3 %.3f Avg@5 %.3f%n", e.getKey(),
          e.getValue().size(), a[0], a[1], a[2]);
    }
    RcaRanking.crossValidate(graded, out);
    for (Map.Entry<Path, Table> e : normals.entrySet()) {
      Table n = e.getValue();
      List<Incident> falseOnes = falseIncidents(n, graphFor(cases, e.getKey(), graphs), tmp, agentConfig);
      int opened = falseOnes.size();
      double days = (n.times()[n.times().length - 1] - n.times()[0] + n.step()) / 86_400.0;
      out.printf(Locale.ROOT, "rca: fault-free %s: %d rows over %.2f days, %d incidents opened = %.1f per day%n",
          e.getKey(), n.times().length, days, opened, opened / days);
      Map<String, Integer> byType = new java.util.TreeMap<>();
      falseOnes.forEach(inc -> byType.merge(inc.type().name().toLowerCase(Locale.ROOT) + " on " + inc.rootService(),
          1, Integer::sum));
      out.println("rca: fault-free incidents by type and root: " + byType);
    }
    out.println("rca: wrote " + cases.size() + " lines to " + outFile + "; " + DROPPED.get()
        + " samples dropped by a full inbox");
    return 0;
  }

  /** Runs one case; see the class documentation. */
  static CaseResult runCase(String id, String truth, Table table, @Nullable Table warmup, int warmupRows,
      StaticTopology graph, long alert, Map<String, String> faultTypes, Map<FaultClass, String> classTypes, Path tmp,
      @Nullable IncidentType symptom, Set<String> entries, @Nullable AlertEvent alertEvent,
      Map<String, String> agentConfig) throws IOException {
    if (table.times().length == 0) {
      return new CaseResult(id, truth, List.of(), List.of(), null, 0, "-", "none");
    }
    long first = table.times()[0];
    List<Incident> opened = new ArrayList<>();
    List<RootCandidate> asked;
    try (Replay replay = new Replay(graph, Instant.ofEpochSecond(first - 1), tmp, opened, agentConfig)) {
      if (alertEvent != null) {
        replay.alertAt(alertEvent);
      }
      if (warmup != null && warmupRows > 0) {
        int from = Math.max(0, warmup.times().length - warmupRows);
        long shift = first - warmup.step() - warmup.times()[warmup.times().length - 1];
        for (int i = from; i < warmup.times().length; i++) {
          replay.row(warmup, i, warmup.times()[i] + shift, i + 1 < warmup.times().length
              ? warmup.times()[i + 1] + shift : first);
        }
      }
      for (int i = 0; i < table.times().length; i++) {
        long next = i + 1 < table.times().length ? table.times()[i + 1]
            : Math.max(table.times()[i] + table.step(), alert + HORIZON.toSeconds());
        replay.row(table, i, table.times()[i], next);
      }
      // for when no incident answers: what an operator asking the agent "what changed around the alert" gets
      asked = replay.agent.rankCandidates(Instant.ofEpochSecond(alert), entries, symptom);
    }
    long from = Math.max(first, alert - LOOKBACK.toSeconds());
    long to = alert + HORIZON.toSeconds();
    Map<String, Incident> latest = new LinkedHashMap<>();
    for (Incident inc : opened) {
      latest.put(inc.id(), inc);
    }
    List<Incident> inCase = latest.values().stream()
        .filter(inc -> inc.openedAt().getEpochSecond() >= first && inc.openedAt().getEpochSecond() <= to).toList();
    Incident chosen = inCase.stream().filter(inc -> inc.openedAt().getEpochSecond() >= from)
        .filter(inc -> symptom == null || inc.type().equals(symptom))
        .min(Comparator.comparingLong((Incident inc) -> Math.abs(inc.openedAt().getEpochSecond() - alert))
            .thenComparing(Incident::openedAt, Comparator.reverseOrder()))
        .orElse(null);
    if (chosen == null) {
      return new CaseResult(id, truth, RcaRanking.services(asked), metrics(asked, table), asked.isEmpty() ? null
          : classTypes.get(asked.get(0).faultClass()), inCase.size(), "-", asked.isEmpty() ? "none" : "ranking");
    }
    List<String> services = services(chosen);
    Set<String> metrics = new LinkedHashSet<>(metrics(chosen.candidates(), table));
    metrics.addAll(metrics(chosen, services, table));
    return new CaseResult(id, truth, services, List.copyOf(metrics),
        chosen.candidates().isEmpty() || !classTypes.containsKey(chosen.candidates().get(0).faultClass())
            ? faultTypes.get(chosen.type().name()) : classTypes.get(chosen.candidates().get(0).faultClass()),
        inCase.size(),
        String.format(Locale.ROOT, "%s at alert%+ds", chosen.type().name(),
            chosen.openedAt().getEpochSecond() - alert), "incident");
  }

  /**
   * The incident's ranked candidates ({@link Incident#candidates()}: the correlator's root first where the ranking
   * agrees), then any affected service they do not name; with no ranked list, the root, then the other affected
   * services by the start of their first anomaly (then by name).
   */
  static List<String> services(Incident incident) {
    if (!incident.candidates().isEmpty()) {
      Set<String> out = new LinkedHashSet<>();
      incident.candidates().forEach(c -> out.add(c.service()));
      new java.util.TreeSet<>(incident.affectedServices()).forEach(out::add);
      return List.copyOf(out);
    }
    Map<String, Instant> firstAnomaly = new HashMap<>();
    for (Anomaly a : incident.anomalies()) {
      firstAnomaly.merge(a.service(), a.startedAt(), (x, y) -> x.isBefore(y) ? x : y);
    }
    Set<String> out = new LinkedHashSet<>();
    out.add(incident.rootService());
    incident.affectedServices().stream()
        .sorted(Comparator.comparing((String s) -> firstAnomaly.getOrDefault(s, Instant.MAX))
            .thenComparing(Comparator.naturalOrder()))
        .forEach(out::add);
    return List.copyOf(out);
  }

  /**
   * The dataset columns behind the incident's anomalies, in the order of {@code services} and, per service, of the
   * anomalies' start: each anomaly's signal mapped back through {@link #MAPPING} to the column of its service.
   */
  static List<String> metrics(Incident incident, List<String> services, Table table) {
    Set<String> out = new LinkedHashSet<>();
    for (String service : services) {
      incident.anomalies().stream().filter(a -> a.service().equals(service))
          .sorted(Comparator.comparing(Anomaly::startedAt)).forEach(a -> addColumns(table, service, a.signal(), out));
    }
    return List.copyOf(out);
  }

  /**
   * The dataset columns that point at each candidate, in the candidates' order: first the columns of the signal its
   * fault class names ({@link #classSignal}: CPU for a CPU saturation, the latency of the calls into it for a network
   * delay, ...), then the column of the signal behind its score ({@link dev.sreagent.api.model.RootCandidate#signal()}).
   * Nothing is scored here: the ranking's own reading, written back in the dataset's column names.
   */
  static List<String> metrics(List<dev.sreagent.api.model.RootCandidate> candidates, Table table) {
    Set<String> out = new LinkedHashSet<>();
    for (dev.sreagent.api.model.RootCandidate c : candidates) {
      String classSignal = classSignal(c);
      for (String signal : classSignal == null ? List.of(c.signal()) : List.of(classSignal, c.signal())) {
        addColumns(table, c.service(), signal, out);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Adds the columns of {@code signal} for {@code service} to {@code out}: its own columns, or for a call edge's
   * signal ({@link RootCauseRanker#EDGE_SIGNALS}) the columns of the edges into it ({@code caller->service.metric}).
   */
  private static void addColumns(Table table, String service, String signal, Set<String> out) {
    boolean edge = RootCauseRanker.EDGE_SIGNALS.contains(signal);
    for (int k = 0; k < table.services().size(); k++) {
      boolean match = edge ? table.peers().get(k).equals(service)
          : table.services().get(k).equals(service) && table.peers().get(k).isEmpty();
      if (match && table.signals().get(k).signal().equals(signal)) {
        out.add(table.services().get(k) + (edge ? "->" + service : "") + "." + table.signals().get(k).metric());
      }
    }
  }

  /**
   * The signal a fault class is read from ({@link RootCauseRanker}'s rule): a network delay from the client-side
   * latency of the calls into the service (the median's series; the candidate's own edge signal when it names one),
   * the others from the service's own signal; null when unknown.
   */
  static @Nullable String classSignal(dev.sreagent.api.model.RootCandidate candidate) {
    return switch (candidate.faultClass()) {
      case CPU_SATURATION -> MetricNames.CPU_UTILIZATION;
      case MEMORY -> MetricNames.MEMORY_UTILIZATION;
      case NETWORK_DELAY -> RootCauseRanker.EDGE_SIGNALS.contains(candidate.signal()) ? candidate.signal()
          : MetricNames.CLIENT_LATENCY_P50;
      case OVERLOAD -> MetricNames.REQUEST_RATE;
      case CODE_ERROR -> MetricNames.ERROR_RATIO;
      case LATENCY -> MetricNames.LATENCY_P99;
      case UNKNOWN -> null;
    };
  }

  /** The distinct incidents (first report of each) opened by replaying fault-free data alone. */
  private static List<Incident> falseIncidents(Table normal, StaticTopology graph, Path tmp,
      Map<String, String> agentConfig) throws IOException {
    List<Incident> opened = new ArrayList<>();
    try (Replay replay = new Replay(graph, Instant.ofEpochSecond(normal.times()[0] - 1), tmp, opened, agentConfig)) {
      for (int i = 0; i < normal.times().length; i++) {
        replay.row(normal, i, normal.times()[i], i + 1 < normal.times().length ? normal.times()[i + 1]
            : normal.times()[i] + normal.step());
      }
    }
    Map<String, Incident> first = new LinkedHashMap<>();
    opened.forEach(inc -> first.putIfAbsent(inc.id(), inc));
    return List.copyOf(first.values());
  }

  /** An agent in OBSERVE on a virtual clock, fed row by row. */
  private static final class Replay implements AutoCloseable {
    private final AtomicReference<Instant> now;
    private final SreAgent agent;
    private final Path audit;
    private @Nullable AlertEvent alert;

    Replay(StaticTopology graph, Instant start, Path tmp, List<Incident> opened, Map<String, String> agentConfig)
        throws IOException {
      now = new AtomicReference<>(start);
      Clock clock = now::get;
      audit = Files.createTempFile(tmp, "audit", ".jsonl");
      agent = SreAgent.builder().setClock(clock).setDiscovery(false).setDefaultPhase(Phase.OBSERVE)
          .setConfig(agentConfig)
          .setTopologyProvider(graph).setAuditFile(audit)
          .addNotifier(e -> {
            if (e.kind() == IncidentEvent.Kind.OPENED || e.kind() == IncidentEvent.Kind.UPDATED) {
              opened.add(e.incident());
            }
          }).build();
      agent.start();
    }

    /** Feeds row {@code i} of {@code t} stamped {@code at}, then ticks until {@code next} (exclusive). */
    void row(Table t, int i, long at, long next) {
      now.set(Instant.ofEpochSecond(at));
      Instant ts = Instant.ofEpochSecond(at);
      double[] row = t.values()[i];
      for (int k = 0; k < row.length; k++) {
        double v = row[k];
        if (Double.isNaN(v)) {
          continue;
        }
        ColumnSignal s = t.signals().get(k);
        String service = t.services().get(k);
        String peer = t.peers().get(k);
        Map<String, String> attrs = s.perPod() ? Map.of(Attributes.SERVICE_NAME, service, Attributes.K8S_POD_NAME,
            service) : peer.isEmpty() ? Map.of(Attributes.SERVICE_NAME, service)
            : Map.of(Attributes.SERVICE_NAME, service, Attributes.PEER_SERVICE, peer);
        MetricSample sample = new MetricSample(s.signal(), s.convert(v), ts, attrs);
        if (!agent.sink().accept(sample)) {
          agent.tick();
          if (!agent.sink().accept(sample)) {
            DROPPED.incrementAndGet();
          }
        }
      }
      sendAlertBy(at);
      agent.tick();
      for (long tick = at + TICK.toSeconds(); tick < next; tick += TICK.toSeconds()) {
        now.set(Instant.ofEpochSecond(tick));
        sendAlertBy(tick);
        agent.tick();
      }
    }

    /** The alert to send once the recording's clock reaches its time. */
    void alertAt(AlertEvent a) {
      alert = a;
    }

    private void sendAlertBy(long epochSecond) {
      if (alert != null && !alert.timestamp().isAfter(Instant.ofEpochSecond(epochSecond))) {
        agent.sink().accept(alert);
        alert = null;
      }
    }

    @Override
    public void close() throws IOException {
      agent.close();
      Files.deleteIfExists(audit);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Reads a uniform-layout CSV, keeping the columns {@link #MAPPING} knows. */
  static Table read(Path csv) throws IOException {
    return read(csv, MAPPING);
  }

  /** Reads a uniform-layout CSV, keeping the columns {@code mapping} knows. */
  static Table read(Path csv, List<ColumnSignal> mapping) throws IOException {
    Map<String, ColumnSignal> byMetric = new HashMap<>();
    for (ColumnSignal s : mapping) {
      byMetric.put(s.metric(), s);
    }
    List<long[]> timeList = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    List<String> services = new ArrayList<>();
    List<String> peers = new ArrayList<>();
    List<ColumnSignal> signals = new ArrayList<>();
    List<Integer> columns = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header != null && header.startsWith("\uFEFF")) {
        header = header.substring(1); // a byte order mark, as spreadsheets write UTF-8 CSV
      }
      if (header == null || !header.startsWith("timestamp,")) {
        throw new IOException(csv + ":1: expected the header timestamp,<service>.<metric>,...; the file is not in the"
            + " uniform layout");
      }
      String[] names = header.split(",", -1);
      for (int k = 1; k < names.length; k++) {
        int dot = names[k].lastIndexOf('.');
        ColumnSignal s = dot > 0 ? byMetric.get(names[k].substring(dot + 1)) : null;
        if (s != null) {
          String node = names[k].substring(0, dot);
          int arrow = node.indexOf("->");
          services.add(arrow > 0 ? node.substring(0, arrow) : node);
          peers.add(arrow > 0 ? node.substring(arrow + 2) : "");
          signals.add(s);
          columns.add(k);
        }
      }
      int line = 1;
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        line++;
        if (l.isBlank()) {
          continue;
        }
        String[] cells = l.split(",", -1);
        if (cells.length != names.length) {
          throw new IOException(csv + ":" + line + ": expected " + names.length + " cells like the header, got "
              + cells.length);
        }
        double[] values = new double[columns.size()];
        for (int k = 0; k < values.length; k++) {
          String cell = cells[columns.get(k)];
          try {
            values[k] = cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
          } catch (NumberFormatException e) {
            throw new IOException(csv + ":" + line + ": column " + names[columns.get(k)] + " holds '" + cell
                + "', not a number (leave the cell empty for a missing value)", e);
          }
        }
        long time;
        try {
          time = Long.parseLong(cells[0]);
        } catch (NumberFormatException e) {
          throw new IOException(csv + ":" + line + ": timestamp '" + cells[0] + "' is not whole Unix seconds", e);
        }
        if (time >= 100_000_000_000L) { // past the year 5000: milliseconds, which the alert_time would not match
          throw new IOException(csv + ":" + line + ": timestamp " + time + " is not whole Unix seconds (milliseconds?);"
              + " give seconds, as the case's alert_time");
        }
        timeList.add(new long[] {time});
        rows.add(values);
      }
    }
    long[] times = new long[timeList.size()];
    for (int i = 0; i < times.length; i++) {
      times[i] = timeList.get(i)[0];
      if (i > 0 && times[i] <= times[i - 1]) {
        throw new IOException(csv + ": rows must be in increasing time order, but row " + (i + 2) + " at " + times[i]
            + " follows " + times[i - 1]);
      }
    }
    return new Table(times, List.copyOf(services), List.copyOf(peers), List.copyOf(signals),
        rows.toArray(new double[0][]));
  }

  private static StaticTopology graph(Path file) {
    try {
      return StaticTopology.read(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  private static StaticTopology graphFor(List<Path> cases, Path normal, Map<Path, StaticTopology> graphs)
      throws IOException {
    for (Path casePath : cases) {
      JsonNode c = JSON.readTree(casePath.toFile());
      Path dir = casePath.getParent().getParent();
      if (c.hasNonNull("normal") && dir.resolve(c.get("normal").asText()).equals(normal)) {
        return graphs.get(dir.resolve(text(c, "graph", casePath)));
      }
    }
    throw new IllegalStateException("no case names " + normal);
  }

  /**
   * What is wrong with the cases' layout: a case that is not JSON, lacks a field the run reads ({@code case_id},
   * {@code csv}, {@code graph}, {@code alert_time} in whole Unix seconds), or names a file ({@code csv}, {@code graph},
   * {@code normal}) that is not there. Empty when every case can run.
   */
  static List<String> layoutProblems(List<Path> cases) {
    List<String> problems = new ArrayList<>();
    for (Path casePath : cases) {
      JsonNode c;
      try {
        c = JSON.readTree(casePath.toFile());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        problems.add(casePath + ":" + (e.getLocation() == null ? 1 : e.getLocation().getLineNr()) + ": not JSON ("
            + e.getOriginalMessage() + ")");
        continue;
      } catch (IOException e) {
        problems.add(casePath + ": cannot be read (" + e.getMessage() + ")");
        continue;
      }
      Path dir = casePath.getParent().getParent();
      for (String field : List.of("case_id", "csv", "graph")) {
        try {
          String name = text(c, field, casePath);
          if (!field.equals("case_id") && !Files.isRegularFile(dir.resolve(name))) {
            problems.add(casePath + ": " + field + " names " + name + ", which is not a file under " + dir
                + "; the uniform layout keeps cases/*.csv and graph/*.edges.csv beside cases/");
          }
        } catch (IOException e) {
          problems.add(e.getMessage());
        }
      }
      if (c.hasNonNull("normal") && !Files.isRegularFile(dir.resolve(c.get("normal").asText()))) {
        problems.add(casePath + ": normal names " + c.get("normal").asText() + ", which is not a file under " + dir
            + "; give the fault-free file or null");
      }
      JsonNode alert = c.get("alert_time");
      boolean whole = alert != null && (alert.canConvertToExactIntegral()
          || alert.isTextual() && alert.asText().matches("\\d{1,12}"));
      if (!whole || alert.asLong() <= 0) {
        problems.add(casePath + ": alert_time must be whole Unix seconds such as 1661140434, but was "
            + (alert == null ? "missing" : alert.toString()));
      }
    }
    return problems;
  }

  private static String text(JsonNode c, String field, Path where) throws IOException {
    JsonNode v = c.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new IOException(where + ": the case needs the text field '" + field + "' (see the dataset's README)");
    }
    return v.asText();
  }
}
