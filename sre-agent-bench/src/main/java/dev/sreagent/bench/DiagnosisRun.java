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
 * {@code diagnosis}: how right the diagnoses are and whether their confidence means what it says. Every built-in
 * scenario with a fault runs for seeds 1..N; each incident's diagnosis is right when the incident has the fault's
 * type and root service and the top hypothesis names that service and the injected cause (memory leak, capacity
 * loss, bad deploy, log burst, certificate renewal, traffic surge, connection contention). Prints accuracy per scenario and a reliability
 * table: per confidence bin, how many diagnoses, their mean confidence and how many were right; and the expected
 * calibration error (the count-weighted mean gap between confidence and accuracy).
 */
final class DiagnosisRun {
  private DiagnosisRun() {}

  /** One diagnosis: its confidence and whether it was right. */
  record Graded(String scenario, double confidence, boolean right) {}

  /** The words a right top hypothesis must contain for the injected fault. */
  static String cause(dev.sreagent.testkit.Fault f) {
    String kind = f.getClass().getSimpleName();
    return switch (kind) {
      case "MemoryLeak" -> "memory leak";
      case "CapacityLoss" -> "capacity loss";
      case "BadDeploy" -> "bad deploy";
      case "LogBurst" -> "log burst";
      case "ExpiringCertificate" -> "certificate";
      case "TrafficSurge" -> "traffic surge";
      case "ConnectionContention" -> "contention";
      default -> kind.toLowerCase(Locale.ROOT);
    };
  }

  static int run(int seeds, PrintStream out) {
    return run(1, seeds, null, null, out);
  }

  /**
   * Seeds {@code first..first+seeds-1}; with {@code calibration} the agents map their confidence through it; with
   * {@code fit} the calibration fitted on this run is written there.
   */
  static int run(int first, int seeds, dev.sreagent.core.reasoning.@org.jspecify.annotations.Nullable
      ConfidenceCalibration calibration, java.nio.file.@org.jspecify.annotations.Nullable Path fit, PrintStream out) {
    List<Graded> graded = new ArrayList<>();
    for (int seed = first; seed < first + seeds; seed++) {
      ScenarioRunner runner = new ScenarioRunner(Phase.OBSERVE, seed, Duration.ofMinutes(3), null, null,
          calibration == null ? b -> b : b -> b.setAgentCustomizer(a -> a.setConfidenceCalibration(calibration)));
      for (Scenario s : Scenarios.builtIn()) {
        if (s.fault() == null) {
          continue;
        }
        ScenarioResult r = runner.run(s);
        for (ScenarioResult.IncidentSummary inc : r.incidents()) {
          if (inc.diagnosis().isEmpty()) {
            continue;
          }
          boolean typeRight = r.faultType() == null || r.faultType().equals(inc.type());
          boolean rootRight = r.faultService() == null || r.faultService().equals(inc.rootService())
              && inc.diagnosis().contains(r.faultService());
          boolean causeRight = inc.diagnosis().toLowerCase(Locale.ROOT).contains(cause(s.fault()));
          graded.add(new Graded(s.name(), inc.confidence(), typeRight && rootRight && causeRight));
        }
      }
    }
    Map<String, int[]> byScenario = new TreeMap<>();
    for (Graded g : graded) {
      int[] c = byScenario.computeIfAbsent(g.scenario(), k -> new int[2]);
      c[0] += g.right() ? 1 : 0;
      c[1]++;
    }
    out.printf(Locale.ROOT, "diagnoses over seeds %d..%d (phase OBSERVE%s)%n%-19s %s%n", first, first + seeds - 1,
        calibration == null ? "" : ", calibrated on " + calibration.diagnoses() + " graded diagnoses", "scenario",
        "right at rank 1");
    int right = 0;
    for (Map.Entry<String, int[]> e : byScenario.entrySet()) {
      out.printf(Locale.ROOT, "%-19s %d/%d%n", e.getKey(), e.getValue()[0], e.getValue()[1]);
      right += e.getValue()[0];
    }
    out.printf(Locale.ROOT, "overall             %d/%d (%.1f%%)%n%n", right, graded.size(),
        100.0 * right / Math.max(1, graded.size()));
    out.printf(Locale.ROOT, "%-11s %6s %10s %9s%n", "confidence", "count", "mean conf", "accuracy");
    double[] edges = {0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001};
    double ece = 0;
    for (int b = 0; b + 1 < edges.length; b++) {
      double lo = edges[b];
      double hi = edges[b + 1];
      List<Graded> in = graded.stream().filter(g -> g.confidence() >= lo && g.confidence() < hi).toList();
      if (in.isEmpty()) {
        continue;
      }
      double mean = in.stream().mapToDouble(Graded::confidence).average().orElse(0);
      double acc = in.stream().filter(Graded::right).count() / (double) in.size();
      ece += in.size() * Math.abs(mean - acc);
      out.printf(Locale.ROOT, "[%.1f, %.1f) %6d %10.3f %9.3f%n", lo, Math.min(hi, 1.0), in.size(), mean, acc);
    }
    out.printf(Locale.ROOT, "expected calibration error %.3f%n", ece / Math.max(1, graded.size()));
    if (fit != null) {
      try {
        dev.sreagent.core.reasoning.ConfidenceCalibration.fit("offline-evidence", graded.stream()
            .map(g -> new double[] {g.confidence(), g.right() ? 1 : 0}).toList()).write(fit);
        out.println("calibration fitted on " + graded.size() + " diagnoses written to " + fit);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return 0;
  }
}
