package dev.sreagent.standalone;

import dev.sreagent.api.model.Phase;
import dev.sreagent.testkit.Scenario;
import dev.sreagent.testkit.ScenarioResult;
import dev.sreagent.testkit.ScenarioRunner;
import dev.sreagent.testkit.Scenarios;
import dev.sreagent.testkit.Scorecard;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Command-line entry point of the standalone agent. */
public final class Main {
  static final String USAGE = """
      usage: sre-agent demo [options]

      Runs the built-in scenarios against a simulated ten-service shop in simulated time and prints a live
      incident timeline (detection, diagnosis with confidence, the safety decision, the action, verification)
      and a final scorecard. Exits 1 when a scenario misses its incident, raises an incident on the no-fault
      run, or violates a guardrail; 2 on bad arguments.

      options:
        --scenario NAME     run one scenario (default: all). Names: %s
        --phase PHASE       observe | assist | autonomous (default: autonomous)
        --seed N            seed of the simulated cluster (default: 42)
        --on-call MINUTES   simulated on-call approves after MINUTES; 'none' never answers (default: 3)
        --report FILE       write the scorecard as JSON to FILE
        --audit-dir DIR     keep each scenario's hash-chained audit log in DIR (default: sre-agent-data/audit)
        --quiet             print only the scorecard
        --help              this text
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the CLI; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    String names = Scenarios.builtIn().stream().map(Scenario::name).collect(Collectors.joining(", "));
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(String.format(Locale.ROOT, USAGE, names));
      return args.length == 0 ? 2 : 0;
    }
    if (!args[0].equals("demo")) {
      err.println("unknown command '" + args[0] + "'; the command is 'demo' (see --help)");
      return 2;
    }
    DemoOptions o;
    try {
      o = DemoOptions.parse(List.of(args).subList(1, args.length));
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println("see: sre-agent --help");
      return 2;
    }
    if (o.help) {
      out.print(String.format(Locale.ROOT, USAGE, names));
      return 0;
    }
    List<Scenario> scenarios = new ArrayList<>();
    if (o.scenario == null) {
      scenarios.addAll(Scenarios.builtIn());
    } else {
      Scenario s = Scenarios.named(o.scenario).orElse(null);
      if (s == null) {
        err.println("--scenario must be one of " + names + ", but was '" + o.scenario + "'");
        return 2;
      }
      scenarios.add(s);
    }
    try {
      Files.createDirectories(o.auditDir);
    } catch (IOException e) {
      err.println("cannot create --audit-dir " + o.auditDir + ": " + e.getMessage());
      return 2;
    }
    out.printf(Locale.ROOT, "sre-agent demo: %d scenario(s), phase %s, seed %d, simulated on-call: %s%n",
        scenarios.size(), o.phase, o.seed, o.onCall == null ? "none" : "approves after " + o.onCall.toMinutes()
            + " min");
    out.println("audit logs: " + o.auditDir.toAbsolutePath());
    List<ScenarioResult> results = new ArrayList<>();
    long simulated = 0;
    long wallStart = System.nanoTime();
    for (Scenario s : scenarios) {
      if (!o.quiet) {
        out.printf(Locale.ROOT, "%n== %s: %s%n", s.name(), s.description());
      }
      Path audit = o.auditDir.resolve(s.name() + ".audit.jsonl");
      deleteQuietly(audit);
      deleteQuietly(audit.resolveSibling(audit.getFileName() + ".head"));
      ScenarioRunner runner = new ScenarioRunner(o.phase, o.seed, o.onCall, o.auditDir,
          o.quiet ? null : out::println);
      ScenarioResult r = runner.run(s);
      results.add(r);
      simulated += s.duration().toSeconds();
      if (!o.quiet) {
        out.printf(Locale.ROOT, "   -> %s%s%n", r.outcome(), r.passed() ? "" : "  FAIL " + r.violations());
      }
    }
    long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
    Scorecard card = new Scorecard(results, simulated, wallMillis);
    out.println();
    out.print(card.toTable());
    if (o.report != null) {
      try {
        Path parent = o.report.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(o.report, card.toJson(), StandardCharsets.UTF_8);
        out.println("report: " + o.report.toAbsolutePath());
      } catch (IOException e) {
        err.println("cannot write --report " + o.report + ": " + e.getMessage());
        return 2;
      }
    }
    return card.passed() ? 0 : 1;
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a stale log will be refused with a clear message by the audit log itself
    }
  }

  /** Parsed options of {@code demo}. */
  static final class DemoOptions {
    @Nullable String scenario;
    Phase phase = Phase.AUTONOMOUS;
    long seed = 42;
    @Nullable Duration onCall = Duration.ofMinutes(3);
    @Nullable Path report;
    Path auditDir = Path.of("sre-agent-data", "audit");
    boolean quiet;
    boolean help;

    static DemoOptions parse(List<String> args) {
      DemoOptions o = new DemoOptions();
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--scenario" -> o.scenario = value(args, ++i, a);
          case "--phase" -> {
            String v = value(args, ++i, a);
            try {
              o.phase = Phase.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("--phase must be observe, assist or autonomous, but was '" + v
                  + "'");
            }
          }
          case "--seed" -> {
            String v = value(args, ++i, a);
            try {
              o.seed = Long.parseLong(v);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--seed must be an integer, but was '" + v + "'");
            }
          }
          case "--on-call" -> {
            String v = value(args, ++i, a);
            if (v.equals("none")) {
              o.onCall = null;
            } else {
              try {
                int m = Integer.parseInt(v);
                if (m < 0) {
                  throw new NumberFormatException();
                }
                o.onCall = Duration.ofMinutes(m);
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--on-call must be minutes >= 0 or 'none', but was '" + v + "'");
              }
            }
          }
          case "--report" -> o.report = Path.of(value(args, ++i, a));
          case "--audit-dir" -> o.auditDir = Path.of(value(args, ++i, a));
          case "--quiet" -> o.quiet = true;
          case "--help", "-h" -> o.help = true;
          default -> throw new IllegalArgumentException("unknown option '" + a + "'");
        }
      }
      return o;
    }

    private static String value(List<String> args, int i, String option) {
      if (i >= args.size() || args.get(i).startsWith("--")) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args.get(i);
    }
  }
}
