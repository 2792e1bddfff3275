package dev.sreagent.api.model;

import dev.sreagent.api.Require;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One metric value with its resource attributes. The value may be NaN or infinite: the agent counts and drops
 * such samples instead of failing, because bad telemetry must never stop the loop.
 *
 * @param name the metric name, for example {@link MetricNames#MEMORY_UTILIZATION}
 * @param value the observed value
 * @param timestamp when it was observed
 * @param attributes resource and point attributes ({@link Attributes})
 */
public record MetricSample(String name, double value, Instant timestamp, Map<String, String> attributes)
    implements Signal {
  public MetricSample {
    Require.notBlank(name, "name");
    Objects.requireNonNull(timestamp, "timestamp");
    attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
  }

  /** Shorthand for a sample of {@code service}. */
  public static MetricSample of(String name, double value, Instant timestamp, String service) {
    return new MetricSample(name, value, timestamp, Map.of(Attributes.SERVICE_NAME, service));
  }

  @Override
  public String service() {
    return attributes.getOrDefault(Attributes.SERVICE_NAME, Attributes.UNKNOWN_SERVICE);
  }

  /** The attribute {@code key}, or null. */
  public @Nullable String attribute(String key) {
    return attributes.get(key);
  }

  /** A stable identity of the series this sample belongs to: name plus sorted attributes. */
  public String seriesKey() {
    StringBuilder sb = new StringBuilder(name).append('{');
    attributes.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> sb.append(e.getKey()).append('=').append(e.getValue()).append(','));
    return sb.append('}').toString();
  }
}
