package dev.sreagent.core.evidence;

import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.Evidence;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.MetricWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An incident's evidence, compressed for a reader with a token budget (a language model, a chat message):
 * metric windows as one-line summaries, log lines mined into templates with counts ({@link LogTemplates}), changes
 * as one line each; then chosen extractively, most telling first — the root service's windows of the signals that
 * fired (a call edge's window into the root whose calls paged counts as the root's: the slow calls of a network
 * delay are measured by the caller, and they are what the incident is about; other edges into the root come with its
 * other windows), changes of the affected services, error then warning log templates, the other affected services' windows,
 * the neighbours — until the budget is spent. Tokens are estimated as characters / 4.
 *
 * @param items the chosen evidence lines, in priority order
 * @param rawTokens tokens of the evidence as it came (every window, every log line, every change)
 * @param tokens tokens of the chosen lines
 * @param dropped lines left out for the budget
 *
 * <p>Extension point: {@code sre-agent-llm} builds its prompts on it, and so may any reasoner or notifier of yours;
 * its shape is kept stable (checked by the architecture tests).
 */
public record EvidenceDigest(List<String> items, int rawTokens, int tokens, int dropped) {
  /** Estimated tokens of {@code text}. */
  public static int tokens(String text) {
    return (text.length() + 3) / 4;
  }

  /** The digest of {@code incident}'s evidence within {@code tokenBudget}. */
  public static EvidenceDigest of(Incident incident, int tokenBudget) {
    Evidence e = incident.evidence() == null ? Evidence.empty() : incident.evidence();
    Set<String> fired = incident.anomalies().stream().map(Anomaly::signal).collect(Collectors.toSet());
    Set<String> pagedEdges = incident.anomalies().stream().map(Anomaly::resource).collect(Collectors.toSet());
    List<String[]> candidates = new ArrayList<>(); // {priority, text}
    int raw = 0;
    for (MetricWindow w : e.metrics()) {
      String text = String.format(Locale.ROOT, "metric %s of %s over %s..%s: min %.4g, mean %.4g, max %.4g,"
          + " last %.4g (%d samples)", w.series(), w.service(), w.from(), w.to(), w.min(), w.mean(), w.max(),
          w.last(), w.count());
      raw += tokens(text) + w.count() * 4; // a raw window is its samples: about four tokens each
      boolean edgeIntoRoot = w.callsInto(incident.rootService());
      boolean root = w.service().equals(incident.rootService()) || edgeIntoRoot;
      boolean firedSignal = fired.stream().anyMatch(w.series()::startsWith)
          && (!edgeIntoRoot || pagedEdges.contains(w.service() + "->" + incident.rootService()));
      int priority = root && firedSignal ? 0 : root ? 3 : incident.affectedServices().contains(w.service()) ? 4 : 5;
      candidates.add(new String[] {Integer.toString(priority), text});
    }
    for (ChangeEvent c : e.recentChanges()) {
      String text = "change " + c.kind() + " of " + c.service() + " at " + c.timestamp()
          + (c.revision() == null ? "" : " revision " + c.revision()) + ": " + c.description();
      raw += tokens(text);
      candidates.add(new String[] {"1", text});
    }
    LogTemplates errors = new LogTemplates();
    LogTemplates warnings = new LogTemplates();
    for (String line : e.logExcerpts()) {
      raw += tokens(line);
      String body = line.replaceFirst("^\\S+ ", ""); // drop the timestamp
      (body.contains(" ERROR ") || body.contains(" FATAL ") ? errors : warnings).add(body);
    }
    for (LogTemplates.Template t : errors.templates()) {
      candidates.add(new String[] {"2", "log x" + t.count() + ": " + t.pattern()});
    }
    for (LogTemplates.Template t : warnings.templates()) {
      candidates.add(new String[] {"2", "log x" + t.count() + ": " + t.pattern()});
    }
    if (!e.neighbours().isEmpty()) {
      String text = "call-graph neighbours of the affected services: " + e.neighbours();
      raw += tokens(text);
      candidates.add(new String[] {"5", text});
    }
    candidates.sort(Comparator.comparingInt(c -> Integer.parseInt(c[0])));
    List<String> items = new ArrayList<>();
    int used = 0;
    int dropped = 0;
    for (String[] c : candidates) {
      int t = tokens(c[1]);
      if (used + t > tokenBudget) {
        dropped++;
        continue;
      }
      items.add(c[1]);
      used += t;
    }
    return new EvidenceDigest(List.copyOf(items), raw, used, dropped);
  }
}
