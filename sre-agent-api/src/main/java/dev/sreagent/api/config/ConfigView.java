package dev.sreagent.api.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Read-only flat view of the agent's configuration, handed to SPI providers. Keys are dotted paths. */
public interface ConfigView {
  /** The value of {@code key}. */
  Optional<String> get(String key);

  /** The value of {@code key}, or {@code fallback}. */
  default String get(String key, String fallback) {
    return get(key).orElse(fallback);
  }

  /**
   * The keys of this view, when it can list them (a view over a map can; by default none are listed), so that a reader
   * can refuse a misspelt key under its prefix.
   */
  default java.util.Set<String> keys() {
    return java.util.Set.of();
  }

  /** A view over {@code values}, which lists its keys. */
  static ConfigView of(Map<String, String> values) {
    Map<String, String> copy = Map.copyOf(values);
    return new ConfigView() {
      @Override
      public Optional<String> get(String key) {
        return Optional.ofNullable(copy.get(key));
      }

      @Override
      public java.util.Set<String> keys() {
        return copy.keySet();
      }
    };
  }

  /** A view with no keys. */
  static ConfigView empty() {
    return key -> Optional.empty();
  }

  /**
   * The text of one line of a configuration file ({@code ./sre-agent run --config}'s form): empty for a comment line
   * (its first non-blank character {@code #}), else the line without a trailing comment ({@code " #"} and what follows),
   * stripped. A {@code #} with no space before it is part of the value ({@code metrics.map.x#y}).
   */
  static String lineText(String line) {
    int hash = line.indexOf(" #");
    return (line.strip().startsWith("#") ? "" : hash >= 0 ? line.substring(0, hash) : line).strip();
  }

  /**
   * A positive duration as configuration writes it: a whole number and a unit, {@code 500ms}, {@code 15s},
   * {@code 5m}, {@code 1h} or {@code 1d}.
   *
   * @throws IllegalArgumentException naming {@code key} and the expected form
   */
  static Duration parseDuration(String key, String value) {
    Matcher m = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)").matcher(value.strip());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException(key + " must be a positive duration such as 500ms, 15s, 5m, 1h or 1d, but"
          + " was '" + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
