package dev.sreagent.api.config;

import java.util.Map;
import java.util.Optional;

/** Read-only flat view of the agent's configuration, handed to SPI providers. Keys are dotted paths. */
public interface ConfigView {
  /** The value of {@code key}. */
  Optional<String> get(String key);

  /** The value of {@code key}, or {@code fallback}. */
  default String get(String key, String fallback) {
    return get(key).orElse(fallback);
  }

  /** A view over {@code values}. */
  static ConfigView of(Map<String, String> values) {
    Map<String, String> copy = Map.copyOf(values);
    return key -> Optional.ofNullable(copy.get(key));
  }

  /** A view with no keys. */
  static ConfigView empty() {
    return key -> Optional.empty();
  }
}
