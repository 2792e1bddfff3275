package dev.sreagent.core.evidence;

import dev.sreagent.api.Require;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Log-template mining in the manner of Drain (He et al., ICWS 2017): lines are tokenised on whitespace, obvious
 * variables (numbers, hex ids, UUIDs, IP addresses, durations, key=value values that are numbers or ids) are masked
 * as {@code <*>}, and lines are grouped by token count and first token; within a group a line joins the most similar
 * template when at least {@code similarity} of its tokens agree position by position (the differing positions
 * become {@code <*>}), else it starts a new template. Thousands of lines collapse into a few templates with counts.
 * Bounded: at most {@code maxTemplates} (further new shapes are counted under the last-resort template
 * {@code <other>}). Not thread-safe.
 */
public final class LogTemplates {
  private static final Pattern VARIABLE = Pattern.compile(
      "(?i)^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?:\\d{1,3}\\.){3}\\d{1,3}(?::\\d+)?"
          + "|0x[0-9a-f]+|[0-9a-f]{12,}|-?\\d+(?:\\.\\d+)?(?:ms|s|m|h|%|b|kb|mb|mib|gib)?|\\d{4}-\\d{2}-\\d{2}t\\S+)$");
  private static final Pattern KEY_VALUE = Pattern.compile("^([A-Za-z_][A-Za-z0-9_.-]*[=:])(.+)$");

  /** A template: its tokens ({@code <*>} for variables), how many lines matched, and the first line. */
  public static final class Template {
    private final String[] tokens;
    private long count;
    private final String example;

    Template(String[] tokens, String example) {
      this.tokens = tokens;
      this.example = example;
    }

    public String pattern() {
      return String.join(" ", tokens);
    }

    public long count() {
      return count;
    }

    public String example() {
      return example;
    }

    @Override
    public String toString() {
      return pattern() + " (x" + count + ")";
    }
  }

  private final double similarity;
  private final int maxTemplates;
  private final Map<String, List<Template>> groups = new HashMap<>();
  private final List<Template> all = new ArrayList<>();
  private Template other;
  private long lines;

  /** Similarity 0.5 and at most 1,000 templates. */
  public LogTemplates() {
    this(0.5, 1_000);
  }

  public LogTemplates(double similarity, int maxTemplates) {
    this.similarity = Require.withinOpenClosed(similarity, 0, 1, "similarity");
    this.maxTemplates = Require.atLeast(maxTemplates, 1, "maxTemplates");
  }

  /** Adds one line; returns the template it joined. */
  public Template add(String line) {
    lines++;
    String[] tokens = mask(line.strip().split("\\s+"));
    String key = tokens.length + " " + (tokens.length == 0 ? "" : tokens[0]);
    List<Template> group = groups.computeIfAbsent(key, k -> new ArrayList<>());
    Template best = null;
    double bestScore = -1;
    for (Template t : group) {
      double score = agreement(t.tokens, tokens);
      if (score > bestScore) {
        best = t;
        bestScore = score;
      }
    }
    if (best != null && bestScore >= similarity) {
      for (int i = 0; i < tokens.length; i++) {
        if (!best.tokens[i].equals(tokens[i])) {
          best.tokens[i] = "<*>";
        }
      }
    } else if (all.size() < maxTemplates) {
      best = new Template(tokens, line.strip());
      group.add(best);
      all.add(best);
    } else {
      if (other == null) {
        other = new Template(new String[] {"<other>"}, line.strip());
      }
      best = other;
    }
    best.count++;
    return best;
  }

  private static double agreement(String[] template, String[] tokens) {
    int same = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (template[i].equals(tokens[i]) || template[i].equals("<*>")) {
        same++;
      }
    }
    return tokens.length == 0 ? 1 : (double) same / tokens.length;
  }

  private static String[] mask(String[] tokens) {
    String[] out = new String[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      String t = tokens[i];
      var kv = KEY_VALUE.matcher(t);
      if (kv.matches() && VARIABLE.matcher(kv.group(2)).matches()) {
        out[i] = kv.group(1) + "<*>";
      } else {
        out[i] = VARIABLE.matcher(t.replaceAll("[,;)(\\]\\[]+$", "")).matches() ? "<*>" : t;
      }
    }
    return out;
  }

  /** Templates, most frequent first (the overflow template last). */
  public List<Template> templates() {
    List<Template> out = new ArrayList<>(all);
    out.sort(Comparator.comparingLong(Template::count).reversed());
    if (other != null) {
      out.add(other);
    }
    return out;
  }

  /** Lines added. */
  public long lines() {
    return lines;
  }
}
