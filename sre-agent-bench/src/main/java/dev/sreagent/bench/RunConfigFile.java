package dev.sreagent.bench;

import dev.sreagent.core.MetricMapping;
import dev.sreagent.core.StaticTopology;
import dev.sreagent.detect.DetectorSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the bench's replays ({@code rca}, {@code replay}) take from a {@code ./sre-agent run --config} file, so that a
 * recording meets the agent configured as {@code run} would configure it: the metric mapping ({@code metrics.map.*}),
 * the built-in detectors' {@code detect.*} keys ({@link DetectorSettings}) and the call graphs of
 * {@code topology.file}; {@code unused} names the other keys, which a replay has no use for (a listener, a store, a
 * cluster).
 *
 * @param mapping the rules (empty when the file has none)
 * @param detect the {@code detect.*} keys and values, for {@code SreAgentBuilder.setConfig}
 * @param topology the call graphs, in the file's order
 * @param unused the keys not used by a replay, in the file's order
 */
record RunConfigFile(MetricMapping mapping, Map<String, String> detect, List<StaticTopology> topology,
    List<String> unused) {

  /** The mapping as {@code bench rca}'s column table, or null when the file has no rule (the default stays). */
  @Nullable List<RcaRun.ColumnSignal> columns() {
    return mapping.isEmpty() ? null : mapping.rules().values().stream().map(RcaRun.ColumnSignal::of).toList();
  }

  /** The call graphs merged, or null when the file names none. */
  @Nullable StaticTopology graph() {
    StaticTopology merged = null;
    for (StaticTopology t : topology) {
      merged = merged == null ? t : merged.with(t);
    }
    return merged;
  }

  /**
   * Reads the file.
   *
   * @throws IllegalArgumentException listing every bad line as {@code file:line: message}
   */
  static RunConfigFile read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    MetricMapping m = MetricMapping.fromLines(lines, file.toString(), problems);
    Map<String, String> detect = new LinkedHashMap<>();
    List<StaticTopology> topology = new ArrayList<>();
    List<String> unused = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String text = dev.sreagent.api.config.ConfigView.lineText(lines.get(i));
      int eq = text.indexOf('=');
      if (text.isEmpty() || text.startsWith(MetricMapping.KEY_PREFIX)) {
        continue;
      }
      String where = file + ":" + (i + 1) + ": ";
      if (eq <= 0) {
        problems.add(where + "expected 'key = value', got '" + text + "'");
        continue;
      }
      String key = text.substring(0, eq).strip();
      String value = text.substring(eq + 1).strip();
      try {
        if (key.startsWith(DetectorSettings.KEY_PREFIX)) {
          DetectorSettings.check(key, value);
          detect.put(key, value);
        } else if (key.equals("topology.file")) {
          for (String name : value.split(",")) {
            if (!name.isBlank()) {
              topology.add(StaticTopology.read(Path.of(name.strip())));
            }
          }
        } else {
          unused.add(key);
        }
      } catch (IllegalArgumentException | IOException e) {
        problems.add(where + (key.equals("topology.file") ? "cannot read the call graph (" + e.getMessage()
            + "); give a CSV (src,dst) or YAML (edges: [{from: a, to: b}]) file" : e.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new RunConfigFile(m, Map.copyOf(detect), List.copyOf(topology), List.copyOf(unused));
  }
}
