package dev.sreagent.testkit.remote;

import dev.sreagent.api.model.ChangeEvent;
import dev.sreagent.api.model.MetricSample;
import dev.sreagent.api.model.Signal;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A metric sample or change event on the wire.
 *
 * @param kind {@code metric} or {@code change}
 * @param name metric name or change kind
 * @param value metric value (0 for changes)
 * @param ts timestamp, ISO-8601
 * @param service service of a change
 * @param revision revision of a change
 * @param text description of a change
 * @param attributes metric attributes
 */
public record SignalDto(String kind, String name, double value, String ts, @Nullable String service,
    @Nullable String revision, @Nullable String text, @Nullable Map<String, String> attributes) {

  static @Nullable SignalDto of(Signal s) {
    if (s instanceof MetricSample m) {
      return new SignalDto("metric", m.name(), m.value(), m.timestamp().toString(), null, null, null, m.attributes());
    }
    if (s instanceof ChangeEvent e) {
      return new SignalDto("change", e.kind(), 0, e.timestamp().toString(), e.service(), e.revision(),
          e.description(), null);
    }
    return null;
  }

  /** The signal this describes. */
  public Signal toSignal() {
    Instant t = Instant.parse(ts);
    if (kind.equals("change")) {
      return new ChangeEvent(t, service == null ? "unknown" : service, name, revision, text == null ? "" : text);
    }
    return new MetricSample(name, value, t, attributes == null ? Map.of() : attributes);
  }
}
