package dev.sreagent.bench;

import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.ScenarioResult;
import dev.sreagent.testkit.ScenarioRunner;
import dev.sreagent.testkit.Scenarios;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entry point of the bench jar.
 *
 * <pre>
 * java -jar sre-agent-bench/target/sre-agent-bench.jar scenarios [--seeds N] [--phase PHASE]
 * java -jar sre-agent-bench/target/sre-agent-bench.jar scenarios --hours 0-23 [--seeds N] [--first-seed K]
 *     [--threads T] [--no-utilisation]
 * java -jar sre-agent-bench/target/sre-agent-bench.jar k8s-informers [--pods 5000] [--workloads 500] [--events 500]
 * </pre>
 *
 * {@code scenarios} runs every built-in scenario for seeds 1..N and prints, per scenario, the detection rate, the
 * median time to detect and to resolve (simulated seconds), false incidents and guardrail violations, and the
 * simulated-to-wall-clock speed-up. With {@code --hours} each scenario starts at each of those hours of the default
 * day ({@link HourSweep}). {@code k8s-informers} measures the Kubernetes adapter's informers on a large cluster
 * ({@link KubernetesInformersRun}).
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  private static int rca(String[] args, PrintStream out, PrintStream err) {
    String usage = "usage: rca --data <dataset dir> [--data DIR2 ...] --out <results.jsonl> [--warmup-rows N]"
        + " [--config RUN.conf] [--mapping FILE] [--topology EDGES.csv ...] [--no-alerts]";
    List<dev.sreagent.core.StaticTopology> extra = new java.util.ArrayList<>();
    // each case's alert (target, alert_time) goes to the agent as Alertmanager would send it, unless --no-alerts
    // (--alerts, the default since 2026-12-07, is still accepted); neither takes a value
    boolean alerts = !java.util.Arrays.asList(args).contains("--no-alerts");
    args = java.util.Arrays.stream(args).filter(a -> !a.equals("--alerts") && !a.equals("--no-alerts"))
        .toArray(String[]::new);
    java.nio.file.Path mapping = null;
    java.nio.file.Path config = null;
    List<java.nio.file.Path> data = new java.util.ArrayList<>();
    java.nio.file.Path file = null;
    int warmupRows = 288;
    for (int k = 1; k < args.length; k += 2) {
      if (k + 1 >= args.length) {
        err.println(args[k] + " needs a value; " + usage);
        return 2;
      }
      switch (args[k]) {
        case "--data" -> data.add(java.nio.file.Path.of(args[k + 1]));
        case "--out" -> file = java.nio.file.Path.of(args[k + 1]);
        case "--mapping" -> mapping = java.nio.file.Path.of(args[k + 1]);
        case "--config" -> config = java.nio.file.Path.of(args[k + 1]);
        case "--topology" -> {
          try {
            extra.add(dev.sreagent.core.StaticTopology.read(java.nio.file.Path.of(args[k + 1])));
          } catch (java.io.IOException | IllegalArgumentException e) {
            err.println("--topology: cannot read the call graph " + args[k + 1] + " (" + e.getMessage() + "); give a"
                + " CSV (src,dst) or YAML (edges: [{from: a, to: b}]) file of edges to add to every case's graph");
            return 2;
          }
        }
        case "--warmup-rows" -> {
          try {
            warmupRows = Integer.parseInt(args[k + 1]);
          } catch (NumberFormatException e) {
            warmupRows = -1;
          }
          if (warmupRows < 0) {
            err.println("--warmup-rows must be a whole number >= 0, but was '" + args[k + 1] + "'");
            return 2;
          }
        }
        default -> {
          err.println("unknown option " + args[k] + "; " + usage);
          return 2;
        }
      }
    }
    if (data.isEmpty() || file == null) {
      err.println(usage);
      return 2;
    }
    try {
      RunConfigFile c = config == null ? null : RunConfigFile.read(config);
      if (c != null && c.columns() != null && mapping != null) {
        err.println("rca: both --config " + config + " and --mapping " + mapping + " give metrics.map.* rules; keep"
            + " them in one file");
        return 2;
      }
      if (c != null) {
        extra.addAll(c.topology());
        if (!c.unused().isEmpty()) {
          out.println("rca: --config " + config + ": not used by a replay (no listener, store or cluster): "
              + String.join(", ", c.unused()));
        }
        if (!c.detect().isEmpty()) {
          out.println("rca: built-in detectors set by --config: "
              + dev.sreagent.detect.DetectorSettings.of(c.detect()));
        }
      }
      List<RcaRun.ColumnSignal> columns = mapping != null ? RcaRun.mapping(mapping)
          : c != null && c.columns() != null ? c.columns() : RcaRun.MAPPING;
      return RcaRun.run(data, file, warmupRows, columns, extra, alerts, c == null ? java.util.Map.of() : c.detect(),
          out, err);
    } catch (java.io.IOException | java.io.UncheckedIOException | IllegalArgumentException e) {
      err.println("rca: " + e.getMessage());
      return 1;
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help")) {
      out.println("usage: sre-agent-bench scenarios [--seeds N] [--phase observe|assist|autonomous] [--fingerprint FILE]");
      out.println("       sre-agent-bench scenarios --hours 0-23 [--seeds N] [--first-seed K] [--threads T] [--phase P]"
          + " [--no-utilisation]"
          + "   every built-in scenario started at each hour of the day");
      out.println("       sre-agent-bench nab --data <folder with <category>/<file>.csv> --out <folder>");
      out.println("       sre-agent-bench jmh [JMH options]   per-sample cost of the detectors (JMH)");
      out.println("       sre-agent-bench scale [--series N] [--rounds R]   heap per live series");
      out.println("       sre-agent-bench cardinality [--keys N] [--rounds R]   heap after bursts of N one-off series,"
          + " log sources and call edges (default 1,000,000 x 2), and the next incident's evidence");
      out.println("       sre-agent-bench retrieval --corpus <corpus.jsonl> --queries <queries.jsonl> --out <results.jsonl>"
          + " [--mode bm25|dense|hybrid]   (hybrid by default)");
      out.println("       sre-agent-bench replay --input <otlp.jsonl|metrics.csv> [--speed N] [--target URL | --config"
          + " RUN.conf]"
          + "   recorded telemetry into the agent at N x speed (default 60; 0 = as fast as possible)");
      out.println("       sre-agent-bench rca --data <dataset dir> [--data DIR2] --out <results.jsonl> [--warmup-rows N]"
          + " [--config RUN.conf] [--mapping FILE] [--topology EDGES.csv] [--no-alerts]"
          + "   root cause on recorded incidents (uniform layout), one rca_score.py line per case");
      out.println("       sre-agent-bench otlp-throughput [--rounds R] [--seconds S] [--clients C]"
          + "   OTLP/HTTP metrics points ingested per second");
      out.println("       sre-agent-bench diagnosis [--seeds N] [--first-seed K] [--fit FILE] [--calibration FILE]"
          + "   diagnosis accuracy and the reliability table");
      out.println("       sre-agent-bench long-action [--seeds N] [--minutes M]   a second incident handled while an"
          + " M-minute action runs; the loop's tick time with actions in flight");
      out.println("       sre-agent-bench evidence [--seeds N]   LLM token economy: evidence compression, cache hits");
      out.println("       sre-agent-bench " + KubernetesInformersRun.Options.usage() + "   the cost of the Kubernetes"
          + " informers (topology, change events): heap, sync, snapshot and per-event update time");
      out.println("  scenarios  every built-in scenario over seeds 1..N (default 20), phase default autonomous");
      return args.length == 0 ? 2 : 0;
    }
    if (args[0].equals("nab")) {
      return nab(args, out, err);
    }
    if (args[0].equals("rca")) {
      return rca(args, out, err);
    }
    if (args[0].equals("retrieval")) {
      java.util.Map<String, String> opts = options(args, err);
      if (opts == null) {
        return 2;
      }
      if (!opts.containsKey("--corpus") || !opts.containsKey("--queries") || !opts.containsKey("--out")) {
        err.println("usage: retrieval --corpus <corpus.jsonl> --queries <queries.jsonl> --out <results.jsonl>"
            + " [--mode bm25|dense|hybrid]");
        return 2;
      }
      try {
        return RetrievalRun.run(java.nio.file.Path.of(opts.get("--corpus")),
            java.nio.file.Path.of(opts.get("--queries")), java.nio.file.Path.of(opts.get("--out")),
            opts.getOrDefault("--mode", "hybrid"),
            Float.parseFloat(opts.getOrDefault("--title-boost", "1")), Float.parseFloat(opts.getOrDefault("--k1",
                "1.2")), Float.parseFloat(opts.getOrDefault("--b", "0.75")), out);
      } catch (IllegalArgumentException e) {
        err.println(e.getMessage());
        return 2;
      } catch (java.io.IOException e) {
        err.println("retrieval: " + e.getMessage());
        return 1;
      }
    }
    if (args[0].equals("evidence")) {
      int seeds = args.length >= 3 && args[1].equals("--seeds") ? Integer.parseInt(args[2]) : 5;
      return EvidenceRun.run(seeds, 1200, out);
    }
    if (args[0].equals("diagnosis")) {
      java.util.Map<String, String> opts = new java.util.HashMap<>();
      for (int k = 1; k + 1 < args.length; k += 2) {
        opts.put(args[k], args[k + 1]);
      }
      try {
        var calibration = opts.containsKey("--calibration") ? dev.sreagent.core.reasoning.ConfidenceCalibration
            .read(java.nio.file.Path.of(opts.get("--calibration"))) : null;
        return DiagnosisRun.run(Integer.parseInt(opts.getOrDefault("--first-seed", "1")),
            Integer.parseInt(opts.getOrDefault("--seeds", "10")), calibration,
            opts.containsKey("--fit") ? java.nio.file.Path.of(opts.get("--fit")) : null, out);
      } catch (java.io.IOException e) {
        err.println("diagnosis: " + e.getMessage());
        return 2;
      }
    }
    if (args[0].equals("replay") || args[0].equals("otlp-throughput")) {
      java.util.Map<String, String> opts = options(args, err);
      if (opts == null) {
        return 2;
      }
      try {
        if (args[0].equals("otlp-throughput")) {
          return OtlpThroughputRun.run(Integer.parseInt(opts.getOrDefault("--rounds", "5")),
              Integer.parseInt(opts.getOrDefault("--seconds", "5")),
              Integer.parseInt(opts.getOrDefault("--clients", "4")), out);
        }
        if (!opts.containsKey("--input")) {
          err.println("usage: replay --input <otlp.jsonl|metrics.csv> [--speed N] [--target URL | --config RUN.conf]");
          return 2;
        }
        RunConfigFile config = null;
        if (opts.containsKey("--config")) {
          if (opts.containsKey("--target")) {
            err.println("replay: --config configures the in-process agent; a --target agent has its own"
                + " configuration (give the file to its ./sre-agent run --config)");
            return 2;
          }
          try {
            config = RunConfigFile.read(java.nio.file.Path.of(opts.get("--config")));
          } catch (IllegalArgumentException | java.io.IOException e) {
            err.println("replay: --config: " + e.getMessage());
            return 2;
          }
        }
        double speed = Double.parseDouble(opts.getOrDefault("--speed", "60"));
        if (speed < 0 || !Double.isFinite(speed)) {
          err.println("--speed must be >= 0 (0 = as fast as possible), but was " + speed);
          return 2;
        }
        return ReplayRun.run(java.nio.file.Path.of(opts.get("--input")), speed, opts.get("--target"), config, out,
            err);
      } catch (NumberFormatException e) {
        err.println("not a number: " + e.getMessage());
        return 2;
      } catch (java.io.IOException e) {
        err.println(args[0] + ": " + e.getMessage());
        return 1;
      } catch (Exception e) {
        err.println(args[0] + ": " + e);
        return 1;
      }
    }
    if (args[0].equals("scale")) {
      int series = 100_000;
      int rounds = 130;
      for (int k = 1; k + 1 < args.length; k += 2) {
        if (args[k].equals("--series")) {
          series = Integer.parseInt(args[k + 1]);
        } else if (args[k].equals("--rounds")) {
          rounds = Integer.parseInt(args[k + 1]);
        }
      }
      return ScaleRun.run(series, rounds, out);
    }
    if (args[0].equals("cardinality")) {
      int keys = 1_000_000;
      int rounds = 2;
      for (int k = 1; k + 1 < args.length; k += 2) {
        if (args[k].equals("--keys")) {
          keys = Integer.parseInt(args[k + 1]);
        } else if (args[k].equals("--rounds")) {
          rounds = Integer.parseInt(args[k + 1]);
        }
      }
      return CardinalityRun.run(keys, rounds, out);
    }
    if (args[0].equals("long-action")) {
      int seeds = 5;
      int minutes = 10;
      for (int k = 1; k + 1 < args.length; k += 2) {
        if (args[k].equals("--seeds")) {
          seeds = Integer.parseInt(args[k + 1]);
        } else if (args[k].equals("--minutes")) {
          minutes = Integer.parseInt(args[k + 1]);
        }
      }
      return LongActionRun.run(seeds, minutes, out);
    }
    if (args[0].equals(KubernetesInformersRun.COMMAND)) {
      return KubernetesInformersRun.run(args, out, err);
    }
    if (args[0].equals("jmh")) {
      try {
        org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
        return 0;
      } catch (Exception e) {
        err.println("jmh: " + e);
        return 1;
      }
    }
    if (!args[0].equals("scenarios")) {
      err.println("unknown command '" + args[0] + "'; available: scenarios, nab, rca, jmh, scale, cardinality, retrieval, replay, diagnosis, evidence,"
          + " otlp-throughput, long-action, " + KubernetesInformersRun.COMMAND);
      return 2;
    }
    int seeds = 20;
    long firstSeed = 1;
    List<Integer> hours = null;
    int threads = Runtime.getRuntime().availableProcessors();
    Phase phase = Phase.AUTONOMOUS;
    boolean utilisation = true;
    java.nio.file.Path fingerprint = null;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      if (a.equals("--fingerprint") && v != null) {
        fingerprint = java.nio.file.Path.of(v);
        i++;
      } else if (a.equals("--no-utilisation")) {
        utilisation = false;
      } else if (a.equals("--hours") && v != null) {
        try {
          hours = HourSweep.parseHours(v);
        } catch (IllegalArgumentException e) {
          err.println(e.getMessage());
          return 2;
        }
        i++;
      } else if ((a.equals("--first-seed") || a.equals("--threads")) && v != null) {
        long n;
        try {
          n = Long.parseLong(v);
        } catch (NumberFormatException e) {
          n = -1;
        }
        if (n < 1 || a.equals("--threads") && n > 256) {
          err.println(a + " must be a positive integer" + (a.equals("--threads") ? " up to 256" : "") + ", but was '"
              + v + "'");
          return 2;
        }
        if (a.equals("--threads")) {
          threads = (int) n;
        } else {
          firstSeed = n;
        }
        i++;
      } else if (a.equals("--seeds") && v != null) {
        try {
          seeds = Integer.parseInt(v);
        } catch (NumberFormatException e) {
          seeds = -1;
        }
        if (seeds < 1) {
          err.println("--seeds must be a positive integer, but was '" + v + "'");
          return 2;
        }
        i++;
      } else if (a.equals("--phase") && v != null) {
        try {
          phase = Phase.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          err.println("--phase must be observe, assist or autonomous, but was '" + v + "'");
          return 2;
        }
        i++;
      } else {
        err.println("unknown or incomplete option '" + a + "'");
        return 2;
      }
    }
    if (hours != null) {
      return HourSweep.run(hours, firstSeed, seeds, phase, threads, utilisation, out);
    }
    if (firstSeed != 1 || !utilisation) {
      err.println("--first-seed and --no-utilisation need --hours");
      return 2;
    }
    List<String> lines = scenarios(seeds, phase, out);
    if (fingerprint != null) {
      try {
        java.nio.file.Files.write(fingerprint, lines);
      } catch (java.io.IOException e) {
        err.println("cannot write " + fingerprint + ": " + e.getMessage());
        return 1;
      }
      out.printf(Locale.ROOT, "fingerprint of %d runs written to %s%n", seeds * Scenarios.builtIn().size(),
          fingerprint);
    }
    return 0;
  }

  /**
   * One line per incident and per applied action of a run: what a change that should not alter behaviour (a refactor)
   * must leave identical, compared with {@code diff}.
   */
  static List<String> fingerprint(ScenarioResult r) {
    List<String> out = new ArrayList<>();
    String run = r.scenario() + " seed " + r.seed() + " " + r.phase();
    for (ScenarioResult.IncidentSummary i : r.incidents()) {
      out.add(run + " incident " + i.id() + " " + i.type() + "@" + i.rootService() + " " + i.severity() + " "
          + i.state() + " opened+" + i.openedAfterSeconds() + "s | " + i.diagnosis() + " | " + i.decision() + " | "
          + i.outcome());
    }
    for (var a : r.actions()) {
      out.add(run + " action " + a.at() + " " + a.incidentId() + " " + a.action().canonical());
    }
    out.add(run + " outcome " + r.outcome() + " violations " + r.violations());
    return out;
  }

  /** {@code --key value} pairs after the command; null (the problem printed) for a lone or stray argument. */
  private static java.util.@org.jspecify.annotations.Nullable Map<String, String> options(String[] args,
      PrintStream err) {
    java.util.Map<String, String> opts = new java.util.HashMap<>();
    for (int k = 1; k < args.length; k++) {
      if (args[k].startsWith("--") && k + 1 < args.length) {
        opts.put(args[k], args[++k]);
      } else {
        err.println("unknown or incomplete option '" + args[k] + "'");
        return null;
      }
    }
    return opts;
  }

  static int nab(String[] args, PrintStream out, PrintStream err) {
    java.nio.file.Path data = null;
    java.nio.file.Path target = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--data") && i + 1 < args.length) {
        data = java.nio.file.Path.of(args[++i]);
      } else if (args[i].equals("--out") && i + 1 < args.length) {
        target = java.nio.file.Path.of(args[++i]);
      } else {
        err.println("unknown or incomplete option '" + args[i] + "'; usage: nab --data <folder> --out <folder>");
        return 2;
      }
    }
    if (data == null || target == null) {
      err.println("usage: nab --data <folder with <category>/<file>.csv> --out <folder>");
      return 2;
    }
    try {
      return NabRunner.run(data, target, out);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    } catch (java.io.IOException e) {
      err.println("nab: " + e.getMessage());
      return 1;
    }
  }

  static List<String> scenarios(int seeds, Phase phase, PrintStream out) {
    List<String> fingerprints = new ArrayList<>();
    Map<String, List<ScenarioResult>> byScenario = new TreeMap<>();
    long simulated = 0;
    long wallStart = System.nanoTime();
    for (int seed = 1; seed <= seeds; seed++) {
      ScenarioRunner runner = new ScenarioRunner(phase, seed, Duration.ofMinutes(3), null, null);
      for (Scenario s : Scenarios.builtIn()) {
        ScenarioResult r = runner.run(s);
        byScenario.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(r);
        fingerprints.addAll(fingerprint(r));
        simulated += s.duration().toSeconds();
      }
      out.printf(Locale.ROOT, "seed %d/%d done%n", seed, seeds);
    }
    long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
    out.printf(Locale.ROOT, "%nphase %s, seeds 1..%d, on-call approves after 3 min%n", phase, seeds);
    out.printf(Locale.ROOT, "%-19s %8s %8s %8s %8s %10s %11s %6s %6s %6s%n", "scenario", "passed", "detected",
        "resolved", "rolled", "p50 detect", "p50 resolve", "false", "viol.", "noisy");
    for (Map.Entry<String, List<ScenarioResult>> e : byScenario.entrySet()) {
      List<ScenarioResult> rs = e.getValue();
      long passed = rs.stream().filter(ScenarioResult::passed).count();
      long detected = rs.stream().filter(r -> r.detectedSeconds() != null).count();
      int falses = rs.stream().mapToInt(ScenarioResult::falseIncidents).sum();
      int violations = rs.stream().mapToInt(r -> r.violations().size()).sum();
      long noisy = rs.stream().filter(r -> r.outcome() == ScenarioResult.Outcome.NOISY).count();
      long resolved = rs.stream().filter(r -> r.outcome() == ScenarioResult.Outcome.RESOLVED).count();
      long rolled = rs.stream().filter(r -> r.outcome() == ScenarioResult.Outcome.ROLLED_BACK).count();
      out.printf(Locale.ROOT, "%-19s %4d/%-3d %4d/%-3d %4d/%-3d %4d/%-3d %10s %11s %6d %6d %6d%n", e.getKey(), passed,
          rs.size(), detected, rs.size(), resolved, rs.size(), rolled, rs.size(), median(rs.stream().map(ScenarioResult::detectedSeconds).toList()),
          median(rs.stream().map(ScenarioResult::resolvedSeconds).toList()), falses, violations, noisy);
    }
    out.printf(Locale.ROOT, "%d simulated s in %d ms wall: x%d%n", simulated, wallMillis,
        wallMillis == 0 ? 0 : simulated * 1000 / wallMillis);
    return fingerprints;
  }

  private static String median(List<Long> values) {
    List<Long> v = values.stream().filter(x -> x != null).sorted().toList();
    if (v.isEmpty()) {
      return "-";
    }
    long m = v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
    return m + "s";
  }
}
