package dev.sreagent.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of several scenario runs with totals, as a table for humans and as JSON for CI.
 *
 * @param results one per scenario, in run order
 * @param simulatedSeconds simulated time covered by all runs
 * @param wallMillis wall-clock time the runs took
 */
public record Scorecard(List<ScenarioResult> results, long simulatedSeconds, long wallMillis) {
  private static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
      .addModule(new com.fasterxml.jackson.databind.module.SimpleModule().addSerializer(
          dev.sreagent.api.model.IncidentType.class,
          com.fasterxml.jackson.databind.ser.std.ToStringSerializer.instance))
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  public Scorecard {
    results = List.copyOf(results);
  }

  /** Whether every run passed. */
  public boolean passed() {
    return results.stream().allMatch(ScenarioResult::passed);
  }

  /** Totals across runs. */
  public Map<String, Object> totals() {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("scenarios", results.size());
    t.put("passed", results.stream().filter(ScenarioResult::passed).count());
    t.put("detected", results.stream().filter(r -> r.detectedSeconds() != null).count());
    t.put("missed", results.stream().filter(r -> r.outcome() == ScenarioResult.Outcome.MISSED).count());
    t.put("resolved", results.stream().filter(r -> r.resolvedSeconds() != null).count());
    t.put("falseIncidents", results.stream().mapToInt(ScenarioResult::falseIncidents).sum());
    t.put("actionsExecuted", results.stream().mapToLong(ScenarioResult::actionsExecuted).sum());
    t.put("actionsShadowed", results.stream().mapToLong(ScenarioResult::actionsShadowed).sum());
    t.put("plansDenied", results.stream().mapToLong(ScenarioResult::plansDenied).sum());
    t.put("awaitingApproval", results.stream().mapToInt(ScenarioResult::awaitingApproval).sum());
    t.put("violations", results.stream().mapToInt(r -> r.violations().size()).sum());
    t.put("simulatedSeconds", simulatedSeconds);
    t.put("wallMillis", wallMillis);
    t.put("speedup", wallMillis == 0 ? 0 : Math.round(simulatedSeconds * 1000.0 / wallMillis));
    return t;
  }

  /** A fixed-width table, one row per scenario, then totals. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-19s %-10s %-28s %-28s %7s %8s %4s %4s %4s %4s %5s %s%n", "scenario",
        "phase", "expected", "found (root)", "detect", "resolve", "exec", "shdw", "deny", "wait", "false",
        "outcome"));
    for (ScenarioResult r : results) {
      String expected = r.faultType() == null ? "-" : r.faultType() + (r.faultService() == null ? ""
          : "@" + r.faultService());
      String found = r.incidents().isEmpty() ? "-" : r.incidents().get(0).type() + "@"
          + r.incidents().get(0).rootService();
      sb.append(String.format(Locale.ROOT, "%-19s %-10s %-28s %-28s %7s %8s %4d %4d %4d %4d %5d %s%s%n",
          r.scenario(), r.phase(), trim(expected, 28), trim(found, 28), secs(r.detectedSeconds()),
          secs(r.resolvedSeconds()), r.actionsExecuted(), r.actionsShadowed(), r.plansDenied(),
          r.awaitingApproval(), r.falseIncidents(), r.outcome(), r.passed() ? "" : "  FAIL " + r.violations()));
    }
    Map<String, Object> t = totals();
    sb.append(String.format(Locale.ROOT, "%d/%d passed, %d detected, %d missed, %d resolved, %d false incidents,"
        + " %d actions executed, %d shadowed, %d guardrail violations; %d s simulated in %d ms (x%d)%n",
        t.get("passed"), t.get("scenarios"), t.get("detected"), t.get("missed"), t.get("resolved"),
        t.get("falseIncidents"), t.get("actionsExecuted"), t.get("actionsShadowed"), t.get("violations"),
        simulatedSeconds, wallMillis, t.get("speedup")));
    return sb.toString();
  }

  private static String trim(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }

  private static String secs(Long s) {
    return s == null ? "-" : s + "s";
  }

  /**
   * {@code value} as JSON the way the scorecard writes results: ISO-8601 times, incident types and outcomes as their
   * names. For dashboards and reports that show {@link ScenarioResult}s.
   */
  public static String toJson(Object value) {
    try {
      return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The scorecard as JSON: {@code {"scenarios": [...], "totals": {...}}}. */
  public String toJson() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("scenarios", results);
    doc.put("totals", totals());
    try {
      return MAPPER.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
