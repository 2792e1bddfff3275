package dev.sreagent.rag;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns an alert, as Alertmanager delivers it, into retrieval text: the alert name split into words
 * ({@code KubePodCrashLooping} -> {@code kube pod crash looping}) and kept whole, the summary and description, the
 * metric names of the expression split at underscores. Label values (pod names, IPs) are noise and left out;
 * label names that say what is affected (job, container, ...) are kept.
 */
public final class AlertQuery {
  private static final Pattern CAMEL = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
  private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(?=\\s*[{\\[(])");

  private AlertQuery() {}

  /**
   * The query text.
   *
   * @param alertName the alert name, or null when unknown
   * @param summary the summary annotation, or null
   * @param description the description annotation, or null
   * @param labels the alert labels (values are ignored)
   * @param expr the PromQL expression, or null
   */
  public static String text(@Nullable String alertName, @Nullable String summary, @Nullable String description,
      Map<String, String> labels, @Nullable String expr) {
    Objects.requireNonNull(labels, "labels");
    List<String> parts = new ArrayList<>();
    if (alertName != null && !alertName.isBlank()) {
      parts.add(alertName);
    }
    if (summary != null) {
      parts.add(summary);
    }
    if (description != null) {
      parts.add(description);
    }
    if (expr != null) {
      Matcher m = METRIC.matcher(expr);
      while (m.find()) {
        String metric = m.group();
        if (!isFunction(metric)) {
          parts.add(metric.replace('_', ' ').replace(':', ' '));
        }
      }
    }
    return String.join(" ", parts);
  }

  /** {@code KubePodCrashLooping} -> {@code kube pod crash looping}. */
  public static String splitCamel(String s) {
    return String.join(" ", CAMEL.split(s)).toLowerCase(Locale.ROOT);
  }

  private static boolean isFunction(String name) {
    return switch (name) {
      case "sum", "rate", "irate", "increase", "max", "min", "avg", "count", "by", "without", "on", "ignoring",
          "group_left", "group_right", "max_over_time", "min_over_time", "avg_over_time", "sum_over_time",
          "count_over_time", "histogram_quantile", "absent", "absent_over_time", "predict_linear", "delta",
          "deriv", "changes", "resets", "label_replace", "topk", "bottomk", "clamp_max", "clamp_min", "abs",
          "time", "vector", "scalar", "and", "or", "unless" -> true;
      default -> false;
    };
  }
}
