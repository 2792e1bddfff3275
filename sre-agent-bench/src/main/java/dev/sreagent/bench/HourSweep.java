package dev.sreagent.bench;

import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.ScenarioResult;
import dev.sreagent.testkit.ScenarioRunner;
import dev.sreagent.testkit.Scenarios;
import dev.sreagent.testkit.VirtualClock;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The built-in scenarios started at several hours of the default day ({@link VirtualClock#DEFAULT_START}'s date),
 * over a range of seeds: does the agent read a fault the same way at 03:00 as at the daily peak?
 *
 * <p>Each run is classified by what the agent did after the injection: <b>right</b> (an incident of the fault's type
 * on the fault's root), <b>wrong type</b> (the first incident opened after the injection has another type),
 * <b>wrong root</b> (it has the right type on another service) or <b>missed</b> (no incident after the injection).
 * {@code incid.} counts every incident opened (a surge may rightly open more than one: its expected root is any
 * service, so only incidents of another type count as false). Runs are independent and deterministic per seed
 * and hour, so they run on several threads; the output does not depend on their order.
 */
final class HourSweep {
  private HourSweep() {}

  /** One run's key: scenario, start hour, seed. */
  private record Key(String scenario, int hour, long seed) {}

  /** How the agent read one fault run. */
  enum Reading {
    RIGHT("right"), WRONG_TYPE("wrong type"), WRONG_ROOT("wrong root"), MISSED("missed");

    final String label;

    Reading(String label) {
      this.label = label;
    }
  }

  /**
   * Runs every built-in scenario at each of {@code hours} for seeds {@code firstSeed..firstSeed+seeds-1} on
   * {@code threads} threads and prints the tables; {@code utilisation} false runs a cluster whose pods report no
   * CPU utilisation.
   *
   * @return 0 when every fault was read right with no false incident and no violation, 1 otherwise
   */
  static int run(List<Integer> hours, long firstSeed, int seeds, Phase phase, int threads, boolean utilisation,
      PrintStream out) {
    Instant day = VirtualClock.DEFAULT_START.truncatedTo(ChronoUnit.DAYS);
    List<Scenario> scenarios = Scenarios.builtIn();
    Map<Key, Future<ScenarioResult>> futures = new LinkedHashMap<>();
    long wallStart = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Map<Key, ScenarioResult> results = new LinkedHashMap<>();
    try {
      for (int hour : hours) {
        Instant start = day.plus(Duration.ofHours(hour));
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
          ScenarioRunner runner = new ScenarioRunner(phase, seed, Duration.ofMinutes(3), null, null,
              b -> b.setStart(start).setEmitUtilisation(utilisation));
          for (Scenario s : scenarios) {
            futures.put(new Key(s.name(), hour, seed), pool.submit(() -> runner.run(s)));
          }
        }
      }
      for (Map.Entry<Key, Future<ScenarioResult>> e : futures.entrySet()) {
        results.put(e.getKey(), e.getValue().get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a scenario run failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
    out.printf(Locale.ROOT, "pods %s CPU utilisation%n", utilisation ? "report" : "do not report");
    return print(scenarios, hours, firstSeed, seeds, phase, threads, results, wallMillis, out);
  }

  /** How the agent read {@code r}, a run of {@code s}. */
  static Reading reading(Scenario s, ScenarioResult r) {
    if (r.detectedSeconds() != null) {
      return Reading.RIGHT;
    }
    long injected = s.injectAfter().toSeconds();
    for (ScenarioResult.IncidentSummary i : r.incidents()) {
      if (i.openedAfterSeconds() >= injected) {
        return i.type().equals(r.faultType()) ? Reading.WRONG_ROOT : Reading.WRONG_TYPE;
      }
    }
    return Reading.MISSED;
  }

  private static int print(List<Scenario> scenarios, List<Integer> hours, long firstSeed, int seeds, Phase phase,
      int threads, Map<Key, ScenarioResult> results, long wallMillis, PrintStream out) {
    out.printf(Locale.ROOT, "phase %s, seeds %d..%d, start hours %s (fault %d min later), on-call approves after"
        + " 3 min, %d threads%n", phase, firstSeed, firstSeed + seeds - 1, hoursText(hours),
        Scenarios.WARM_UP.toMinutes(), threads);
    out.printf(Locale.ROOT, "%-19s %5s %6s %6s %6s %6s %9s %7s %7s %6s %6s%n", "scenario", "runs", "right",
        "w.type", "w.root", "missed", "resolved", "rolled", "incid.", "false", "viol.");
    boolean clean = true;
    long simulated = 0;
    List<String> failures = new ArrayList<>();
    Map<String, int[]> rightByHour = new LinkedHashMap<>();
    int[] noFaultByHour = new int[24];
    for (Scenario s : scenarios) {
      int runs = 0;
      int[] readings = new int[Reading.values().length];
      int resolved = 0;
      int rolled = 0;
      int falses = 0;
      int incidents = 0;
      int violations = 0;
      int[] byHour = new int[24];
      for (int hour : hours) {
        Map<String, Integer> wrong = new TreeMap<>();
        int right = 0;
        int hourFalses = 0;
        int hourViolations = 0;
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
          ScenarioResult r = results.get(new Key(s.name(), hour, seed));
          runs++;
          simulated += s.duration().toSeconds();
          falses += r.falseIncidents();
          incidents += r.incidents().size();
          hourFalses += r.falseIncidents();
          violations += r.violations().size();
          hourViolations += r.violations().size();
          resolved += r.outcome() == ScenarioResult.Outcome.RESOLVED ? 1 : 0;
          rolled += r.outcome() == ScenarioResult.Outcome.ROLLED_BACK ? 1 : 0;
          if (s.fault() == null) {
            continue;
          }
          Reading reading = reading(s, r);
          readings[reading.ordinal()]++;
          if (reading == Reading.RIGHT) {
            right++;
          } else {
            String found = r.incidents().stream()
                .filter(i -> i.openedAfterSeconds() >= s.injectAfter().toSeconds()).findFirst()
                .map(i -> i.type() + "@" + i.rootService()).orElse("nothing");
            wrong.merge(reading.label + " " + found, 1, Integer::sum);
          }
        }
        if (s.fault() == null) {
          noFaultByHour[hour] += hourFalses;
        } else {
          byHour[hour] = right;
        }
        if (!wrong.isEmpty() || hourFalses > 0 || hourViolations > 0) {
          LocalTime faultAt = LocalTime.of(hour, 0).plus(s.injectAfter());
          failures.add(String.format(Locale.ROOT, "  %-19s start %02d:00 (fault %s): %s%s%s", s.name(), hour,
              s.fault() == null ? "none" : faultAt, wrong.isEmpty() ? "" : wrong + " ",
              hourFalses == 0 ? "" : hourFalses + " false incident(s) ",
              hourViolations == 0 ? "" : hourViolations + " violation(s)"));
        }
      }
      if (s.fault() != null) {
        rightByHour.put(s.name(), byHour);
      }
      clean &= falses == 0 && violations == 0 && (s.fault() == null || readings[0] == runs);
      out.printf(Locale.ROOT, "%-19s %5d %6s %6s %6s %6s %9s %7s %7d %6d %6d%n", s.name(), runs,
          s.fault() == null ? "-" : readings[Reading.RIGHT.ordinal()],
          s.fault() == null ? "-" : readings[Reading.WRONG_TYPE.ordinal()],
          s.fault() == null ? "-" : readings[Reading.WRONG_ROOT.ordinal()],
          s.fault() == null ? "-" : readings[Reading.MISSED.ordinal()],
          s.fault() == null ? "-" : String.format(Locale.ROOT, "%.3f", resolved / (double) runs),
          s.fault() == null ? "-" : Integer.toString(rolled), incidents, falses, violations);
    }
    out.printf(Locale.ROOT, "%nright type and root, by start hour (of %d seeds)%n", seeds);
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-19s", "start hour"));
    hours.forEach(h -> header.append(String.format(Locale.ROOT, " %2d", h)));
    out.println(header);
    for (Map.Entry<String, int[]> e : rightByHour.entrySet()) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-19s", e.getKey()));
      hours.forEach(h -> row.append(String.format(Locale.ROOT, " %2d", e.getValue()[h])));
      out.println(row);
    }
    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-19s", "no-fault: false"));
    hours.forEach(h -> row.append(String.format(Locale.ROOT, " %2d", noFaultByHour[h])));
    out.println(row);
    out.printf(Locale.ROOT, "%nstart hours with a wrong reading, a false incident or a violation: %d%n",
        failures.size());
    failures.forEach(out::println);
    out.printf(Locale.ROOT, "%d runs, %d simulated s in %d ms wall: x%d%n", results.size(), simulated, wallMillis,
        wallMillis == 0 ? 0 : simulated * 1000 / wallMillis);
    return clean ? 0 : 1;
  }

  private static String hoursText(List<Integer> hours) {
    if (hours.size() > 1 && hours.get(hours.size() - 1) - hours.get(0) == hours.size() - 1) {
      return String.format(Locale.ROOT, "%02d:00-%02d:00", hours.get(0), hours.get(hours.size() - 1));
    }
    return hours.stream().map(h -> String.format(Locale.ROOT, "%02d:00", h)).toList().toString();
  }

  /**
   * Parses {@code 0-23}, {@code 14} or {@code 0,6,14} into sorted distinct hours of the day.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  static List<Integer> parseHours(String text) {
    java.util.SortedSet<Integer> out = new java.util.TreeSet<>();
    try {
      for (String part : text.split(",")) {
        String p = part.trim();
        int dash = p.indexOf('-');
        int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
        int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
        if (from < 0 || to > 23 || from > to) {
          throw new NumberFormatException();
        }
        for (int h = from; h <= to; h++) {
          out.add(h);
        }
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--hours must be hours of the day 0..23 such as 0-23, 14 or 0,6,14, but"
          + " was '" + text + "'", e);
    }
    return List.copyOf(out);
  }
}
