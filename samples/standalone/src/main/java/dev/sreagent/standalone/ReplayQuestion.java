package dev.sreagent.standalone;

import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.RootCandidate;
import dev.sreagent.core.ModelJson;
import dev.sreagent.core.SreAgent;
import dev.sreagent.otel.OtlpRecording;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * {@code run --replay FILE --rank-at TIME [--rank-services A,B] [--rank-symptom latency|errors]}: once the replay is
 * {@link #ASKED_AFTER} past TIME (or at its end), the operator's question "what changed around TIME" put to the agent
 * ({@link SreAgent#rankCandidates}), answered with the ranked services on standard output (one JSON line with
 * {@code --json}) — what the agent holds, whether or not an incident opened then.
 *
 * @param at when the problem was seen
 * @param services where it was seen (an alert's service, an SLO's target), or none
 * @param symptom the symptom, or null for every signal
 */
record ReplayQuestion(Instant at, Set<String> services, @Nullable IncidentType symptom) {
  /** How many ranked services the text answer shows (the JSON line carries them all, at most 10). */
  static final int SHOWN = 5;

  /**
   * How long past the question's time the replay goes on before the question is asked: long enough for three samples
   * of 5-minute data after it, short enough that the agent still holds 30 samples before it of 15-second data (it
   * keeps about the last 120 of each series); asked at the end, a long recording's early hours are gone.
   */
  static final java.time.Duration ASKED_AFTER = java.time.Duration.ofMinutes(15);

  /** The recorded time (Unix nanoseconds) past which the question is asked ({@link #ASKED_AFTER} after it). */
  long askAfter() {
    long t = Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
    return t > Long.MAX_VALUE - ASKED_AFTER.toNanos() ? Long.MAX_VALUE : t + ASKED_AFTER.toNanos();
  }

  ReplayQuestion {
    services = Set.copyOf(services);
  }

  /**
   * Reads the three options' values ({@code services} and {@code symptom} may be null).
   *
   * @throws IllegalArgumentException naming the option, the value and the fix
   */
  static ReplayQuestion parse(String at, @Nullable String services, @Nullable String symptom) {
    Instant when;
    try {
      when = Instant.ofEpochSecond(0, OtlpRecording.timestamp(at.strip(), "--rank-at"));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("--rank-at needs a time such as 2022-08-22T05:21:00Z or Unix seconds"
          + " 1661145660, but was '" + at + "'");
    }
    Set<String> named = new TreeSet<>();
    if (services != null) {
      for (String s : services.split(",", -1)) {
        if (s.isBlank()) {
          throw new IllegalArgumentException("--rank-services needs service names separated by commas such as"
              + " frontend,checkout, but was '" + services + "'");
        }
        named.add(s.strip());
      }
    }
    IncidentType type = null;
    if (symptom != null) {
      type = switch (symptom.strip().toLowerCase(Locale.ROOT)) {
        case "latency", "slow", "high-latency" -> IncidentType.HIGH_LATENCY;
        case "errors", "failing", "error-rate-spike" -> IncidentType.ERROR_RATE_SPIKE;
        case "any" -> null;
        default -> throw new IllegalArgumentException("--rank-symptom needs latency, errors or any, but was '"
            + symptom + "'");
      };
    }
    return new ReplayQuestion(when, named, type);
  }

  /**
   * Keeps one question option's value in {@code question}.
   *
   * @throws IllegalArgumentException when the option was given before (one question per run) or its value is an
   *     option (its value forgotten)
   */
  static void option(Map<String, String> question, String option, String value) {
    if (value.startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value, but was followed by the option '" + value
          + "': " + OPTIONS);
    }
    String before = question.putIfAbsent(option, value);
    if (before != null) {
      question.put(option, before);
      throw new IllegalArgumentException(option + " is given twice ('" + before + "' and '" + value + "'): one"
          + " question a run; give it once");
    }
  }

  /** Asks {@code agent} and prints the answer. */
  void answer(SreAgent agent, boolean json, PrintStream out) {
    long failuresBefore = agent.stats().componentFailures();
    List<RootCandidate> ranked = agent.rankCandidates(at, services, symptom);
    // the agent contains a failing ranking (or topology provider) and answers nothing: say so, not "nothing to rank"
    boolean failed = ranked.isEmpty() && agent.stats().componentFailures() > failuresBefore;
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", "ranking");
      m.put("at", at.toString());
      m.put("services", List.copyOf(new TreeSet<>(services)));
      m.put("symptom", symptom == null ? "any" : symptom.name());
      m.put("candidates", RealMode.candidateMaps(ranked));
      if (failed) {
        m.put("error", RANKING_FAILED);
      }
      out.println(ModelJson.write(m));
      return;
    }
    String asked = String.format(Locale.ROOT, "sre-agent run: what changed around %s%s%s: ", at,
        services.isEmpty() ? "" : " (seen at " + String.join(", ", new TreeSet<>(services)) + ")",
        symptom == null ? "" : " [" + symptom.name() + "]");
    if (failed) {
      out.println(asked + RANKING_FAILED);
      return;
    }
    if (ranked.isEmpty()) {
      out.println(asked + "nothing to rank (no series with samples before and after that time)");
      return;
    }
    StringBuilder b = new StringBuilder(asked);
    for (int i = 0; i < Math.min(SHOWN, ranked.size()); i++) {
      RootCandidate c = ranked.get(i);
      b.append(String.format(Locale.ROOT, "%n  %d. %s (z %.1f, %s): %s", i + 1, c.service(), c.score(),
          c.faultClass().label(), c.evidence()));
    }
    out.println(b);
  }

  private static final String RANKING_FAILED = "nothing ranked: a component failed while ranking (contained and"
      + " counted in the agent's componentFailures; the log names it)";

  /** The options this class reads, for the usage line. */
  static final List<String> OPTIONS = Arrays.asList("--rank-at TIME", "--rank-services S[,S...]",
      "--rank-symptom latency|errors|any");
}
