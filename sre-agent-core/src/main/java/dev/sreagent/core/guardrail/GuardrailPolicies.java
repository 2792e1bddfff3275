package dev.sreagent.core.guardrail;

import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.core.internal.LocatedYaml;
import dev.sreagent.core.internal.LocatedYaml.Mapping;
import dev.sreagent.core.internal.LocatedYaml.Node;
import dev.sreagent.core.internal.LocatedYaml.Scalar;
import dev.sreagent.core.internal.LocatedYaml.Sequence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads guardrail limits from YAML. Every field is optional; what is absent keeps its default; a value that would
 * loosen a hard ceiling is refused. All problems are reported together, each as {@code file:line: field ...}.
 *
 * <pre>
 * fleetRestart:
 *   maxFraction: 0.05          # at most 0.10
 *   window: 15m                # at least 10m
 * restartWave: 10m
 * cooldown: 20m                # at least 5m
 * rateLimit:
 *   perHour: 10                # at most 60
 *   perNamespacePerHour: 5
 * maxReplicas: 30              # at most 500
 * truncationAllowList: [/var/log/]
 * minConfidenceForAutonomy: 0.6
 * revertOwnRollbacks: true    # default false: see GuardrailLimits.withRevertOfOwnRollbacks
 * scopeExceptions:             # actions allowed outside an incident's blast radius, quoted by name
 *   - name: shared-db-proxy
 *     action: scale-out        # an action kind, or "*" for every kind
 *     service: db-proxy
 * freezes:
 *   - name: black-friday
 *     from: 2026-11-27T00:00:00Z
 *     to: 2026-11-30T00:00:00Z
 *   - name: weekend
 *     cron: "0 18 * * FRI"     # minute hour day-of-month month day-of-week
 *     duration: 62h
 *     zone: Europe/Berlin      # default UTC
 * </pre>
 *
 * Durations: {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT15M}).
 */
public final class GuardrailPolicies {
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(s|m|h|d)");
  private static final Set<String> TOP = Set.of("fleetRestart", "restartWave", "cooldown", "rateLimit",
      "maxReplicas", "truncationAllowList", "minConfidenceForAutonomy", "freezes", "scopeExceptions",
      "revertOwnRollbacks");

  private GuardrailPolicies() {}

  /**
   * Reads {@code file}.
   *
   * @throws ConfigurationException listing every problem with file, line and field
   */
  public static GuardrailLimits load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigurationException("cannot read guardrail policy " + file + ": " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Parses YAML {@code text}; {@code source} names it in errors. */
  public static GuardrailLimits parse(String text, String source) {
    Loader l = new Loader(source);
    Node root;
    try {
      root = LocatedYaml.parse(text);
    } catch (LocatedYaml.SyntaxError e) {
      throw new ConfigurationException(source + ":" + e.line() + ": not valid YAML: " + e.getMessage());
    }
    if (!(root instanceof Mapping m)) {
      throw new ConfigurationException(source + ":" + root.line() + ": the policy must be a mapping of fields "
          + TOP);
    }
    l.top(m);
    if (!l.problems.isEmpty()) {
      List<String> sorted = new ArrayList<>(l.problems);
      sorted.sort(java.util.Comparator.comparingInt(GuardrailPolicies::lineOf));
      throw new ConfigurationException(sorted);
    }
    return l.builder.build();
  }

  private static final class Loader {
    final String source;
    final List<String> problems = new ArrayList<>();
    final GuardrailLimits.Builder builder = GuardrailLimits.builder();

    Loader(String source) {
      this.source = source;
    }

    void problem(int line, String field, String message) {
      problems.add(source + ":" + line + ": " + field + " " + message);
    }

    void top(Mapping m) {
      unknown(m, TOP, "");
      Node fleet = m.fields().get("fleetRestart");
      if (fleet != null) {
        Mapping f = mapping(fleet, "fleetRestart");
        if (f != null) {
          unknown(f, Set.of("maxFraction", "window"), "fleetRestart.");
          number(f, "maxFraction", "fleetRestart.maxFraction", builder::setMaxFleetRestartFraction);
          duration(f, "window", "fleetRestart.window", builder::setRestartWindow);
        }
      }
      duration(m, "restartWave", "restartWave", builder::setRestartWave);
      duration(m, "cooldown", "cooldown", builder::setCooldown);
      Node rate = m.fields().get("rateLimit");
      if (rate != null) {
        Mapping r = mapping(rate, "rateLimit");
        if (r != null) {
          unknown(r, Set.of("perHour", "perNamespacePerHour"), "rateLimit.");
          integer(r, "perHour", "rateLimit.perHour", builder::setMaxActionsPerHour);
          integer(r, "perNamespacePerHour", "rateLimit.perNamespacePerHour",
              builder::setMaxActionsPerNamespacePerHour);
        }
      }
      integer(m, "maxReplicas", "maxReplicas", builder::setMaxReplicas);
      number(m, "minConfidenceForAutonomy", "minConfidenceForAutonomy", builder::setMinConfidenceForAutonomy);
      this.<Boolean>scalarField(m, "revertOwnRollbacks", "revertOwnRollbacks", v -> switch (v.trim()) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new IllegalArgumentException("must be true or false, but was '" + v + "'");
      }, builder::setRevertOwnRollbacks);
      Node allow = m.fields().get("truncationAllowList");
      if (allow != null) {
        if (allow instanceof Sequence s) {
          List<String> paths = new ArrayList<>();
          for (Node item : s.items()) {
            if (item instanceof Scalar sc && sc.value() != null) {
              paths.add(sc.value());
            } else {
              problem(item.line(), "truncationAllowList", "entries must be paths");
            }
          }
          apply(allow.line(), "truncationAllowList", () -> builder.setTruncationAllowList(paths));
        } else {
          problem(allow.line(), "truncationAllowList", "must be a list of paths");
        }
      }
      Node scope = m.fields().get("scopeExceptions");
      if (scope != null) {
        if (scope instanceof Sequence s) {
          for (int i = 0; i < s.items().size(); i++) {
            scopeException(s.items().get(i), "scopeExceptions[" + i + "]");
          }
        } else {
          problem(scope.line(), "scopeExceptions", "must be a list");
        }
      }
      Node freezes = m.fields().get("freezes");
      if (freezes != null) {
        if (freezes instanceof Sequence s) {
          for (int i = 0; i < s.items().size(); i++) {
            freeze(s.items().get(i), "freezes[" + i + "]");
          }
        } else {
          problem(freezes.line(), "freezes", "must be a list");
        }
      }
    }

    void scopeException(Node node, String field) {
      Mapping f = mapping(node, field);
      if (f == null) {
        return;
      }
      unknown(f, Set.of("name", "action", "service"), field + ".");
      String name = scalar(f, "name");
      String action = scalar(f, "action");
      String service = scalar(f, "service");
      if (name == null || action == null || service == null) {
        problem(f.line(), field, "needs name, action (a kind or \"*\") and service");
        return;
      }
      try {
        builder.addScopeException(new ScopeException(name, action.trim(), service.trim()));
      } catch (IllegalArgumentException e) {
        problem(f.line(), field, String.valueOf(e.getMessage()).replace("actionKind must", "action must"));
      }
    }

    void freeze(Node node, String field) {
      Mapping f = mapping(node, field);
      if (f == null) {
        return;
      }
      unknown(f, Set.of("name", "from", "to", "cron", "duration", "zone"), field + ".");
      String name = scalar(f, "name");
      if (name == null) {
        problem(f.line(), field + ".name", "is required");
        return;
      }
      String cron = scalar(f, "cron");
      if (cron != null) {
        String dur = scalar(f, "duration");
        String zone = scalar(f, "zone");
        if (dur == null) {
          problem(f.line(), field + ".duration", "is required with cron");
          return;
        }
        int line = f.fields().get("cron").line();
        try {
          Duration d = parseDuration(dur);
          ZoneId z = zone == null ? ZoneOffset.UTC : ZoneId.of(zone);
          builder.addFreezeWindow(new CronFreezeWindow(name, CronExpression.parse(cron), d, z));
        } catch (IllegalArgumentException | DateTimeException e) {
          problem(line, field, e.getMessage());
        }
        return;
      }
      String from = scalar(f, "from");
      String to = scalar(f, "to");
      if (from == null || to == null) {
        problem(f.line(), field, "needs either cron + duration, or from + to");
        return;
      }
      try {
        builder.addFreezeWindow(new FreezeWindow(name, Instant.parse(from), Instant.parse(to)));
      } catch (IllegalArgumentException | DateTimeException e) {
        problem(f.fields().get("from").line(), field, "from/to must be ISO-8601 instants (2026-11-27T00:00:00Z)"
            + " with to after from: " + e.getMessage());
      }
    }

    Mapping mapping(Node n, String field) {
      if (n instanceof Mapping m) {
        return m;
      }
      problem(n.line(), field, "must be a mapping");
      return null;
    }

    void unknown(Mapping m, Set<String> known, String prefix) {
      for (Map.Entry<String, Integer> k : m.keyLines().entrySet()) {
        if (!known.contains(k.getKey())) {
          problem(k.getValue(), prefix + k.getKey(), "is not a known field; known fields: "
              + new java.util.TreeSet<>(known));
        }
      }
    }

    String scalar(Mapping m, String key) {
      Node n = m.fields().get(key);
      return n instanceof Scalar s ? s.value() : null;
    }

    void number(Mapping m, String key, String field, java.util.function.DoubleConsumer set) {
      this.<Double>scalarField(m, key, field, v -> {
        try {
          return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("must be a number, but was '" + v + "'");
        }
      }, set::accept);
    }

    void integer(Mapping m, String key, String field, java.util.function.IntConsumer set) {
      this.<Integer>scalarField(m, key, field, v -> {
        try {
          return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("must be an integer, but was '" + v + "'");
        }
      }, set::accept);
    }

    void duration(Mapping m, String key, String field, Consumer<Duration> set) {
      scalarField(m, key, field, GuardrailPolicies::parseDuration, set);
    }

    /** Parses the scalar at {@code key} (parse errors say "must be ...") and applies it to the builder. */
    <T> void scalarField(Mapping m, String key, String field, java.util.function.Function<String, T> parse,
        Consumer<T> set) {
      Node n = m.fields().get(key);
      if (n == null) {
        return;
      }
      String v = n instanceof Scalar s ? s.value() : null;
      T value;
      try {
        value = parse.apply(v == null ? "" : v);
      } catch (IllegalArgumentException e) {
        problem(n.line(), field, e.getMessage());
        return;
      }
      apply(n.line(), field, () -> set.accept(value));
    }

    void apply(int line, String field, Runnable r) {
      try {
        r.run();
      } catch (IllegalArgumentException e) {
        // the builder's message names its own field ("maxFleetRestartFraction must be ..."); keep the YAML name
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        int cut = msg.indexOf(" must ");
        problem(line, field, cut >= 0 ? msg.substring(cut + 1) : msg);
      }
    }
  }

  private static int lineOf(String problem) {
    String[] parts = problem.split(":", 3);
    try {
      return parts.length < 3 ? 0 : Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d}, or ISO-8601. */
  static Duration parseDuration(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT_DURATION.matcher(s);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(v.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("must be a duration like 30s, 15m, 2h, 1d or PT15M, but was '" + v + "'");
    }
  }
}
